"""search by full pinyin as well as initials: search_initials becomes search_pinyin

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 07:10:00

Communities and projects keep their pinyin keys — initials and full pinyin of the name and its
district, "jxhy jsq jinxiuhuayuan jinshuiqu" — so a Latin-letter word matches inside them. On
PostgreSQL a trigram index serves that ``LIKE '%…%'``. Elasticsearch documents carry the keys in
a renamed field: run ``flask search reindex`` after this upgrade.
"""
import sqlalchemy as sa
from alembic import op
from pypinyin import Style, lazy_pinyin

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

TABLES = ("community", "project")


def upgrade():
    for table in TABLES:
        _rename(table, 'search_initials', 'search_pinyin', sa.String(length=600))
    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"CREATE INDEX ix_{table}_search_pinyin_trgm ON {table} USING gin (search_pinyin gin_trgm_ops)")


def _rename(table, old, new, type_):
    """On SQLite a batch copy of the table drops its triggers (the change counters of 0017), so
    they are read first and created again on the new table."""
    connection = op.get_bind()
    triggers = []
    if connection.dialect.name == "sqlite":
        triggers = connection.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                              "AND tbl_name = :table"), {"table": table}).scalars().all()
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(old, new_column_name=new, type_=type_, existing_nullable=False,
                              existing_server_default='')
    for trigger in triggers:
        op.execute(trigger)


def _letters(text, style):
    syllables = (syllable.lower() for syllable in lazy_pinyin(text, style=style))
    return ["".join(ch for ch in syllable if ch.isascii() and ch.isalpha()) for syllable in syllables]


def _keys(name, district_name):
    """The keys as this revision wrote them (search.text_terms.pinyin_keys at the time)."""
    parts = (name, district_name)
    keys = ["".join(s[:1] for s in _letters(part, Style.FIRST_LETTER)) for part in parts]
    keys += ["".join(_letters(part, Style.NORMAL)) for part in parts]
    return " ".join(key for key in keys if key)[:600]


def _backfill():
    connection = op.get_bind()
    districts = dict(connection.execute(sa.text("SELECT code, name FROM district")).all())
    for table in TABLES:
        rows = connection.execute(sa.text(f"SELECT id, name, district_code FROM {table}")).all()
        values = [{"id": row_id, "keys": _keys(name, districts.get(code, ""))} for row_id, name, code in rows]
        for start in range(0, len(values), 1000):
            connection.execute(sa.text(f"UPDATE {table} SET search_pinyin = :keys WHERE id = :id"),
                               values[start:start + 1000])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP INDEX ix_{table}_search_pinyin_trgm")
    for table in TABLES:
        op.execute(f"UPDATE {table} SET search_pinyin = substr(search_pinyin, 1, 120)")
        _rename(table, 'search_pinyin', 'search_initials', sa.String(length=120))
