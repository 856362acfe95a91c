"""two-person reversals: a reversal is requested by one bureau user and approved by another

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

SWAP_STATES = ('recorded', 'verified', 'rejected', 'cancelled')


def _swap_status_check(states: tuple[str, ...]) -> None:
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_market_swap_market_swap_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_market_swap_market_swap_status'),
                                         "status IN (" + ", ".join(f"'{s}'" for s in states) + ")")


def upgrade():
    op.create_table(
        'ledger_reversal_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('document_filename', sa.String(length=200), nullable=False),
        sa.Column('document_content_type', sa.String(length=64), nullable=False),
        sa.Column('document_sha256', sa.String(length=64), nullable=False),
        sa.Column('document_content', sa.LargeBinary(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='reversal_request_status',
                                    native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('requested_by_user_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_user_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('reversal_entry_id', sa.Integer(), nullable=True),
        sa.Column('unit_settlement', sa.Enum('pending', 'sale_undone', 'sale_stands', name='unit_settlement',
                                             native_enum=False, create_constraint=True, length=32), nullable=True),
        sa.Column('settled_by_user_id', sa.Integer(), nullable=True),
        sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('decided_by_user_id IS NULL OR decided_by_user_id != requested_by_user_id',
                           name=op.f('ck_ledger_reversal_request_two_people')),
        sa.ForeignKeyConstraint(['decided_by_user_id'], ['user_account.id'],
                                name=op.f('fk_ledger_reversal_request_decided_by_user_id_user_account')),
        sa.ForeignKeyConstraint(['entry_id'], ['goal_ledger_entry.id'],
                                name=op.f('fk_ledger_reversal_request_entry_id_goal_ledger_entry')),
        sa.ForeignKeyConstraint(['requested_by_user_id'], ['user_account.id'],
                                name=op.f('fk_ledger_reversal_request_requested_by_user_id_user_account')),
        sa.ForeignKeyConstraint(['reversal_entry_id'], ['goal_ledger_entry.id'],
                                name=op.f('fk_ledger_reversal_request_reversal_entry_id_goal_ledger_entry')),
        sa.ForeignKeyConstraint(['settled_by_user_id'], ['user_account.id'],
                                name=op.f('fk_ledger_reversal_request_settled_by_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_reversal_request')),
    )
    with op.batch_alter_table('ledger_reversal_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_reversal_request_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('uq_ledger_reversal_request_open', ['entry_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))
    _swap_status_check(SWAP_STATES + ('reversed',))


def downgrade():
    op.execute("UPDATE market_swap SET status = 'cancelled' WHERE status = 'reversed'")
    _swap_status_check(SWAP_STATES)
    with op.batch_alter_table('ledger_reversal_request', schema=None) as batch_op:
        batch_op.drop_index('uq_ledger_reversal_request_open')
        batch_op.drop_index(batch_op.f('ix_ledger_reversal_request_entry_id'))
    op.drop_table('ledger_reversal_request')
