"""Writing search-outbox rows in the same transaction as a searchable change."""
from __future__ import annotations

from flask import g, has_request_context

from ..db.base import insert_rows
from ..db.models import SearchOutboxEntry
from ..extensions import db


def enqueue(entity_type: str, entity_id: int, entity_version: int) -> None:
    db.session.add(SearchOutboxEntry(entity_type=entity_type, entity_id=entity_id,
                                     entity_version=entity_version))
    _note_dirty()


def enqueue_many(entity_type: str, versions: list[tuple[int, int]]) -> None:
    """One outbox row per (id, version), in one bulk insert (for imports)."""
    if versions:
        insert_rows(db.session, SearchOutboxEntry, [
            {"entity_type": entity_type, "entity_id": entity_id, "entity_version": version}
            for entity_id, version in versions])
        _note_dirty()


def _note_dirty() -> None:
    if has_request_context():
        g.search_outbox_dirty = True  # pushed to the index after the response is built
