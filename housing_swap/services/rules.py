"""Reading the program rule set in force."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..db.models import ProgramRuleVersion, RuleVersionStatus
from ..domain.rules import ProgramRules
from ..extensions import db
from .errors import NotFound


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
