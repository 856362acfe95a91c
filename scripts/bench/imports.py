"""The validated listing import, rows per second on each database."""
from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pandas as pd
from flask_migrate import upgrade
from sqlalchemy import select

from housing_swap.db.models import (
    OrganizationKind,
    Role,
    User,
)
from housing_swap.extensions import db
from housing_swap.services import (
    accounts,
    listing_import,
    organizations,
)
from housing_swap.services.reference_data import load_reference_data
from housing_swap.services.spreadsheets import Upload

from .common import bench_app


def import_file(rows: int) -> Upload:
    """``rows`` listings made from the import template's example, each a different property."""
    template = pd.read_csv(io.BytesIO(listing_import.import_template("csv")), dtype=str, encoding="utf-8-sig",
                           keep_default_na=False)
    example = template.iloc[0].to_dict()
    base = int(time.time()) % 5_000_000 * 2  # a fresh range of certificate numbers on every run
    frame = pd.DataFrame([{**example, **_unique_fields(example, base + index)} for index in range(rows)])
    return Upload("bench.csv", frame.to_csv(index=False).encode("utf-8-sig"))


def _unique_fields(example: dict, index: int) -> dict:
    changed = {}
    for column, value in example.items():
        if column == "不动产权证号":
            changed[column] = re.sub(r"\d{7}号", f"{index % 10_000_000:07d}号", value)
        elif column == "机构房源编号":
            changed[column] = f"BENCH-{time.time_ns()}-{index}"
        elif column == "房号":
            changed[column] = str(100 + index)
    return changed


def import_figures(scratch: Path, workdir: Path, rows: int) -> dict:
    """Rows per second into a scratch SQLite database and into PostgreSQL (when one is named)."""
    postgres_url = os.environ.get("HOUSING_SWAP_BENCH_POSTGRES_URL")
    return {"rows": rows, "sqlite_rows_per_s": import_rate(f"sqlite:///{scratch}", rows, workdir),
            "postgres_rows_per_s": import_rate(postgres_url, rows, workdir) if postgres_url else {
                "skipped": "HOUSING_SWAP_BENCH_POSTGRES_URL not set (scripts/services.sh up, then export it)"}}


def import_rate(database_url: str, rows: int, workdir: Path) -> float:
    """Validated listing import ("all or nothing") of ``rows`` new properties, rows per second."""
    with bench_app(database_url, workdir).app_context():
        upgrade()
        load_reference_data()
        agency = db.session.scalar(select(User).where(User.username == "bench-agency")) or _bench_agency()
        upload = import_file(rows)
        started = time.perf_counter()
        result = listing_import.import_listings(upload, agency, listing_import.ImportMode.ALL_OR_NOTHING)
        return round((result.created + result.updated) / (time.perf_counter() - started), 1)


def _bench_agency() -> User:
    organization = organizations.register_organization(organizations.OrganizationRegistration(
        OrganizationKind.AGENCY, "基准测试经纪机构", f"BENCH-{time.time_ns()}", "测试", "13800000000"), actor=None)
    return accounts.create_staff_user(accounts.StaffAccount(
        "bench-agency", "Bench-pass-2024", "基准测试", Role.AGENCY_STAFF, organization.id), created_by=None)
