"""Loading reference data: districts and the first program rule set. Idempotent."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..db.base import utcnow
from ..db.models import District, ProgramRuleVersion, RuleVersionStatus
from ..domain.districts import ZHENGZHOU_DISTRICTS
from ..domain.rules import initial_rules
from ..extensions import db
from .audit import record_event
from .unit_of_work import use_case

INITIAL_RULES_EFFECTIVE = date(2024, 1, 1)


@use_case
def load_reference_data() -> dict[str, int]:
    """Insert missing districts and, if there is none, the initial rule set; commit once."""
    added_districts = _add_missing_districts()
    added_rules = _add_initial_rules()
    if added_districts or added_rules:
        record_event("reference.load", "reference", None,
                     after={"districts": added_districts, "rule_versions": added_rules})
    return {"districts": added_districts, "rule_versions": added_rules}


def _add_missing_districts() -> int:
    existing = set(db.session.scalars(select(District.code)))
    missing = [d for d in ZHENGZHOU_DISTRICTS if d.code not in existing]
    db.session.add_all(
        District(code=d.code, name=d.name, main_urban=d.main_urban, pilot=d.pilot,
                 lat=d.lat, lon=d.lon, approximate_centre=d.approximate_centre)
        for d in missing
    )
    return len(missing)


def _add_initial_rules() -> int:
    if db.session.scalar(select(ProgramRuleVersion.id).limit(1)) is not None:
        return 0
    db.session.add(ProgramRuleVersion(
        version=1,
        name="2024年卖旧买新规则（首版，依据公开报道）",
        effective_from=INITIAL_RULES_EFFECTIVE,
        document=initial_rules().to_document(),
        status=RuleVersionStatus.PUBLISHED,
        published_at=utcnow(),
    ))
    return 1
