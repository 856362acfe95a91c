"""Swap applications (以旧换新申请): their fields, their timeline and their eligibility decision."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .decisions import Reason
from .eligibility import EligibilityFacts, OldHomeFacts, check_eligibility
from .fields import (
    Field,
    choice_field,
    parse_area,
    parse_boolean,
    parse_date,
    parse_fields,
    parse_integer,
    parse_yuan,
)
from .labels import LabelledEnum
from .listing_fields import (
    AREA_FIELD,
    BEDROOMS_FIELD,
    BUILD_YEAR_FIELD,
    CERTIFICATE_FIELD,
    COMMUNITY_FIELD,
    DISTRICT_FIELD,
    FLOOR_FIELD,
    HAS_ELEVATOR_FIELD,
    MAX_PRICE,
    TOTAL_FLOORS_FIELD,
    UNIT_CODE_FIELD,
)
from .rules import ProgramRules, parse_district_list

CHANNEL_CHOICES = {"城发集团收购": "city_group", "市场交易": "market", "均可": "either"}
class ChannelPreference(LabelledEnum):
    CITY_GROUP = "city_group", "城发集团收购"
    MARKET = "market", "市场交易"
    EITHER = "either", "均可"


class ApplicationStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    ELIGIBLE = "eligible", "符合条件"
    INELIGIBLE = "ineligible", "不符合条件"
    MATCHED = "matched", "已匹配"
    IN_PROGRESS = "in_progress", "办理中"
    COMPLETED = "completed", "已完成"
    WITHDRAWN = "withdrawn", "已撤回"


# Matching serves applications found eligible, and keeps serving them once matched.
MATCHABLE = (ApplicationStatus.ELIGIBLE, ApplicationStatus.MATCHED)
CHANNEL_LABELS = ChannelPreference.labels()
STATUS_LABELS = ApplicationStatus.labels()
_money = parse_yuan(0, MAX_PRICE)

APPLICATION_FIELDS: tuple[Field, ...] = (
    COMMUNITY_FIELD,
    DISTRICT_FIELD,
    AREA_FIELD,
    BUILD_YEAR_FIELD,
    BEDROOMS_FIELD,
    FLOOR_FIELD,
    TOTAL_FLOORS_FIELD,
    HAS_ELEVATOR_FIELD,
    CERTIFICATE_FIELD,
    UNIT_CODE_FIELD,
    Field("seized", "是否被查封", True, parse_boolean),
    Field("remaining_mortgage", "剩余房贷（元）", True, _money),
    Field("savings", "可用存款（元）", True, _money),
    Field("max_loan", "可贷款额度（元）", True, _money),
    Field("wanted_districts", "意向区县", False, parse_district_list),
    Field("min_area_m2", "最小面积（㎡）", False, parse_area),
    Field("min_bedrooms", "最少卧室数", False, parse_integer(0, 12)),
    Field("budget_max", "购房预算上限（元）", False, parse_yuan(10_000, MAX_PRICE)),
    Field("move_in_by", "最晚入住日期", False, parse_date),
    Field("needs_elevator", "必须有电梯", True, parse_boolean),
    choice_field("channel_preference", "换房渠道", True, tuple(CHANNEL_CHOICES)),
)


def parse_application_fields(raw: Mapping[str, object], partial: bool = False) -> tuple[dict, dict[str, list[str]]]:
    values, errors = parse_fields(APPLICATION_FIELDS, raw, partial)
    floor, total = values.get("floor"), values.get("total_floors")
    if floor is not None and total is not None and floor > total:
        errors.setdefault("floor", []).append("所在楼层不能高于总楼层")
    if "channel_preference" in values and values["channel_preference"] is not None:
        values["channel_preference"] = CHANNEL_CHOICES[values["channel_preference"]]
    return values, errors


# The household-visible timeline. Everything else (decisions, matching, the acquisition) is the system's.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "withdrawn"}),
    "submitted": frozenset({"eligible", "ineligible", "withdrawn"}),
    "eligible": frozenset({"matched", "in_progress", "withdrawn"}),
    "ineligible": frozenset({"submitted", "withdrawn"}),
    "matched": frozenset({"eligible", "matched", "in_progress", "withdrawn"}),
    "in_progress": frozenset({"completed", "eligible"}),
    "completed": frozenset({"eligible"}),  # the swap was cancelled after counting (a ledger reversal)
    "withdrawn": frozenset(),
}


def transition_problem(current: str, target: str) -> str | None:
    if target in TRANSITIONS[current]:
        return None
    return f"申请状态不能从“{STATUS_LABELS[current]}”变为“{STATUS_LABELS[target]}”"


@dataclass(frozen=True)
class OldHome:
    district_code: str
    build_year: int
    area_m2: Decimal
    seized: bool


@dataclass(frozen=True)
class ApplicationDecision:
    eligible_channels: tuple[str, ...]
    reasons: tuple[Reason, ...]
    counts_toward_pilot: bool

    @property
    def eligible(self) -> bool:
        return bool(self.eligible_channels)


def channels_for(preference: str) -> tuple[str, ...]:
    return ("city_group", "market") if preference == "either" else (preference,)


def decide(old_home: OldHome, preference: str, on: date, rules: ProgramRules,
           wanted_districts: tuple[str, ...] = ()) -> ApplicationDecision:
    """Every channel the household asked for is checked with the self-check's own decision
    (domain/eligibility.check_eligibility); each failing rule is a reason."""
    eligible: list[str] = []
    reasons: list[Reason] = []
    pilot = False
    facts_home = OldHomeFacts(old_home.district_code, old_home.build_year, old_home.area_m2, old_home.seized)
    for channel in channels_for(preference):
        result = check_eligibility(EligibilityFacts(channel, on, facts_home, wanted_districts=wanted_districts), rules)
        if result.decision.ok:
            eligible.append(channel)
            pilot = pilot or result.counts_toward_pilot
        reasons += [Reason(r.rule, f"{CHANNEL_LABELS[channel]}：{r.message}") for r in result.decision.reasons]
    return ApplicationDecision(tuple(eligible), tuple(reasons), pilot)
