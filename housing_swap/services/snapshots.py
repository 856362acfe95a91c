"""In-process snapshots of read-mostly data (the valuation model, the unit and buyer tables).

A snapshot is keyed on the change counters of the tables it reads (``db/models/change_counters``):
triggers bump them in the same transaction as any change, so when a change commits through any
app machine, every machine's next read sees the key move and rebuilds. The counters are read
before the data, so a snapshot may at worst be rebuilt once more than needed, never kept stale.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy import func, select

from ..db.models import ChangeCounter
from ..extensions import db

T = TypeVar("T")
_lock = threading.Lock()


def snapshot(name: str, topics: tuple[str, ...], build: Callable[[], T], *, also: Hashable = None) -> T:
    """The snapshot ``name`` of the data behind ``topics`` (and ``also``, e.g. the valuation day)."""
    key = (change_marks(topics), also)
    store = current_app.extensions.setdefault("snapshots", {})
    held = store.get(name)
    if held is not None and held[0] == key:
        return held[1]
    with _lock:
        value = build()
        store[name] = (key, value)
    return value


def change_marks(topics: tuple[str, ...]) -> tuple[int, ...]:
    """Each topic's total of changes so far (0 before its first change)."""
    totals = dict(db.session.execute(
        select(ChangeCounter.topic, func.sum(ChangeCounter.changes))
        .where(ChangeCounter.topic.in_(topics)).group_by(ChangeCounter.topic)).all())
    return tuple(int(totals.get(topic) or 0) for topic in topics)
