"""login protection

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_bucket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_limit_bucket')),
    sa.UniqueConstraint('key', 'window_start', name=op.f('uq_rate_limit_bucket_key_window_start'))
    )
    with op.batch_alter_table('rate_limit_bucket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_bucket_window_start'), ['window_start'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_login_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_login_count')

    with op.batch_alter_table('rate_limit_bucket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_bucket_window_start'))

    op.drop_table('rate_limit_bucket')
