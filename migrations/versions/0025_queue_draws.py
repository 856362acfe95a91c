"""published lotteries for the order of city-group places: commitment, sealed seed, entrants, drawn order

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 07:48:44

A partial unique index keeps one committed, not yet drawn lottery per programme year.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_draw',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_year', sa.Integer(), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=255), nullable=False),
    sa.Column('entrants', sa.JSON(), nullable=False),
    sa.Column('drawn_order', sa.JSON(), nullable=True),
    sa.Column('committed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('committed_by', sa.Integer(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('drawn_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['committed_by'], ['user_account.id'], name=op.f('fk_queue_draw_committed_by_user_account')),
    sa.ForeignKeyConstraint(['drawn_by'], ['user_account.id'], name=op.f('fk_queue_draw_drawn_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_draw'))
    )
    with op.batch_alter_table('queue_draw', schema=None) as batch_op:
        batch_op.create_index('uq_queue_draw_open', ['program_year'], unique=True, sqlite_where=sa.text('drawn_at IS NULL'), postgresql_where=sa.text('drawn_at IS NULL'))



def downgrade():
    with op.batch_alter_table('queue_draw', schema=None) as batch_op:
        batch_op.drop_index('uq_queue_draw_open', sqlite_where=sa.text('drawn_at IS NULL'), postgresql_where=sa.text('drawn_at IS NULL'))

    op.drop_table('queue_draw')
