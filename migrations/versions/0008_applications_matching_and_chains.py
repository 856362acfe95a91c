"""Swap applications' old-home details and timeline, recorded sales, stored matches, chain proposals

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 14:44:18.798590

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chain_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('starter', sa.String(length=20), nullable=True),
    sa.Column('status', sa.Enum('proposed', 'agreed', 'declined', name='chain_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_proposal'))
    )
    with op.batch_alter_table('chain_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chain_proposal_status'), ['status'], unique=False)

    op.create_table('recorded_sale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('area_m2', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('total_floors', sa.Integer(), nullable=False),
    sa.Column('build_year', sa.Integer(), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('sold_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_recorded_sale_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recorded_sale'))
    )
    with op.batch_alter_table('recorded_sale', schema=None) as batch_op:
        batch_op.create_index('ix_recorded_sale_community_sold', ['community_id', 'sold_on'], unique=False)

    op.create_table('application_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'eligible', 'ineligible', 'matched', 'in_progress', 'completed', 'withdrawn', name='application_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name=op.f('fk_application_event_actor_user_id_user_account')),
    sa.ForeignKeyConstraint(['application_id'], ['swap_application.id'], name=op.f('fk_application_event_application_id_swap_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_event'))
    )
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_event_application_id'), ['application_id'], unique=False)

    op.create_table('application_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['swap_application.id'], name=op.f('fk_application_match_application_id_swap_application')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_application_match_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_match')),
    sa.UniqueConstraint('application_id', 'rank', name=op.f('uq_application_match_application_id_rank'))
    )
    with op.batch_alter_table('application_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_match_unit_id'), ['unit_id'], unique=False)

    op.create_table('chain_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('buys_from_application_id', sa.Integer(), nullable=True),
    sa.Column('new_unit_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.Enum('pending', 'accepted', 'declined', name='link_decision', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decided_by_user_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['swap_application.id'], name=op.f('fk_chain_link_application_id_swap_application')),
    sa.ForeignKeyConstraint(['buys_from_application_id'], ['swap_application.id'], name=op.f('fk_chain_link_buys_from_application_id_swap_application')),
    sa.ForeignKeyConstraint(['decided_by_user_id'], ['user_account.id'], name=op.f('fk_chain_link_decided_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['new_unit_id'], ['unit.id'], name=op.f('fk_chain_link_new_unit_id_unit')),
    sa.ForeignKeyConstraint(['proposal_id'], ['chain_proposal.id'], name=op.f('fk_chain_link_proposal_id_chain_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_link')),
    sa.UniqueConstraint('proposal_id', 'position', name=op.f('uq_chain_link_proposal_id_position'))
    )
    with op.batch_alter_table('chain_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chain_link_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('swap_application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('old_community_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('old_bedrooms', sa.Integer(), server_default='2', nullable=False))
        batch_op.add_column(sa.Column('old_floor', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('old_total_floors', sa.Integer(), server_default='6', nullable=False))
        batch_op.add_column(sa.Column('old_has_elevator', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('old_asking_price', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('valuation_estimate', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('eligible_channels', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('counts_toward_pilot', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_swap_application_old_community_id_community'), 'community', ['old_community_id'], ['id'])



def downgrade():
    with op.batch_alter_table('swap_application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_swap_application_old_community_id_community'), type_='foreignkey')
        batch_op.drop_column('version')
        batch_op.drop_column('counts_toward_pilot')
        batch_op.drop_column('eligible_channels')
        batch_op.drop_column('valuation_estimate')
        batch_op.drop_column('old_asking_price')
        batch_op.drop_column('old_has_elevator')
        batch_op.drop_column('old_total_floors')
        batch_op.drop_column('old_floor')
        batch_op.drop_column('old_bedrooms')
        batch_op.drop_column('old_community_id')

    with op.batch_alter_table('chain_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chain_link_application_id'))

    op.drop_table('chain_link')
    with op.batch_alter_table('application_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_match_unit_id'))

    op.drop_table('application_match')
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_event_application_id'))

    op.drop_table('application_event')
    with op.batch_alter_table('recorded_sale', schema=None) as batch_op:
        batch_op.drop_index('ix_recorded_sale_community_sold')

    op.drop_table('recorded_sale')
    with op.batch_alter_table('chain_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chain_proposal_status'))

    op.drop_table('chain_proposal')
