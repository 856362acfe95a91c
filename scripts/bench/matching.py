"""Matching: the stored top-20 per application against a naive scan."""
from __future__ import annotations

import time

import numpy as np
from sqlalchemy import func, select

from housing_swap.db.models import (
    SwapApplication,
)
from housing_swap.domain import matching as matching_rules
from housing_swap.domain.timezones import beijing_today
from housing_swap.domain.valuation import holdout_mdape
from housing_swap.extensions import db
from housing_swap.services import (
    matching,
    valuation,
)
from housing_swap.services.rules import current_rules

from .common import NAIVE_PAIRS, percentile, progress, timed


def open_applications() -> int:
    return db.session.scalar(select(func.count()).where(SwapApplication.status.in_(matching.MATCHABLE)))


def matching_figures() -> dict:
    open_ids = db.session.scalars(select(SwapApplication.id).where(
        SwapApplication.status.in_(matching.MATCHABLE)).order_by(SwapApplication.id)).all()
    sample = [db.session.get(SwapApplication, i) for i in open_ids[:50]]
    one = [ms for application in sample for ms in timed(lambda a=application: matching.new_home_matches(a), 3)]
    started = time.perf_counter()
    summary = matching.run_matching(advance=progress("matching (timed)", len(open_ids)))
    batch_s = time.perf_counter() - started
    naive_sample = max(1, NAIVE_PAIRS // len(matching.unit_table()))
    naive_per_app = naive_seconds_per_application(sample[:naive_sample])
    mdape, held_out = holdout_mdape(valuation.evidence_frame(beijing_today()), beijing_today())
    return {"one_p50_ms": percentile(one, 0.5), "one_p95_ms": percentile(one, 0.95), "batch_s": round(batch_s, 2),
            "batch_applications": summary.applications,
            "naive_batch_s": round(naive_per_app * len(open_ids), 1),
            "naive_note": f"per-pair loop timed on {naive_sample} applications × all units, extrapolated",
            "speedup_vs_naive": round(naive_per_app * len(open_ids) / batch_s, 1) if batch_s else None,
            "valuation_mdape": round(mdape, 4), "valuation_held_out": held_out}


def naive_seconds_per_application(sample: list[SwapApplication]) -> float:
    """The same constraints and score, one unit at a time in a Python loop (the baseline)."""
    table = matching.unit_table()
    _, rules = current_rules()
    started = time.perf_counter()
    for application in sample:
        request = matching.match_request(application, rules, beijing_today())
        scored = []
        for row in range(len(table)):
            if matching_rules._hard_constraints(table, slice(row, row + 1), request, rules)[0]:
                parts = matching_rules._score_parts(table, np.array([row]), request)
                scored.append((sum(matching_rules.WEIGHTS[n] * v[0] for n, v in parts.items()), row))
        scored.sort(reverse=True)
    return (time.perf_counter() - started) / max(len(sample), 1)
