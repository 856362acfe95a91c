"""Property identity: which identifiers name which home.

A home may be typed by its certificate number (不动产权证号, which changes when the home changes
hands) or by its real-estate unit code (不动产单元号, which does not). Each identifier ever seen is
kept here as a keyed hash of its canonical spelling, mapped to one property key; every table
that refers to a home stores that key, so the same home under two identifiers, or two
spellings, is one home to every uniqueness rule and every count.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UTCDateTime, enum_type, utcnow


class IdentifierKind(enum.StrEnum):
    CERTIFICATE = "certificate"
    UNIT_CODE = "unit_code"


class PropertyIdentifier(Base):
    __tablename__ = "property_identifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IdentifierKind] = mapped_column(enum_type(IdentifierKind, "identifier_kind"))
    value_hash: Mapped[str] = mapped_column(String(64), unique=True)
    property_key: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdentityCollision(Base):
    """Two rows found to name one home when their identifiers were canonicalised (migration
    0013). They were not merged: the bureau decides which one stands."""

    __tablename__ = "identity_collision"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int]
    other_row_id: Mapped[int]
    property_key: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
