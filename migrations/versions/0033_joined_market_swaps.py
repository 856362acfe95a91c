"""a joined home's market swap may name its lead's new home

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03

``market_swap.joined_purchase`` marks a swap whose new home is the lead application's purchase;
the live unit and purchase-contract indexes hold only swaps with a purchase of their own, so the
lead's swap still holds its unit and contract once.
"""
import sqlalchemy as sa
from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

LIVE = "status IN ('recorded', 'verified')"
LIVE_OWN_PURCHASE = "status IN ('recorded', 'verified') AND NOT joined_purchase"
INDEXES = (("uq_market_swap_live_unit", "new_unit_id"),
           ("uq_market_swap_live_purchase_contract", "new_purchase_contract_number"))


def _recreate(predicate: str) -> None:
    for name, column in INDEXES:
        op.drop_index(name, table_name='market_swap')
        op.create_index(name, 'market_swap', [column], unique=True,
                        sqlite_where=sa.text(predicate), postgresql_where=sa.text(predicate))


def upgrade():
    op.add_column('market_swap', sa.Column('joined_purchase', sa.Boolean(), server_default=sa.false(),
                                           nullable=False))
    _recreate(LIVE_OWN_PURCHASE)


def downgrade():
    _recreate(LIVE)
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.drop_column('joined_purchase')
