"""viewing requests (预约看房): requests with their proposed times, their history, blocked requesters

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 15:19:18

A partial unique index keeps one open request per household and listing.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('viewing_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_scope', sa.String(length=30), nullable=False),
    sa.Column('blocked_user_id', sa.Integer(), nullable=False),
    sa.Column('blocked_by_user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['blocked_by_user_id'], ['user_account.id'], name=op.f('fk_viewing_block_blocked_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['blocked_user_id'], ['user_account.id'], name=op.f('fk_viewing_block_blocked_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_viewing_block')),
    sa.UniqueConstraint('owner_scope', 'blocked_user_id', name=op.f('uq_viewing_block_owner_scope_blocked_user_id'))
    )
    op.create_table('viewing_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('requester_user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('awaiting_owner', 'awaiting_household', 'agreed', 'declined', 'withdrawn', 'expired', name='viewing_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('proposed_times', sa.JSON(), nullable=False),
    sa.Column('agreed_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('answer_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_viewing_request_listing_id_listing')),
    sa.ForeignKeyConstraint(['requester_user_id'], ['user_account.id'], name=op.f('fk_viewing_request_requester_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_viewing_request'))
    )
    with op.batch_alter_table('viewing_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_viewing_request_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index('ix_viewing_request_requester_created', ['requester_user_id', 'created_at'], unique=False)
        batch_op.create_index('uq_viewing_request_open', ['listing_id', 'requester_user_id'], unique=True, sqlite_where=sa.text("status IN ('awaiting_owner', 'awaiting_household', 'agreed')"), postgresql_where=sa.text("status IN ('awaiting_owner', 'awaiting_household', 'agreed')"))

    op.create_table('viewing_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('move', sa.String(length=20), nullable=False),
    sa.Column('times', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name=op.f('fk_viewing_event_actor_user_id_user_account')),
    sa.ForeignKeyConstraint(['request_id'], ['viewing_request.id'], name=op.f('fk_viewing_event_request_id_viewing_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_viewing_event'))
    )
    with op.batch_alter_table('viewing_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_viewing_event_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('viewing_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_viewing_event_request_id'))

    op.drop_table('viewing_event')
    with op.batch_alter_table('viewing_request', schema=None) as batch_op:
        batch_op.drop_index('uq_viewing_request_open', sqlite_where=sa.text("status IN ('awaiting_owner', 'awaiting_household', 'agreed')"), postgresql_where=sa.text("status IN ('awaiting_owner', 'awaiting_household', 'agreed')"))
        batch_op.drop_index('ix_viewing_request_requester_created')
        batch_op.drop_index(batch_op.f('ix_viewing_request_listing_id'))

    op.drop_table('viewing_request')
    op.drop_table('viewing_block')
