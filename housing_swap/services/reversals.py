"""Reversing a count from the ledger's side: the swap behind it is cancelled with the reason, so
the ledger, the acquisition or market swap, and the application never disagree."""
from __future__ import annotations

from sqlalchemy import select

from ..db.models import GoalLedgerEntry, LedgerEntryType, Role, User
from ..extensions import db
from . import acquisitions, market_swaps
from .errors import Forbidden, NotFound


def reverse_counted_swap(entry_id: int, reason: str, actor: User) -> GoalLedgerEntry:
    if actor.role != Role.BUREAU_ADMIN:
        raise Forbidden("只有住房保障局可以撤销计数")
    entry = db.session.get(GoalLedgerEntry, entry_id)
    if entry is None or entry.entry_type != LedgerEntryType.COUNT:
        raise NotFound("台账计数记录不存在")
    if entry.acquisition_id is not None:
        acquisitions.cancel(entry.acquisition_id, reason, actor)
    else:
        market_swaps.cancel_swap(entry.market_swap_id, reason, actor)
    return db.session.scalar(select(GoalLedgerEntry).where(GoalLedgerEntry.reverses_entry_id == entry_id))
