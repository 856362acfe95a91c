"""In-process snapshots of read-mostly data (the valuation model, the unit and buyer tables).

Each snapshot is rebuilt when its fingerprint, a cheap aggregate query over the tables it
reads, changes; so every worker serves current data without a shared cache, and a write in
one worker is seen by the others on their next request.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import Select

from ..extensions import db

T = TypeVar("T")
_lock = threading.Lock()


def snapshot(name: str, fingerprint: Select, build: Callable[[], T]) -> T:
    key = tuple(db.session.execute(fingerprint).one())
    store = current_app.extensions.setdefault("snapshots", {})
    held = store.get(name)
    if held is not None and held[0] == key:
        return held[1]
    with _lock:
        value = build()
        store[name] = (key, value)
    return value
