"""Reading the program rule set in force."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..db.base import utcnow
from ..db.models import ApplicationStatus, ProgramRuleVersion, RuleVersionStatus, SwapApplication, User
from ..domain.applications import OldHome, channels_for, decide
from ..domain.fields import parse_fields
from ..domain.rules import RULE_FIELDS, ProgramRules, rule_problems, rules_from_values
from ..domain.timezones import beijing_today
from ..extensions import db
from .audit import record_event
from .errors import Conflict, NotFound, ServiceError, ValidationFailed, flush_or_conflict
from .unit_of_work import use_case


class RulesNotPublished(ServiceError):
    """No published rule version covers the date: nothing is decided or counted on guesswork."""

    http_status = 422
    code = "rules_not_published"


def _published_newest_first() -> list[ProgramRuleVersion]:
    return list(db.session.scalars(
        select(ProgramRuleVersion).where(ProgramRuleVersion.status == RuleVersionStatus.PUBLISHED)
        .order_by(ProgramRuleVersion.effective_from.desc(), ProgramRuleVersion.version.desc())))


def program_year_of(version: ProgramRuleVersion) -> int:
    """Read from the stored document without parsing the whole rule set (this runs per request)."""
    return int(version.document.get("program_year", ProgramRules.program_year))


def current_rules(on: date | None = None) -> tuple[ProgramRuleVersion, ProgramRules]:
    """The version that covers ``on`` (today by default): the newest published version of that
    calendar year's programme that is already in effect. A date no version covers is refused
    with the dates that are covered, so a count never slips into another programme year."""
    on = on or beijing_today()
    published = _published_newest_first()
    version = _covering(published, on)
    if version is None:
        raise RulesNotPublished(_uncovered_message(on, published))
    return version, ProgramRules.from_document(version.document)


def _covering(published: list[ProgramRuleVersion], on: date) -> ProgramRuleVersion | None:
    """Of versions newest first, the newest of ``on``'s programme year already in effect on it."""
    return next((version for version in published
                 if version.effective_from <= on and program_year_of(version) == on.year), None)


def _uncovered_message(on: date, published: list[ProgramRuleVersion]) -> str:
    starts: dict[int, date] = {}
    for version in published:
        year = program_year_of(version)
        if version.effective_from.year == year:
            starts[year] = min(starts.get(year, version.effective_from), version.effective_from)
    covered = "、".join(f"{start.isoformat()}至{year}-12-31" for year, start in sorted(starts.items()))
    return (f"{on.year}年度的卖旧买新规则尚未发布或尚未生效，{on.isoformat()}暂不能办理"
            + (f"（已发布规则覆盖：{covered}）" if covered else "") + "。请关注住房保障局公告。")


def rules_of_year(program_year: int) -> tuple[ProgramRuleVersion, ProgramRules] | None:
    """The newest published version of a programme year (its targets), or None if unpublished."""
    for version in _published_newest_first():
        if program_year_of(version) == program_year:
            return version, ProgramRules.from_document(version.document)
    return None


def latest_rules() -> tuple[ProgramRuleVersion, ProgramRules]:
    """For advice that decides nothing (search's channel fit, match ranking, chain proposals,
    what an officer may offer): today's rules, or the newest published ones if today is not
    covered yet. Every decision and count uses ``current_rules`` instead."""
    try:
        return current_rules()
    except RulesNotPublished:
        published = _published_newest_first()
        if not published:
            raise
        return published[0], ProgramRules.from_document(published[0].document)


def rules_in_force() -> Callable[[date], ProgramRules]:
    """The rule set in force on each day, for figures over past days (a step's service deadline,
    a chain's expected dates are those of the rules in force when it began, not today's): the
    version ``current_rules`` picks on that day; a day no version of its year covers yet keeps
    the newest version already in effect, and a day before any took effect the first version.
    The published versions are read once and each is parsed once."""
    published = _published_newest_first()
    if not published:
        raise RulesNotPublished(_uncovered_message(beijing_today(), published))
    parsed: dict[int, ProgramRules] = {}

    def on(day: date) -> ProgramRules:
        in_effect = [version for version in published if version.effective_from <= day]
        version = _covering(published, day) or (in_effect[0] if in_effect else published[-1])
        if version.id not in parsed:
            parsed[version.id] = ProgramRules.from_document(version.document)
        return parsed[version.id]
    return on


