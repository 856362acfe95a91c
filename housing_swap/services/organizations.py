"""Organizations taking part in the platform."""
from __future__ import annotations

from sqlalchemy import select

from ..db.models import Organization
from ..extensions import db


def list_organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.id)))
