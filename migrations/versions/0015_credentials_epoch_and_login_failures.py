"""credentials epoch (API tokens end with a password change, reset, disabling or suspension) and
sign-in failures per account and client address

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credentials_epoch', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credentials_epoch', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('client_address', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('lockouts', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_login_failure_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure')),
        sa.UniqueConstraint('user_id', 'client_address', name=op.f('uq_login_failure_user_id_client_address')),
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_user_id'))
    op.drop_table('login_failure')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('credentials_epoch')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('credentials_epoch')
