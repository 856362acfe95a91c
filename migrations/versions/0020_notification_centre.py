"""notification centre: kinds, each user's channel choices, and one delivery outbox for mail and SMS

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 07:45:00

``email_outbox`` is dropped: nothing ever sent from it (no sender existed before this revision),
and its rows carry no link to a notification. The notifications themselves stay, as kind
``saved_search`` (the only writer of that table) or ``account_security`` (login protection).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

ONCE = sa.text("once_key IS NOT NULL")


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=False, server_default='saved_search'))
        batch_op.add_column(sa.Column('once_key', sa.String(length=80), nullable=True))
    op.execute("UPDATE notification SET kind = 'account_security' WHERE title = '账户登录保护提醒'")
    op.create_index('uq_notification_once', 'notification', ['user_id', 'kind', 'once_key'], unique=True,
                    sqlite_where=ONCE, postgresql_where=ONCE)
    op.create_table(
        'notification_preference',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_notification_preference_user_id_user_account')),
        sa.PrimaryKeyConstraint('user_id', 'kind', 'channel', name=op.f('pk_notification_preference')),
    )
    op.create_table(
        'notification_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('state', sa.Enum('pending', 'sent', 'failed', 'skipped', name='delivery_state',
                                   native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id'],
                                name=op.f('fk_notification_delivery_notification_id_notification')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_delivery')),
    )
    op.create_index('ix_notification_delivery_due', 'notification_delivery', ['state', 'next_attempt_at'])
    op.create_index(op.f('ix_notification_delivery_notification_id'), 'notification_delivery', ['notification_id'])
    op.drop_table('email_outbox')


def downgrade():
    op.create_table(
        'email_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=200), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_outbox')),
    )
    op.drop_index(op.f('ix_notification_delivery_notification_id'), table_name='notification_delivery')
    op.drop_index('ix_notification_delivery_due', table_name='notification_delivery')
    op.drop_table('notification_delivery')
    op.drop_table('notification_preference')
    op.drop_index('uq_notification_once', table_name='notification')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('once_key')
        batch_op.drop_column('kind')
