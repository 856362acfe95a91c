"""The progress report and the reporting workbook."""
from __future__ import annotations

import statistics

from sqlalchemy import select

from housing_swap.db.models import (
    Role,
    User,
)
from housing_swap.extensions import db
from housing_swap.services import (
    exports,
)
from housing_swap.services.progress import ProgressFilters, progress_report

from .common import percentile, timed


def progress_figures() -> dict:
    samples = timed(lambda: progress_report(ProgressFilters()), 20)
    return {"p50_ms": percentile(samples, 0.5), "p95_ms": percentile(samples, 0.95)}


def export_figures() -> dict:
    officer = db.session.scalar(select(User).where(User.role == Role.CITY_GROUP_OFFICER))
    tables_ms = timed(lambda: exports.workbook(exports.export_tables(ProgressFilters(), officer, 14)), 3)
    return {"xlsx_s": round(statistics.median(tables_ms) / 1000, 2)}
