"""Valuation of an old home from comparables, backed by a district-level hedonic model.

Evidence is a table of recorded sales and active listings (one row each, see EVIDENCE_COLUMNS).
A log-linear model is fitted on all of it: log(¥/m²) by district, age, log area, floor position,
listing-vs-sale and months ago. Its coefficients do two jobs: they adjust each comparable in the
home's own community to the home's features, and they give a model estimate that the
comparables are blended with (more weight to comparables the more there are). Where a
community has no evidence, the model alone speaks and the caveat says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from .districts import ZHENGZHOU_DISTRICTS

EVIDENCE_COLUMNS = ("id", "kind", "community_id", "district_code", "area_m2", "floor", "total_floors",
                    "build_year", "price", "on")
MAX_COMPARABLES = 12
PRIOR_WEIGHT = 2.0         # the model counts as this many comparables in the blend
MONTHS_RELEVANT = 24       # older evidence is left out of the comparables
MIN_EVIDENCE = 10          # fewer rows than this and there is no model to speak of
RIDGE = 1.0                # shrinkage of district levels and slopes (see ValuationModel)
CAVEAT = ("估值依据同小区及本区近期网签成交和在售挂牌，经面积、楼层、房龄修正，并结合全区价格模型，"
          "仅供参考，不构成收购报价；实际价格以现场查勘和评估为准。")
DISTRICT_CODES = tuple(d.code for d in ZHENGZHOU_DISTRICTS)


@dataclass(frozen=True)
class Subject:
    community_id: int | None
    district_code: str
    area_m2: Decimal
    floor: int
    total_floors: int
    build_year: int


@dataclass(frozen=True)
class UsedComparable:
    kind: str                 # "sale" or "listing"
    evidence_id: int
    area_m2: Decimal
    floor: int
    build_year: int
    price: int
    on: date
    adjusted_unit_price: int


@dataclass(frozen=True)
class Valuation:
    estimate: int
    low: int
    high: int
    unit_price: int
    method: str               # "comparables" or "model"
    comparables: tuple[UsedComparable, ...]
    caveat: str = CAVEAT


def _months_between(earlier: np.ndarray | int, later: int) -> np.ndarray:
    return (later - np.asarray(earlier)) / 30.44


def _design(district: np.ndarray, age: np.ndarray, area: np.ndarray, floor_ratio: np.ndarray,
            is_listing: np.ndarray, months_ago: np.ndarray) -> np.ndarray:
    onehot = (district[:, None] == np.array(DISTRICT_CODES)[None, :]).astype(float)
    return np.column_stack([onehot, age, np.log(area), floor_ratio, is_listing, months_ago])


def _features(frame: pd.DataFrame, as_of: int) -> np.ndarray:
    sale_year = np.array([date.fromordinal(int(d)).year for d in frame["on"]])
    return _design(frame["district_code"].to_numpy(),
                   (sale_year - frame["build_year"].to_numpy()).astype(float),
                   frame["area_m2"].to_numpy(dtype=float),
                   frame["floor"].to_numpy(dtype=float) / np.maximum(frame["total_floors"].to_numpy(dtype=float), 1),
                   (frame["kind"].to_numpy() == "listing").astype(float),
                   _months_between(frame["on"].to_numpy(), as_of))


def _subject_features(subject: Subject, as_of: int) -> np.ndarray:
    """The home as if sold today: not a listing, zero months ago."""
    return _design(np.array([subject.district_code]),
                   np.array([date.fromordinal(as_of).year - subject.build_year], dtype=float),
                   np.array([float(subject.area_m2)]),
                   np.array([subject.floor / max(subject.total_floors, 1)]),
                   np.zeros(1), np.zeros(1))[0]


class ValuationModel:
    """Fitted once per evidence table; values any number of homes."""

    def __init__(self, evidence: pd.DataFrame, as_of: date):
        self.as_of = as_of.toordinal()
        frame = evidence.loc[evidence["area_m2"].astype(float) > 0].copy()
        if len(frame) < MIN_EVIDENCE:
            raise ValueError("too little evidence to fit the valuation model")
        frame["area_m2"] = frame["area_m2"].astype(float)
        design = self._augmented(_features(frame, self.as_of), fit=True)
        log_unit_price = np.log(frame["price"].to_numpy(dtype=float) / frame["area_m2"].to_numpy())
        # Ridge, with the intercept left free: with little evidence, district levels shrink to the
        # city level and the slopes to zero instead of swinging wildly (and an unseen district
        # still gets a sensible price).
        penalty = np.full(design.shape[1], RIDGE)
        penalty[0] = 0.0
        self.beta = np.linalg.solve(design.T @ design + np.diag(penalty), design.T @ log_unit_price)
        self.residual_sd = float(np.std(log_unit_price - design @ self.beta))
        order = np.lexsort((frame["on"].to_numpy(), frame["community_id"].to_numpy()))
        self.design = design[order]
        self.log_unit_price = log_unit_price[order]
        self.columns = {name: frame[name].to_numpy()[order]
                        for name in ("id", "kind", "community_id", "area_m2", "floor", "build_year", "price", "on")}

    def _augmented(self, raw: np.ndarray, fit: bool = False) -> np.ndarray:
        """An intercept, then the district columns, then the slopes centred on the evidence's means."""
        districts = len(DISTRICT_CODES)
        if fit:
            self.slope_means = raw[:, districts:].mean(axis=0)
        slopes = raw[:, districts:] - self.slope_means
        return np.column_stack([np.ones(len(raw)), raw[:, :districts], slopes])

    def value(self, subject: Subject) -> Valuation:
        subject_x = self._augmented(_subject_features(subject, self.as_of)[None, :])[0]
        model_log = float(subject_x @ self.beta)
        comparables, adjusted_logs, weights = self._comparables(subject, subject_x)
        if comparables:
            total = float(weights.sum())
            comparable_log = float(weights @ adjusted_logs) / total
            count = len(comparables)
            estimate_log = (count * comparable_log + PRIOR_WEIGHT * model_log) / (count + PRIOR_WEIGHT)
            spread = float(np.sqrt(weights @ (adjusted_logs - comparable_log) ** 2 / total))
            spread = max(spread, 0.03) if count >= 3 else self.residual_sd
            method = "comparables"
        else:
            estimate_log, spread, method = model_log, self.residual_sd, "model"
        unit_price = float(np.exp(estimate_log))
        area = float(subject.area_m2)
        return Valuation(_round_thousand(unit_price * area), _round_thousand(unit_price * area * np.exp(-spread)),
                         _round_thousand(unit_price * area * np.exp(spread)), int(round(unit_price)),
                         method, tuple(comparables))

    def _comparables(self, subject: Subject, subject_x: np.ndarray):
        nothing = ([], np.empty(0), np.empty(0))
        if subject.community_id is None:
            return nothing
        start, end = np.searchsorted(self.columns["community_id"], [subject.community_id, subject.community_id + 1])
        rows = np.arange(start, end)
        months = _months_between(self.columns["on"][rows], self.as_of)
        keep = months <= MONTHS_RELEVANT
        rows, months = rows[keep], months[keep]
        if rows.size == 0:
            return nothing
        adjusted = self.log_unit_price[rows] + (subject_x - self.design[rows]) @ self.beta
        area_gap = np.abs(np.log(self.columns["area_m2"][rows] / float(subject.area_m2)))
        weights = ((1 / (1 + months / 6)) * np.exp(-2 * area_gap)
                   * np.where(self.columns["kind"][rows] == "sale", 2.0, 1.0))
        best = np.argsort(-weights, kind="stable")[:MAX_COMPARABLES]
        rows, adjusted, weights = rows[best], adjusted[best], weights[best]
        c = self.columns
        used = [UsedComparable(str(c["kind"][r]), int(c["id"][r]), Decimal(str(c["area_m2"][r])).quantize(Decimal("0.01")),
                               int(c["floor"][r]), int(c["build_year"][r]), int(c["price"][r]),
                               date.fromordinal(int(c["on"][r])), int(round(float(np.exp(value)))))
                for r, value in zip(rows, adjusted, strict=True)]
        return used, adjusted, weights


def _round_thousand(value: float) -> int:
    return int(round(value, -3))


def holdout_mdape(evidence: pd.DataFrame, as_of: date, every: int = 5) -> tuple[float, int]:
    """Median absolute percentage error on recorded sales held out of the model and the comparables.

    Every ``every``-th sale (by id) is held out; the model is fitted without them.
    """
    sales = evidence["kind"] == "sale"
    held_out = sales & (evidence["id"] % every == 0)
    model = ValuationModel(evidence.loc[~held_out], as_of)
    errors = []
    for row in evidence.loc[held_out].itertuples():
        subject = Subject(int(row.community_id), row.district_code, Decimal(str(row.area_m2)), int(row.floor),
                          int(row.total_floors), int(row.build_year))
        estimate = model.value(subject).estimate
        errors.append(abs(estimate - row.price) / row.price)
    return (float(np.median(errors)) if errors else float("nan")), len(errors)
