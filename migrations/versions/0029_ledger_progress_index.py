"""a covering index for the progress figures: a year's ledger rows by district, channel, day, pilot, type

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03

The progress report and the yearly summary group one programme year's ledger rows by these
columns; with all of them in one index the database answers from the index without reading
the rows.
"""
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('goal_ledger_entry', schema=None) as batch_op:
        batch_op.create_index('ix_goal_ledger_entry_progress', ['program_year', 'district_code', 'channel',
                                                                 'completed_on', 'pilot', 'entry_type'], unique=False)


def downgrade():
    with op.batch_alter_table('goal_ledger_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_goal_ledger_entry_progress')
