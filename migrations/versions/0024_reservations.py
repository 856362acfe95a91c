"""protected reservations (锁房保留期): a new unit held for a household under a three-party agreement

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 07:25:25

Partial unique indexes keep one hold (proposed, active or carried by the city group) per unit
and per application.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reservation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('household_user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('developer_org_id', sa.Integer(), nullable=False),
    sa.Column('agency_org_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'active', 'city_group', 'converted', 'refunded', 'withdrawn', 'lapsed', name='reservation_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rule_version_id', sa.Integer(), nullable=False),
    sa.Column('hold_days', sa.Integer(), nullable=False),
    sa.Column('acceptance_days', sa.Integer(), nullable=False),
    sa.Column('deposit', sa.BigInteger(), nullable=False),
    sa.Column('refund_percent', sa.Integer(), nullable=False),
    sa.Column('backstop_floor', sa.BigInteger(), nullable=True),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('household_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('household_accepted_by', sa.Integer(), nullable=True),
    sa.Column('developer_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('developer_accepted_by', sa.Integer(), nullable=True),
    sa.Column('agency_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agency_accepted_by', sa.Integer(), nullable=True),
    sa.Column('hold_starts_on', sa.Date(), nullable=True),
    sa.Column('hold_ends_on', sa.Date(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_note', sa.String(length=500), nullable=False),
    sa.Column('refund_amount', sa.BigInteger(), nullable=True),
    sa.Column('market_swap_id', sa.Integer(), nullable=True),
    sa.Column('acquisition_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['acquisition_id'], ['acquisition.id'], name=op.f('fk_reservation_acquisition_id_acquisition')),
    sa.ForeignKeyConstraint(['agency_accepted_by'], ['user_account.id'], name=op.f('fk_reservation_agency_accepted_by_user_account')),
    sa.ForeignKeyConstraint(['agency_org_id'], ['organization.id'], name=op.f('fk_reservation_agency_org_id_organization')),
    sa.ForeignKeyConstraint(['application_id'], ['swap_application.id'], name=op.f('fk_reservation_application_id_swap_application')),
    sa.ForeignKeyConstraint(['developer_accepted_by'], ['user_account.id'], name=op.f('fk_reservation_developer_accepted_by_user_account')),
    sa.ForeignKeyConstraint(['developer_org_id'], ['organization.id'], name=op.f('fk_reservation_developer_org_id_organization')),
    sa.ForeignKeyConstraint(['household_accepted_by'], ['user_account.id'], name=op.f('fk_reservation_household_accepted_by_user_account')),
    sa.ForeignKeyConstraint(['household_user_id'], ['user_account.id'], name=op.f('fk_reservation_household_user_id_user_account')),
    sa.ForeignKeyConstraint(['market_swap_id'], ['market_swap.id'], name=op.f('fk_reservation_market_swap_id_market_swap')),
    sa.ForeignKeyConstraint(['rule_version_id'], ['program_rule_version.id'], name=op.f('fk_reservation_rule_version_id_program_rule_version')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_reservation_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation'))
    )
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservation_agency_org_id'), ['agency_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reservation_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reservation_developer_org_id'), ['developer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reservation_household_user_id'), ['household_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reservation_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reservation_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_reservation_holding_application', ['application_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'active', 'city_group')"), postgresql_where=sa.text("status IN ('proposed', 'active', 'city_group')"))
        batch_op.create_index('uq_reservation_holding_unit', ['unit_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'active', 'city_group')"), postgresql_where=sa.text("status IN ('proposed', 'active', 'city_group')"))



def downgrade():
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.drop_index('uq_reservation_holding_unit', sqlite_where=sa.text("status IN ('proposed', 'active', 'city_group')"), postgresql_where=sa.text("status IN ('proposed', 'active', 'city_group')"))
        batch_op.drop_index('uq_reservation_holding_application', sqlite_where=sa.text("status IN ('proposed', 'active', 'city_group')"), postgresql_where=sa.text("status IN ('proposed', 'active', 'city_group')"))
        batch_op.drop_index(batch_op.f('ix_reservation_unit_id'))
        batch_op.drop_index(batch_op.f('ix_reservation_status'))
        batch_op.drop_index(batch_op.f('ix_reservation_household_user_id'))
        batch_op.drop_index(batch_op.f('ix_reservation_developer_org_id'))
        batch_op.drop_index(batch_op.f('ix_reservation_application_id'))
        batch_op.drop_index(batch_op.f('ix_reservation_agency_org_id'))

    op.drop_table('reservation')
