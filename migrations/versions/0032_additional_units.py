"""a further new home bought with the same old home: one old home, two new ones

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('acquisition_additional_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acquisition_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('purchase_contract_number', sa.String(length=64), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('purchased_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acquisition_id'], ['acquisition.id'], name=op.f('fk_acquisition_additional_unit_acquisition_id_acquisition')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], name=op.f('fk_acquisition_additional_unit_recorded_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_acquisition_additional_unit_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acquisition_additional_unit')),
    sa.UniqueConstraint('purchase_contract_number', name=op.f('uq_acquisition_additional_unit_purchase_contract_number')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_acquisition_additional_unit_unit_id'))
    )
    with op.batch_alter_table('acquisition_additional_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acquisition_additional_unit_acquisition_id'), ['acquisition_id'], unique=False)



def downgrade():
    with op.batch_alter_table('acquisition_additional_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acquisition_additional_unit_acquisition_id'))

    op.drop_table('acquisition_additional_unit')
