"""Programme rule versions and the two channels a swap is counted through."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UTCDateTime, enum_type, utcnow


class RuleVersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ProgramRuleVersion(Base):
    """One immutable version of the program rules; edits make a new version."""

    __tablename__ = "program_rule_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(80))
    effective_from: Mapped[date]
    document: Mapped[dict] = mapped_column(JSON)
    status: Mapped[RuleVersionStatus] = mapped_column(
        enum_type(RuleVersionStatus, "rule_version_status"), default=RuleVersionStatus.DRAFT
    )
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
