"""trigram indexes for substring search on PostgreSQL

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

The SQL search backend matches text with ILIKE '%…%'. On PostgreSQL, pg_trgm GIN indexes
let queries of three or more characters use an index (C.UTF-8 clusters produce trigrams for
Chinese text too); shorter queries scan. SQLite has no equivalent index for infix LIKE, so
this revision does nothing there.
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TRIGRAM_INDEXES = {
    "ix_community_name_trgm": ("community", "name"),
    "ix_community_address_trgm": ("community", "address"),
    "ix_listing_description_trgm": ("listing", "description"),
    "ix_project_name_trgm": ("project", "name"),
    "ix_project_address_trgm": ("project", "address"),
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
