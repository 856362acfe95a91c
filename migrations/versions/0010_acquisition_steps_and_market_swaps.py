"""acquisition steps, documents and live-only uniqueness for market swaps

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 22:10:08.653365

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('acquisition_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acquisition_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_user_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acquisition_id'], ['acquisition.id'], name=op.f('fk_acquisition_document_acquisition_id_acquisition')),
    sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['user_account.id'], name=op.f('fk_acquisition_document_uploaded_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acquisition_document'))
    )
    with op.batch_alter_table('acquisition_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acquisition_document_acquisition_id'), ['acquisition_id'], unique=False)

    op.create_table('acquisition_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acquisition_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('intake', 'inspection_scheduled', 'appraised', 'offer_made', 'offer_accepted', 'offer_declined', 'offer_expired', 'contract_signed', 'new_home_purchased', 'title_transferred', 'completed', 'cancelled', name='acquisition_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acquisition_id'], ['acquisition.id'], name=op.f('fk_acquisition_event_acquisition_id_acquisition')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name=op.f('fk_acquisition_event_actor_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acquisition_event'))
    )
    with op.batch_alter_table('acquisition_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acquisition_event_acquisition_id'), ['acquisition_id'], unique=False)

    with op.batch_alter_table('acquisition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appraised_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('offered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('over_quota', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_acquisition_application_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_acquisition_application_id'), ['application_id'], unique=False)
        batch_op.create_index('uq_acquisition_live_application', ['application_id'], unique=True, sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))

    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_check_note', sa.Text(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_market_swap_old_certificate_hash'))
        batch_op.drop_constraint(batch_op.f('uq_market_swap_new_purchase_contract_number'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_market_swap_new_unit_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_market_swap_old_sale_contract_number'), type_='unique')
        batch_op.create_index('uq_market_swap_live_property', ['old_certificate_hash'], unique=True, sqlite_where=sa.text("status IN ('recorded', 'verified')"), postgresql_where=sa.text("status IN ('recorded', 'verified')"))
        batch_op.create_index('uq_market_swap_live_purchase_contract', ['new_purchase_contract_number'], unique=True, sqlite_where=sa.text("status IN ('recorded', 'verified')"), postgresql_where=sa.text("status IN ('recorded', 'verified')"))
        batch_op.create_index('uq_market_swap_live_sale_contract', ['old_sale_contract_number'], unique=True, sqlite_where=sa.text("status IN ('recorded', 'verified')"), postgresql_where=sa.text("status IN ('recorded', 'verified')"))
        batch_op.create_index('uq_market_swap_live_unit', ['new_unit_id'], unique=True, sqlite_where=sa.text("status IN ('recorded', 'verified')"), postgresql_where=sa.text("status IN ('recorded', 'verified')"))



def downgrade():
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.drop_index('uq_market_swap_live_unit', sqlite_where=sa.text("status IN ('recorded', 'verified')"), postgresql_where=sa.text("status IN ('recorded', 'verified')"))
        batch_op.drop_index('uq_market_swap_live_sale_contract', sqlite_where=sa.text("status IN ('recorded', 'verified')"), postgresql_where=sa.text("status IN ('recorded', 'verified')"))
        batch_op.drop_index('uq_market_swap_live_purchase_contract', sqlite_where=sa.text("status IN ('recorded', 'verified')"), postgresql_where=sa.text("status IN ('recorded', 'verified')"))
        batch_op.drop_index('uq_market_swap_live_property', sqlite_where=sa.text("status IN ('recorded', 'verified')"), postgresql_where=sa.text("status IN ('recorded', 'verified')"))
        batch_op.create_unique_constraint(batch_op.f('uq_market_swap_old_sale_contract_number'), ['old_sale_contract_number'])
        batch_op.create_unique_constraint(batch_op.f('uq_market_swap_new_unit_id'), ['new_unit_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_market_swap_new_purchase_contract_number'), ['new_purchase_contract_number'])
        batch_op.create_index(batch_op.f('ix_market_swap_old_certificate_hash'), ['old_certificate_hash'], unique=False)
        batch_op.drop_column('contract_check_note')

    with op.batch_alter_table('acquisition', schema=None) as batch_op:
        batch_op.drop_index('uq_acquisition_live_application', sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_acquisition_application_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_acquisition_application_id'), ['application_id'])
        batch_op.drop_column('cancelled_reason')
        batch_op.drop_column('over_quota')
        batch_op.drop_column('offered_on')
        batch_op.drop_column('appraised_on')

    with op.batch_alter_table('acquisition_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acquisition_event_acquisition_id'))

    op.drop_table('acquisition_event')
    with op.batch_alter_table('acquisition_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acquisition_document_acquisition_id'))

    op.drop_table('acquisition_document')
