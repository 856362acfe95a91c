"""market swaps of several homes: a joined home's swap may name its lead's new home, and one
sale may buy a second new home

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03

``market_swap.joined_purchase`` marks a swap whose new home is the lead application's purchase;
the live unit and purchase-contract indexes hold only swaps with a purchase of their own, so the
lead's swap still holds its unit and contract once. The ``second_*`` columns hold a second new
home bought with the same sale. On SQLite the references are added with plain ``ADD COLUMN``.
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


SECOND_HOME = (('second_project_name', sa.String(length=80)),
               ('second_purchase_contract_number', sa.String(length=64)),
               ('second_home_price', sa.BigInteger()), ('second_purchase_on', sa.Date()))
SECOND_REFERENCES = (('second_unit_id', 'INTEGER', 'unit (id)', 'fk_market_swap_second_unit_id_unit',
                      sa.Integer(), 'unit', 'id'),
                     ('second_district_code', 'VARCHAR(6)', 'district (code)',
                      'fk_market_swap_second_district_code_district', sa.String(length=6), 'district', 'code'))


def upgrade():
    op.add_column('market_swap', sa.Column('joined_purchase', sa.Boolean(), server_default=sa.false(),
                                           nullable=False))
    _recreate(LIVE_OWN_PURCHASE)
    for name, column_type in SECOND_HOME:
        op.add_column('market_swap', sa.Column(name, column_type, nullable=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, sql_type, target, constraint, column_type, table, column in SECOND_REFERENCES:
        if sqlite:
            op.execute(f"ALTER TABLE market_swap ADD COLUMN {name} {sql_type} CONSTRAINT {constraint} "
                       f"REFERENCES {target}")
        else:
            op.add_column('market_swap', sa.Column(name, column_type, nullable=True))
            op.create_foreign_key(constraint, 'market_swap', table, [name], [column])


def downgrade():
    _recreate(LIVE)
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        for name, *_ in SECOND_REFERENCES:
            batch_op.drop_column(name)
        for name, _ in SECOND_HOME:
            batch_op.drop_column(name)
        batch_op.drop_column('joined_purchase')
