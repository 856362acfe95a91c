"""the SQLite text index of the search rows gains each home's district code

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03

A word searched within districts becomes one query of the text index (the word's phrase and the
districts' codes), instead of every home in the city that has the word. An FTS5 table takes no
new column, so each is rebuilt: a new table filled from the old one and the search rows, then
renamed. PostgreSQL matches words in the search row itself and is not changed.
"""
from alembic import op

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None

TABLES = ('listing_search', 'unit_search')
TEXTS = 'name, address, description'


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        _rebuild(table, f'{TEXTS}, district',
                 f'SELECT t.rowid, t.name, t.address, t.description, r.district_code '
                 f'FROM {table}_fts AS t JOIN {table} AS r ON r.id = t.rowid')


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        _rebuild(table, TEXTS, f'SELECT rowid, {TEXTS} FROM {table}_fts')


def _rebuild(table: str, columns: str, rows: str) -> None:
    op.execute(f"CREATE VIRTUAL TABLE {table}_fts_new USING fts5({columns}, tokenize = 'unicode61')")
    op.execute(f'INSERT INTO {table}_fts_new(rowid, {columns}) {rows}')
    op.execute(f'DROP TABLE {table}_fts')
    op.execute(f'ALTER TABLE {table}_fts_new RENAME TO {table}_fts')
