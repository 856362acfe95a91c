"""goal ledger claims: one live count per property and year, one per new unit (backfilled)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 15:05:14.829050

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('goal_ledger_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('property_hash', sa.String(length=64), nullable=False),
    sa.Column('program_year', sa.Integer(), nullable=False),
    sa.Column('new_unit_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['goal_ledger_entry.id'], name=op.f('fk_goal_ledger_claim_entry_id_goal_ledger_entry')),
    sa.ForeignKeyConstraint(['new_unit_id'], ['unit.id'], name=op.f('fk_goal_ledger_claim_new_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_ledger_claim')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_goal_ledger_claim_entry_id')),
    sa.UniqueConstraint('new_unit_id', name=op.f('uq_goal_ledger_claim_new_unit_id')),
    sa.UniqueConstraint('property_hash', 'program_year', name=op.f('uq_goal_ledger_claim_property_hash_program_year'))
    )
    op.execute(
        "INSERT INTO goal_ledger_claim (property_hash, program_year, new_unit_id, entry_id) "
        "SELECT e.property_hash, e.program_year, e.new_unit_id, e.id FROM goal_ledger_entry e "
        "WHERE e.entry_type = 'count' AND NOT EXISTS "
        "(SELECT 1 FROM goal_ledger_entry r WHERE r.reverses_entry_id = e.id)"
    )


def downgrade():
    op.drop_table('goal_ledger_claim')
