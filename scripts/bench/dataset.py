"""The data set each scale is measured on, built once and reused."""
from __future__ import annotations

import contextlib

from flask_migrate import upgrade
from sqlalchemy import func, select

from housing_swap.db.models import (
    GoalLedgerEntry,
    Listing,
    SwapApplication,
    Unit,
)
from housing_swap.demo.seed import SCALES, AlreadySeeded, planned_rows, seed_demo_data
from housing_swap.extensions import db
from housing_swap.services import (
    matching,
)

from .common import progress
from .matching import open_applications


def build_dataset(scale: str) -> dict:
    upgrade()
    with contextlib.suppress(AlreadySeeded):  # reuse the set built by an earlier run
        seed_demo_data(SCALES[scale], 2024, advance=progress("seeding", planned_rows(SCALES[scale])))
    matching.run_matching(advance=progress("matching", open_applications()))
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {"listings": count(Listing), "units": count(Unit), "applications": count(SwapApplication),
            "ledger_entries": count(GoalLedgerEntry)}
