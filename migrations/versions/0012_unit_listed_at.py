"""units' listing time: saved searches for new-build units alert on units published since

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 02:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # Units already on the platform count as published now: no alert will call them new.
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_at', sa.DateTime(timezone=True), nullable=False,
                                      server_default=sa.func.now()))
        batch_op.create_index('ix_unit_listed_at', ['listed_at'])


def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_listed_at')
        batch_op.drop_column('listed_at')
