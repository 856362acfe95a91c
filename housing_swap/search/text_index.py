"""SQLite full-text index (FTS5) for the embedded search backend.

Each Han character is indexed as its own token (the same idea as Elasticsearch's standard
analyzer), so a phrase query is an indexed substring match for Chinese text of any length,
one- and two-character queries included. Rows are kept current by mapper events in the
same transaction as each ORM change; bulk loads call ``rebuild``. PostgreSQL uses trigram
indexes instead (migration 0004), so everything here is SQLite-only.
"""
from __future__ import annotations

import re

from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from ..db.models import Community, Listing, Project

HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
WORD = re.compile(r"[\w]", re.UNICODE)

# table → (source table, SQL producing (rowid, raw text))
TEXT_TABLES = {
    "community_fts": ("community", "SELECT id, name || ' ' || address FROM community"),
    "listing_fts": ("listing", "SELECT id, description FROM listing"),
    "project_fts": ("project", "SELECT id, name || ' ' || address FROM project"),
}


def spaced(raw: str) -> str:
    """'锦绣花园A座' → '锦 绣 花 园 A座' (Han characters become separate tokens)."""
    return " ".join(HAN.sub(r" \1 ", raw or "").split())


def match_expression(q: str) -> str | None:
    """An FTS5 phrase for ``q``, or None when ``q`` has nothing indexable (use LIKE then)."""
    if not WORD.search(q):
        return None
    return '"' + spaced(q).replace('"', '""') + '"'


def write_row(connection: Connection, table: str, row_id: int, raw: str) -> None:
    connection.execute(text(f"DELETE FROM {table} WHERE rowid = :id"), {"id": row_id})
    connection.execute(text(f"INSERT INTO {table}(rowid, body) VALUES (:id, :body)"),
                       {"id": row_id, "body": spaced(raw)})


def rebuild(connection: Connection) -> None:
    """Refill every text table from its source rows (after bulk loads)."""
    if connection.dialect.name != "sqlite":
        return
    for table, (_, source) in TEXT_TABLES.items():
        connection.execute(text(f"DELETE FROM {table}"))
        rows = connection.execute(text(source)).all()
        if rows:
            connection.execute(text(f"INSERT INTO {table}(rowid, body) VALUES (:id, :body)"),
                               [{"id": row_id, "body": spaced(raw)} for row_id, raw in rows])


def install() -> None:
    """Keep the text tables current on every ORM insert or update (idempotent)."""
    for model, writer in _WRITERS.items():
        for event_name in ("after_insert", "after_update"):
            if not event.contains(model, event_name, writer):
                event.listen(model, event_name, writer)


def index_inserted_row(connection: Connection, target) -> None:
    """Index a row inserted by a Core statement (``INSERT … ON CONFLICT``), which no mapper
    event sees."""
    _WRITERS[type(target)](None, connection, target)


def _writer(table: str, raw_text):
    def write(mapper, connection: Connection, target) -> None:
        if connection.dialect.name == "sqlite":
            write_row(connection, table, target.id, raw_text(target))
    return write


_WRITERS = {
    Community: _writer("community_fts", lambda community: f"{community.name} {community.address}"),
    Listing: _writer("listing_fts", lambda listing: listing.description or ""),
    Project: _writer("project_fts", lambda project: f"{project.name} {project.address}"),
}
