"""Reading the program rule set in force."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..db.base import utcnow
from ..db.models import ApplicationStatus, ProgramRuleVersion, RuleVersionStatus, SwapApplication, User
from ..domain.applications import OldHome, channels_for, decide
from ..domain.fields import parse_fields
from ..domain.rules import RULE_FIELDS, ProgramRules, rule_problems, rules_from_values
from ..extensions import db
from .audit import record_event
from .errors import Conflict, NotFound, ValidationFailed, flush_or_conflict


def current_rules(on: date | None = None) -> tuple[ProgramRuleVersion, ProgramRules]:
    """The newest published version effective on ``on`` (today by default)."""
    on = on or date.today()
    version = db.session.scalar(
        select(ProgramRuleVersion)
        .where(ProgramRuleVersion.status == RuleVersionStatus.PUBLISHED,
               ProgramRuleVersion.effective_from <= on)
        .order_by(ProgramRuleVersion.effective_from.desc(), ProgramRuleVersion.version.desc())
        .limit(1)
    )
    if version is None:
        raise NotFound("尚未发布任何项目规则，请先运行 flask reference load")
    return version, ProgramRules.from_document(version.document)


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
    if errors:
        raise ValidationFailed("规则内容有误", errors)
    return values, rules


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
    db.session.commit()
    return draft


def update_draft(version_id: int, raw: dict, user: User) -> ProgramRuleVersion:
    draft = _draft(version_id)
    values, rules = _parsed_rules(raw)
    before = draft.document
    draft.name, draft.effective_from, draft.document = values["name"], values["effective_from"], rules.to_document()
    record_event("rules.update_draft", "program_rule_version", draft.id, actor=user, before=before,
                 after=draft.document)
    db.session.commit()
    return draft


def publish(version_id: int, user: User) -> ProgramRuleVersion:
    draft = _draft(version_id)
    draft.status, draft.published_at = RuleVersionStatus.PUBLISHED, utcnow()
    record_event("rules.publish", "program_rule_version", draft.id, actor=user,
                 after={"version": draft.version, "effective_from": draft.effective_from.isoformat()})
    db.session.commit()
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
    """How many current applications would change eligibility under this draft, per district and channel."""
    draft = ProgramRules.from_document(rule_version(version_id).document)
    on = on or date.today()
    changes: dict[tuple[str, str], list[int]] = {}
    for application in db.session.scalars(select(SwapApplication).where(SwapApplication.status.in_(DECIDED))):
        now_eligible = set(application.eligible_channels or [])
        home = OldHome(application.old_district_code, application.old_build_year, application.old_area_m2,
                       application.old_seized)
        then_eligible = set(decide(home, application.channel_preference, on, draft).eligible_channels)
        for channel in channels_for(application.channel_preference):
            before, after = channel in now_eligible, channel in then_eligible
            if before != after:
                counts = changes.setdefault((application.old_district_code, channel), [0, 0])
                counts[0 if after else 1] += 1
    return [WhatIfRow(district, channel, gained, lost)
            for (district, channel), (gained, lost) in sorted(changes.items())]