# ----- the bureau's rule editor -------------------------------------------------------------------

def rule_versions() -> list[ProgramRuleVersion]:
    return list(db.session.scalars(select(ProgramRuleVersion).order_by(ProgramRuleVersion.version.desc())))


def rule_version(version_id: int) -> ProgramRuleVersion:
    version = db.session.get(ProgramRuleVersion, version_id)
    if version is None:
        raise NotFound("规则版本不存在")
    return version


def _parsed_rules(raw: dict) -> tuple[dict, ProgramRules]:
    values, errors = parse_fields(RULE_FIELDS, raw)
    if not errors:
        rules = rules_from_values(values)
        errors = rule_problems(rules)
        if values["effective_from"].year != rules.program_year:
            # A version covers dates of its own programme year only (see current_rules).
            errors["effective_from"] = [f"生效日期应在{rules.program_year}年内（项目年度按自然年计）"]
    if errors:
        raise ValidationFailed("规则内容有误", errors)
    return values, rules


@use_case
def create_draft(raw: dict, user: User) -> ProgramRuleVersion:
    """A new version, never an edit of a published one."""
    values, rules = _parsed_rules(raw)
    number = (db.session.scalar(select(func.max(ProgramRuleVersion.version))) or 0) + 1
    draft = ProgramRuleVersion(version=number, name=values["name"], effective_from=values["effective_from"],
                               document=rules.to_document(), status=RuleVersionStatus.DRAFT,
                               created_by_user_id=user.id)
    db.session.add(draft)
    flush_or_conflict(lambda _: "规则版本号冲突，请重试")
    record_event("rules.draft", "program_rule_version", draft.id, actor=user, after={"version": number})
    return draft


@use_case
def update_draft(version_id: int, raw: dict, user: User) -> ProgramRuleVersion:
    draft = _draft(version_id)
    values, rules = _parsed_rules(raw)
    before = draft.document
    draft.name, draft.effective_from, draft.document = values["name"], values["effective_from"], rules.to_document()
    record_event("rules.update_draft", "program_rule_version", draft.id, actor=user, before=before,
                 after=draft.document)
    return draft


@use_case
def publish(version_id: int, user: User) -> ProgramRuleVersion:
    draft = _draft(version_id)
    draft.status, draft.published_at = RuleVersionStatus.PUBLISHED, utcnow()
    record_event("rules.publish", "program_rule_version", draft.id, actor=user,
                 after={"version": draft.version, "effective_from": draft.effective_from.isoformat()})
    return draft


def _draft(version_id: int) -> ProgramRuleVersion:
    version = rule_version(version_id)
    if version.status != RuleVersionStatus.DRAFT:
        raise Conflict("已发布的规则版本不能修改，请新建版本")
    return version


DECIDED = (ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE, ApplicationStatus.MATCHED)


@dataclass(frozen=True)
class WhatIfRow:
    district_code: str
    channel: str
    gained: int     # ineligible now, eligible under the draft
    lost: int       # eligible now, ineligible under the draft


def what_if(version_id: int, on: date | None = None) -> list[WhatIfRow]:
    """How many current applications would change eligibility under this draft, per district and
    channel. Both sides are decided on the same day, the rules in force against the draft, so the
    figures show the draft's effect alone (not homes that aged past a limit since they applied)."""
    draft = ProgramRules.from_document(rule_version(version_id).document)
    _, baseline = latest_rules()
    on = on or beijing_today()
    changes: dict[tuple[str, str], list[int]] = {}
    for application in db.session.scalars(select(SwapApplication).where(SwapApplication.status.in_(DECIDED))):
        home = OldHome(application.old_district_code, application.old_build_year, application.old_area_m2,
                       application.old_seized)
        wanted = tuple(application.wanted_districts or ())
        now_eligible = set(decide(home, application.channel_preference, on, baseline, wanted).eligible_channels)
        then_eligible = set(decide(home, application.channel_preference, on, draft, wanted).eligible_channels)
        for channel in channels_for(application.channel_preference):
            before, after = channel in now_eligible, channel in then_eligible
            if before != after:
                counts = changes.setdefault((application.old_district_code, channel), [0, 0])
                counts[0 if after else 1] += 1
    return [WhatIfRow(district, channel, gained, lost)
            for (district, channel), (gained, lost) in sorted(changes.items())]
