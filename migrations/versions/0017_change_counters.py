"""change counters bumped by triggers in the changing transaction (cache invalidation that every
app machine sees, without trusting clocks)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 01:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

SHARDS = 8
# Frozen here as of this revision (housing_swap/db/models/change_counters.py keeps the live list).
WATCHED_TABLES = {
    "new_homes": ("project", "building", "unit"),
    "applications": ("swap_application",),
    "valuation_evidence": ("recorded_sale", "listing", "community"),
}
OPERATIONS = ("INSERT", "UPDATE", "DELETE")

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION bump_change_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_counter (topic, shard, changes)
    VALUES (TG_ARGV[0], floor(random() * {SHARDS})::int, 1)
    ON CONFLICT (topic, shard) DO UPDATE SET changes = change_counter.changes + 1;
    RETURN NULL;
END
$$
"""


def upgrade():
    op.create_table(
        'change_counter',
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('shard', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('changes', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('topic', 'shard', name=op.f('pk_change_counter')),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(POSTGRES_FUNCTION)
    for topic, tables in WATCHED_TABLES.items():
        for table in tables:
            if postgres:
                # Once per statement: a bulk import of thousands of rows bumps once.
                op.execute(f"CREATE TRIGGER change_counter_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                           f"FOR EACH STATEMENT EXECUTE FUNCTION bump_change_counter('{topic}')")
                continue
            for operation in OPERATIONS:  # SQLite has row triggers only
                op.execute(
                    f"CREATE TRIGGER change_counter_{table}_{operation.lower()} AFTER {operation} ON {table} "
                    f"BEGIN INSERT INTO change_counter (topic, shard, changes) "
                    f"VALUES ('{topic}', abs(random()) % {SHARDS}, 1) "
                    f"ON CONFLICT (topic, shard) DO UPDATE SET changes = changes + 1; END")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for tables in WATCHED_TABLES.values():
        for table in tables:
            if postgres:
                op.execute(f"DROP TRIGGER change_counter_{table} ON {table}")
            else:
                for operation in OPERATIONS:
                    op.execute(f"DROP TRIGGER change_counter_{table}_{operation.lower()}")
    if postgres:
        op.execute("DROP FUNCTION bump_change_counter()")
    op.drop_table('change_counter')
