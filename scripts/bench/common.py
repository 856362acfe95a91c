"""Shared by every measurement: the bench app, timing, progress lines and the query mix."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

from housing_swap import create_app

ROOT = Path(__file__).resolve().parents[2]

QUERY_MIX = [
    {"q": ["金水"], "bedrooms": ["2"]},
    {"q": ["花园"], "district": ["410105", "410190"], "max_price": ["2000000"]},
    {"q": ["jsq"]},
    {"q": ["名苑"], "min_area": ["80"], "max_area": ["120"], "sort": ["price_asc"]},
    {"district": ["410102"], "bedrooms": ["3"], "elevator": ["true"]},
    {"q": ["正商"], "min_build_year": ["2010"]},
    {"min_price": ["1000000"], "max_price": ["1500000"], "sort": ["unit_price_asc"]},
    {"q": ["城"], "district": ["410104"]},
]
REPEATS = 5
MEASUREMENTS = 3  # each figure is measured this many times in one run: the median is reported
IMPORT_ROWS = {"small": 1_000, "district": 10_000, "city": 10_000, "province": 10_000}
NAIVE_PAIRS = 500_000  # the per-pair baseline loop is timed on this many (application, unit) pairs
HTTP_SECONDS = 15
HTTP_PORT = 5055


def step(label: str, run):
    print(f"[bench] {label} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    value = run()
    print(f"[bench] {label} done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return value


def progress(label: str, total: int):
    """A callback that prints every tenth of the way (long steps must show they are alive)."""
    state = {"done": 0, "shown": 0}

    def advance(count: int) -> None:
        state["done"] += count
        tenth = min(10, state["done"] * 10 // max(total, 1))
        if tenth > state["shown"]:
            state["shown"] = tenth
            print(f"[bench]   {label}: {tenth * 10}%", file=sys.stderr, flush=True)
    return advance


def measured(label: str, run) -> tuple[dict, dict]:
    """``run`` MEASUREMENTS times: its figures (same keys) as the median of the runs, and the
    min, median and max of every number by dotted key (the spread the summary shows)."""
    runs = [step(f"{label} ({index + 1}/{MEASUREMENTS})", run) for index in range(MEASUREMENTS)]
    return _median_of(runs), _spreads(runs, "")


def _median_of(runs: list):
    first = runs[0]
    if isinstance(first, dict):
        return {key: _median_of([run[key] for run in runs]) for key in first}
    if _is_number(first):
        return sorted(runs)[len(runs) // 2]  # the middle measurement itself (an odd count of them)
    return first


def _spreads(runs: list, prefix: str) -> dict:
    first = runs[0]
    if isinstance(first, dict):
        spreads: dict = {}
        for key in first:
            spreads.update(_spreads([run[key] for run in runs], f"{prefix}{key}."))
        return spreads
    if _is_number(first):
        return {prefix.rstrip("."): {"min": min(runs), "median": _median_of(runs), "max": max(runs)}}
    return {}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def bench_app(database_url: str, workdir: Path, **overrides):
    """An app on the bench data; its secrets are generated once in ``workdir`` (as in production)."""
    os.environ["HOUSING_SWAP_INSTANCE_PATH"] = str(workdir)
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SEARCH_BACKEND": "sql", **overrides})


def timed(run, repeats: int = REPEATS) -> list[float]:
    """Wall times in milliseconds of ``repeats`` runs after one warm-up."""
    run()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    return round(float(np.percentile(samples, fraction * 100)), 2)
