"""Change counters: how often each group of read-mostly tables has changed.

Database triggers (migration 0017) add one to a counter in the same transaction as every insert,
update or delete of a watched table, however it is written (ORM, bulk Core statements, psql).
App machines keep in-process snapshots of these tables and rebuild one when its counters' sum
moves, so a change committed through one machine is seen by every other on its next read,
without trusting any machine's clock. Each topic has several shard rows, one picked at random
per change, so concurrent writers seldom wait on the same row.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base

SHARDS = 8

NEW_HOMES = "new_homes"
APPLICATIONS = "applications"
VALUATION_EVIDENCE = "valuation_evidence"

# The tables each topic watches; migration 0017 installs a trigger on each (the same lists).
WATCHED_TABLES = {
    NEW_HOMES: ("project", "building", "unit"),
    APPLICATIONS: ("swap_application",),
    VALUATION_EVIDENCE: ("recorded_sale", "listing", "community"),
}


class ChangeCounter(Base):
    __tablename__ = "change_counter"

    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    changes: Mapped[int] = mapped_column(BigInteger, default=0)
