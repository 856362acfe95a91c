"""Keeping Elasticsearch true to the database: outbox drain, full rebuild, drift check."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from elasticsearch import Elasticsearch, helpers
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from ..db.models import SearchOutboxEntry
from .es_backend import ElasticsearchBackend, alias_name
from .es_mapping import MAPPINGS, index_settings
from .query import Kind
from .sources import COLUMNS, SELECTS, document

BATCH = 1000
DEAD_LETTER_AFTER = 10  # failed attempts of one row before it is left aside
KINDS = {"listing": Kind.LISTING, "unit": Kind.UNIT}


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count(SearchOutboxEntry.id)).where(_pending()))


def dead_letter_count(session: Session) -> int:
    """Rows given up on after DEAD_LETTER_AFTER failed attempts (``flask search check`` names them)."""
    return session.scalar(select(func.count(SearchOutboxEntry.id)).where(
        SearchOutboxEntry.processed_at.is_(None), SearchOutboxEntry.attempts >= DEAD_LETTER_AFTER))


def _pending():
    return and_(SearchOutboxEntry.processed_at.is_(None), SearchOutboxEntry.attempts < DEAD_LETTER_AFTER)


def drain_outbox(session: Session, backend: ElasticsearchBackend | None, limit: int = BATCH,
                 refresh: bool = True) -> int:
    """Apply up to ``limit`` pending outbox rows; returns how many were processed.

    With the SQL backend there is no index to update, so rows are simply marked processed.
    ``refresh`` makes the changes searchable at once; the per-request push leaves that to the
    index's own refresh interval (about a second) so busy writes do not force a refresh each.
    Rows are claimed with ``FOR UPDATE SKIP LOCKED``, so several drainers share the work. When a
    batch fails, its rows are tried one by one, so one document Elasticsearch rejects cannot hold
    back the others: that row alone counts a failed attempt, and after DEAD_LETTER_AFTER it is
    left aside (a dead letter). When every row fails (the cluster is down) the rows stay pending
    with the error noted and the first error propagates to the caller.
    """
    entries = list(session.scalars(select(SearchOutboxEntry).where(_pending())
                                   .order_by(SearchOutboxEntry.id).limit(limit)
                                   .with_for_update(skip_locked=True)))
    if not entries:
        return 0
    try:
        _apply_entries(session, backend, entries, refresh)
    except Exception as error:
        session.rollback()
        if len(entries) == 1:
            _note_failure(session, [entries[0].id], error)
            raise
        return _one_by_one(session, backend, [entry.id for entry in entries], refresh, error)
    _mark_processed(session, entries)
    return len(entries)


def _apply_entries(session: Session, backend: ElasticsearchBackend | None, entries: list[SearchOutboxEntry],
                   refresh: bool) -> None:
    if backend is None:
        return
    for entity_type, kind in KINDS.items():
        ids = {e.entity_id for e in entries if e.entity_type == entity_type}
        if ids:
            _apply(session, backend, kind, ids, refresh)


def _one_by_one(session: Session, backend: ElasticsearchBackend | None, entry_ids: list[int], refresh: bool,
                batch_error: Exception) -> int:
    processed = 0
    for entry_id in entry_ids:
        entry = session.scalars(select(SearchOutboxEntry).where(SearchOutboxEntry.id == entry_id, _pending())
                                .with_for_update(skip_locked=True)).first()
        if entry is None:
            session.rollback()
            continue
        try:
            _apply_entries(session, backend, [entry], refresh)
        except Exception as error:
            session.rollback()
            _note_failure(session, [entry_id], error)
            continue
        _mark_processed(session, [entry])
        processed += 1
    if not processed:
        raise batch_error
    return processed


def _mark_processed(session: Session, entries: list[SearchOutboxEntry]) -> None:
    now = datetime.now(UTC)
    for entry in entries:
        entry.processed_at = now
    session.commit()


def _apply(session: Session, backend: ElasticsearchBackend, kind: Kind, ids: set[int], refresh: bool) -> None:
    columns = COLUMNS[kind]
    rows = {row.id: row for row in session.execute(SELECTS[kind]().where(columns.id.in_(ids)))}
    upserts, deletes = [], []
    for entity_id in ids:
        row = rows.get(entity_id)
        if row is not None and str(row.status) == columns.public_status:
            upserts.append((row.id, row.version, document(kind, row)))
        elif row is not None:
            deletes.append((row.id, row.version))
    backend.write(kind, upserts, deletes)
    if refresh:
        backend.client.indices.refresh(index=alias_name(backend.prefix, kind))


def _note_failure(session: Session, entry_ids: list[int], error: Exception) -> None:
    session.execute(update(SearchOutboxEntry).where(SearchOutboxEntry.id.in_(entry_ids))
                    .values(attempts=SearchOutboxEntry.attempts + 1, last_error=str(error)[:500]))
    session.commit()


# ----- full rebuild behind an alias --------------------------------------------------------------

def reindex(session: Session, backend: ElasticsearchBackend, kind: Kind,
            progress: Callable[[int], None] = lambda n: None) -> int:
    """Build a new index from the database, switch the alias to it in one step, then catch up.

    Writes go on while the new index loads: the outbox applies them through the alias, which still
    names the old index, so they would be lost with it. After the switch, every document the new
    index holds at another version than its row (or holds wrongly, or lacks) is written again from
    the database; from then on the outbox writes through the alias to the new index.
    """
    client, prefix = backend.client, backend.prefix
    alias, new_index = alias_name(prefix, kind), _new_index_name(prefix, kind)
    # Loaded without replicas or refreshes (faster), then given both before the alias moves.
    client.indices.create(index=new_index, mappings=MAPPINGS[kind],
                          settings={**index_settings(backend.shards, 0), "refresh_interval": "-1"})
    columns = COLUMNS[kind]
    selection = SELECTS[kind]().where(columns.status == columns.public_status).order_by(columns.id)
    count = 0
    batch: list[tuple[int, int, dict]] = []
    for row in session.execute(selection.execution_options(yield_per=BATCH)):
        batch.append((row.id, row.version, document(kind, row)))
        if len(batch) == BATCH:
            backend.write(kind, batch, [], index=new_index)
            count += len(batch)
            progress(len(batch))
            batch = []
    if batch:
        backend.write(kind, batch, [], index=new_index)
        count += len(batch)
        progress(len(batch))
    client.indices.put_settings(index=new_index,
                                settings={"refresh_interval": "1s", "number_of_replicas": backend.replicas})
    client.indices.refresh(index=new_index)
    _switch_alias(client, alias, new_index)
    _catch_up(session, backend, kind)
    return count


def _catch_up(session: Session, backend: ElasticsearchBackend, kind: Kind) -> None:
    session.rollback()  # a fresh snapshot: the rows as they are after the switch
    drift = check(session, backend, kind)
    if not drift.clean:
        _apply(session, backend, kind, {*drift.missing, *drift.extra, *drift.stale}, refresh=True)
    session.rollback()


def _new_index_name(prefix: str, kind: Kind) -> str:
    return f"{alias_name(prefix, kind)}_{datetime.now(UTC):%Y%m%d%H%M%S%f}"


def _switch_alias(client: Elasticsearch, alias: str, new_index: str) -> None:
    old = list(client.indices.get_alias(name=alias)) if client.indices.exists_alias(name=alias) else []
    actions = [{"remove": {"index": index, "alias": alias}} for index in old]
    actions.append({"add": {"index": new_index, "alias": alias}})
    client.indices.update_aliases(actions=actions)
    for index in old:
        client.indices.delete(index=index)


# ----- drift ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Drift:
    kind: Kind
    missing: list[int]   # public in the database, absent from the index
    extra: list[int]     # in the index, not public in the database
    stale: list[int]     # in both, but the index holds an older version than the database

    @property
    def clean(self) -> bool:
        return not self.missing and not self.extra and not self.stale


def check(session: Session, backend: ElasticsearchBackend, kind: Kind) -> Drift:
    """Ids and versions: a document the index holds at an older version than its row is drift too."""
    in_database = _public_versions(session, kind)
    in_index = {int(hit["_id"]): hit["_version"] for hit in helpers.scan(
        backend.client, index=alias_name(backend.prefix, kind), query={"query": {"match_all": {}}},
        _source=False, size=BATCH, version=True)}
    stale = sorted(entity_id for entity_id, version in in_index.items()
                   if entity_id in in_database and version < in_database[entity_id])
    return Drift(kind, sorted(in_database.keys() - in_index.keys()), sorted(in_index.keys() - in_database.keys()),
                 stale)


def public_count(session: Session, kind: Kind) -> int:
    columns = COLUMNS[kind]
    selection = SELECTS[kind]().with_only_columns(func.count()).where(columns.status == columns.public_status)
    return session.scalar(selection)


def _public_versions(session: Session, kind: Kind) -> dict[int, int]:
    columns = COLUMNS[kind]
    selection = SELECTS[kind]().with_only_columns(columns.id, columns.version).where(
        columns.status == columns.public_status)
    return {entity_id: version for entity_id, version in session.execute(selection)}
