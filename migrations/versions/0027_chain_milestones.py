"""chain milestones: the day each household's step in an agreed swap chain was done

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 08:37:17
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chain_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('milestone', sa.String(length=20), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['chain_link.id'], name=op.f('fk_chain_milestone_link_id_chain_link')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], name=op.f('fk_chain_milestone_recorded_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_milestone')),
    sa.UniqueConstraint('link_id', 'milestone', name=op.f('uq_chain_milestone_link_id_milestone'))
    )
    with op.batch_alter_table('chain_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chain_milestone_link_id'), ['link_id'], unique=False)



def downgrade():
    with op.batch_alter_table('chain_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chain_milestone_link_id'))

    op.drop_table('chain_milestone')
