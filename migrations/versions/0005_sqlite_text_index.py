"""full-text tables for the embedded search backend on SQLite

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

FTS5 tables with one token per Han character, filled from existing rows. PostgreSQL uses the
trigram indexes of 0004 instead, so this revision does nothing there.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
SOURCES = {
    "community_fts": "SELECT id, name || ' ' || address FROM community",
    "listing_fts": "SELECT id, description FROM listing",
    "project_fts": "SELECT id, name || ' ' || address FROM project",
}


def _spaced(raw):
    return " ".join(HAN.sub(r" \1 ", raw or "").split())


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for table, source in SOURCES.items():
        op.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(body, tokenize = 'unicode61')")
        rows = connection.execute(sa.text(source)).all()
        if rows:
            connection.execute(sa.text(f"INSERT INTO {table}(rowid, body) VALUES (:id, :body)"),
                               [{"id": row_id, "body": _spaced(raw)} for row_id, raw in rows])


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in SOURCES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
