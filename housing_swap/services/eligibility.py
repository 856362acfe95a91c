"""The public eligibility self-check: parse the facts, pick the rule version, decide."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ..domain.eligibility import CHANNELS, EligibilityFacts, NewHomeFacts, OldHomeFacts, check_eligibility
from ..domain.fields import FieldProblem, parse_area, parse_date, parse_district, parse_integer
from ..domain.finance import LARGE_HOME_M2, subsidy_schedule
from ..domain.rules import ProgramRules
from ..domain.timezones import beijing_today
from .errors import ValidationFailed
from .rules import current_rules


@dataclass(frozen=True)
class EligibilityAnswer:
    eligible: bool
    reasons: list[dict]
    rule_version: int
    counts_toward_pilot: bool
    subsidies: list[dict]     # by quarter since approval, for the new home's price when one is given
    subsidy_note: str


def check(body: dict) -> EligibilityAnswer:
    facts = parse_facts(body)
    version, rules = current_rules(facts.decision_date)
    result = check_eligibility(facts, rules)
    subsidies, note = _subsidies(facts, rules)
    return EligibilityAnswer(result.decision.ok,
                             [{"rule": r.rule, "message": r.message} for r in result.decision.reasons],
                             version.version, result.counts_toward_pilot, subsidies, note)


def _subsidies(facts: EligibilityFacts, rules: ProgramRules) -> tuple[list[dict], str]:
    if not rules.deed_tax_subsidy_percent and not rules.voucher_bonus_percents:
        return [], "现行规则没有契税补贴或房票奖励"
    if facts.new_home is None:
        return [], (f"现行规则：契税补贴{rules.deed_tax_subsidy_percent}%，房票奖励按季度依次为"
                    f"{'、'.join(f'{p}%' for p in rules.voucher_bonus_percents) or '无'}；填写意向新房总价可测算金额")
    schedule = subsidy_schedule(facts.new_home.total_price, LARGE_HOME_M2, rules)
    return ([{**asdict(row), "total": row.total} for row in schedule],
            "按审核通过后第几个季度购房测算，新房按140㎡及以下的契税税率估算；最后一行为之后各季度；以实际审核为准")


def parse_facts(body: dict) -> EligibilityFacts:
    errors: dict[str, list[str]] = {}

    def field(path: str, raw, parse, required: bool = True):
        if raw is None or raw == "":
            if required:
                errors[path] = ["必填"]
            return None
        if isinstance(raw, (bool, dict, list)):
            errors[path] = ["类型不正确"]
            return None
        try:
            return parse(str(raw).strip())
        except FieldProblem as problem:
            errors[path] = [str(problem)]
            return None

    channel = body.get("channel")
    if channel not in CHANNELS:
        errors["channel"] = ["应为 city_group 或 market"]
    decision_date = field("decision_date", body.get("decision_date") or beijing_today().isoformat(), parse_date)
    old = body.get("old_home") if isinstance(body.get("old_home"), dict) else None
    if old is None:
        errors["old_home"] = ["必填，且应为对象"]
        old = {}
    seized = old.get("seized", False)
    if not isinstance(seized, bool):
        errors["old_home.seized"] = ["应为 true 或 false"]
    old_home = OldHomeFacts(
        district_code=field("old_home.district_code", old.get("district_code"), parse_district),
        build_year=field("old_home.build_year", old.get("build_year"), parse_integer(1949, 2100)),
        area_m2=field("old_home.area_m2", old.get("area_m2"), parse_area),
        seized=seized is True)
    old_price = field("old_home.price", old.get("price"), parse_integer(10_000, 200_000_000), required=False)
    new_home = _new_home(body.get("new_home"), field, errors)
    if errors:
        raise ValidationFailed("资格自测信息有误", errors)
    return EligibilityFacts(channel, decision_date, old_home, old_price, new_home)


def _new_home(raw, field, errors) -> NewHomeFacts | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors["new_home"] = ["应为对象"]
        return None
    return NewHomeFacts(
        district_code=field("new_home.district_code", raw.get("district_code"), parse_district),
        total_price=field("new_home.total_price", raw.get("total_price"), parse_integer(10_000, 200_000_000)))
