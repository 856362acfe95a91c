"""initial data model

Revision ID: 0001
Revises: 
Create Date: 2026-11-28

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('district',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('main_urban', sa.Boolean(), nullable=False),
    sa.Column('pilot', sa.Boolean(), nullable=False),
    sa.Column('lat', sa.Numeric(precision=9, scale=6), nullable=False),
    sa.Column('lon', sa.Numeric(precision=9, scale=6), nullable=False),
    sa.Column('approximate_centre', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_district')),
    sa.UniqueConstraint('name', name=op.f('uq_district_name'))
    )
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('agency', 'developer', 'city_group', 'appraiser', 'bureau', name='organization_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('licence_number', sa.String(length=64), nullable=False),
    sa.Column('contact_name', sa.String(length=60), nullable=True),
    sa.Column('contact_phone', sa.String(length=255), nullable=True),
    sa.Column('approval_state', sa.Enum('pending', 'approved', 'rejected', 'suspended', name='approval_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('kind', 'licence_number', name=op.f('uq_organization_kind_licence_number'))
    )
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('entity_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_search_outbox_pending', ['processed_at', 'id'], unique=False)

    op.create_table('community',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Numeric(precision=9, scale=6), nullable=False),
    sa.Column('lon', sa.Numeric(precision=9, scale=6), nullable=False),
    sa.Column('build_year', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_community_district_code_district')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community')),
    sa.UniqueConstraint('district_code', 'name', name=op.f('uq_community_district_code_name'))
    )
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_name'), ['name'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('developer_org_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Numeric(precision=9, scale=6), nullable=False),
    sa.Column('lon', sa.Numeric(precision=9, scale=6), nullable=False),
    sa.Column('presale_permit_no', sa.String(length=64), nullable=False),
    sa.Column('delivery_date', sa.Date(), nullable=False),
    sa.Column('in_swap_program', sa.Boolean(), nullable=False),
    sa.Column('swap_offer', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['developer_org_id'], ['organization.id'], name=op.f('fk_project_developer_org_id_organization')),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_project_district_code_district')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('presale_permit_no', name=op.f('uq_project_presale_permit_no'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_developer_org_id'), ['developer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_name'), ['name'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('role', sa.Enum('household', 'agency_staff', 'developer_staff', 'city_group_officer', 'appraiser', 'bureau_admin', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('real_name', sa.String(length=60), nullable=False),
    sa.Column('phone', sa.String(length=255), nullable=True),
    sa.Column('phone_hash', sa.String(length=64), nullable=True),
    sa.Column('id_number', sa.String(length=255), nullable=True),
    sa.Column('id_number_hash', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_user_account_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('id_number_hash', name=op.f('uq_user_account_id_number_hash')),
    sa.UniqueConstraint('phone_hash', name=op.f('uq_user_account_phone_hash')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_organization_id'), ['organization_id'], unique=False)

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=40), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('client_address', sa.String(length=64), nullable=True),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('event_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_user_id_user_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_audit_event_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('event_hash', name=op.f('uq_audit_event_event_hash'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('building',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('total_floors', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_building_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_building')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_building_project_id_name'))
    )
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_project_id'), ['project_id'], unique=False)

    op.create_table('listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('agent_user_id', sa.Integer(), nullable=True),
    sa.Column('agency_reference', sa.String(length=64), nullable=True),
    sa.Column('building_no', sa.String(length=20), nullable=False),
    sa.Column('unit_no', sa.String(length=20), nullable=True),
    sa.Column('room_no', sa.String(length=20), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('total_floors', sa.Integer(), nullable=False),
    sa.Column('area_m2', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('inner_area_m2', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('bedrooms', sa.Integer(), nullable=False),
    sa.Column('living_rooms', sa.Integer(), nullable=False),
    sa.Column('bathrooms', sa.Integer(), nullable=False),
    sa.Column('orientation', sa.String(length=20), nullable=False),
    sa.Column('decoration', sa.String(length=20), nullable=False),
    sa.Column('build_year', sa.Integer(), nullable=False),
    sa.Column('has_elevator', sa.Boolean(), nullable=False),
    sa.Column('property_type', sa.String(length=20), nullable=False),
    sa.Column('certificate_number', sa.String(length=255), nullable=False),
    sa.Column('certificate_hash', sa.String(length=64), nullable=False),
    sa.Column('asking_price', sa.BigInteger(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=60), nullable=False),
    sa.Column('contact_phone', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'active', 'reserved', 'sold', 'withdrawn', 'expired', name='listing_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('seized', sa.Boolean(), nullable=False),
    sa.Column('verification_code', sa.String(length=16), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('listed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agent_user_id'], ['user_account.id'], name=op.f('fk_listing_agent_user_id_user_account')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_listing_community_id_community')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_listing_organization_id_organization')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['user_account.id'], name=op.f('fk_listing_owner_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing')),
    sa.UniqueConstraint('organization_id', 'agency_reference', name=op.f('uq_listing_organization_id_agency_reference')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_listing_verification_code'))
    )
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_certificate_hash'), ['certificate_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index('ix_listing_status_price', ['status', 'asking_price'], unique=False)
        batch_op.create_index('uq_listing_live_certificate', ['certificate_hash'], unique=True, sqlite_where=sa.text("status IN ('submitted', 'active', 'reserved')"), postgresql_where=sa.text("status IN ('submitted', 'active', 'reserved')"))

    op.create_table('program_rule_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='rule_version_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], name=op.f('fk_program_rule_version_created_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_rule_version')),
    sa.UniqueConstraint('version', name=op.f('uq_program_rule_version_version'))
    )
    op.create_table('listing_price_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('old_price', sa.BigInteger(), nullable=False),
    sa.Column('new_price', sa.BigInteger(), nullable=False),
    sa.Column('changed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_user_id'], ['user_account.id'], name=op.f('fk_listing_price_change_changed_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_listing_price_change_listing_id_listing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_price_change'))
    )
    with op.batch_alter_table('listing_price_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_price_change_listing_id'), ['listing_id'], unique=False)

    op.create_table('swap_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_user_id', sa.Integer(), nullable=False),
    sa.Column('old_listing_id', sa.Integer(), nullable=True),
    sa.Column('old_district_code', sa.String(length=6), nullable=False),
    sa.Column('old_community_name', sa.String(length=80), nullable=False),
    sa.Column('old_area_m2', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('old_build_year', sa.Integer(), nullable=False),
    sa.Column('old_certificate_number', sa.String(length=255), nullable=False),
    sa.Column('old_certificate_hash', sa.String(length=64), nullable=False),
    sa.Column('old_seized', sa.Boolean(), nullable=False),
    sa.Column('remaining_mortgage', sa.BigInteger(), nullable=False),
    sa.Column('savings', sa.BigInteger(), nullable=False),
    sa.Column('max_loan', sa.BigInteger(), nullable=False),
    sa.Column('wanted_districts', sa.JSON(), nullable=False),
    sa.Column('min_area_m2', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('min_bedrooms', sa.Integer(), nullable=True),
    sa.Column('budget_max', sa.BigInteger(), nullable=True),
    sa.Column('move_in_by', sa.Date(), nullable=True),
    sa.Column('needs_elevator', sa.Boolean(), nullable=False),
    sa.Column('channel_preference', sa.Enum('city_group', 'market', 'either', name='channel_preference', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'eligible', 'ineligible', 'matched', 'in_progress', 'completed', 'withdrawn', name='application_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decision_rule_version_id', sa.Integer(), nullable=True),
    sa.Column('decision_reasons', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decision_rule_version_id'], ['program_rule_version.id'], name=op.f('fk_swap_application_decision_rule_version_id_program_rule_version')),
    sa.ForeignKeyConstraint(['household_user_id'], ['user_account.id'], name=op.f('fk_swap_application_household_user_id_user_account')),
    sa.ForeignKeyConstraint(['old_district_code'], ['district.code'], name=op.f('fk_swap_application_old_district_code_district')),
    sa.ForeignKeyConstraint(['old_listing_id'], ['listing.id'], name=op.f('fk_swap_application_old_listing_id_listing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_swap_application'))
    )
    with op.batch_alter_table('swap_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_swap_application_household_user_id'), ['household_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_swap_application_old_certificate_hash'), ['old_certificate_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_swap_application_old_district_code'), ['old_district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_swap_application_status'), ['status'], unique=False)

    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('room', sa.String(length=20), nullable=False),
    sa.Column('area_m2', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('bedrooms', sa.Integer(), nullable=False),
    sa.Column('living_rooms', sa.Integer(), nullable=False),
    sa.Column('bathrooms', sa.Integer(), nullable=False),
    sa.Column('list_price', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('available', 'reserved', 'sold', name='unit_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_unit_building_id_building')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('building_id', 'floor', 'room', name=op.f('uq_unit_building_id_floor_room'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_status'), ['status'], unique=False)

    op.create_table('acquisition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('intake', 'inspection_scheduled', 'appraised', 'offer_made', 'offer_accepted', 'offer_declined', 'offer_expired', 'contract_signed', 'new_home_purchased', 'title_transferred', 'completed', 'cancelled', name='acquisition_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('officer_user_id', sa.Integer(), nullable=True),
    sa.Column('inspection_on', sa.Date(), nullable=True),
    sa.Column('appraiser_org_id', sa.Integer(), nullable=True),
    sa.Column('appraised_value', sa.BigInteger(), nullable=True),
    sa.Column('offer_price', sa.BigInteger(), nullable=True),
    sa.Column('offer_expires_on', sa.Date(), nullable=True),
    sa.Column('contract_number', sa.String(length=64), nullable=True),
    sa.Column('contract_price', sa.BigInteger(), nullable=True),
    sa.Column('contract_signed_on', sa.Date(), nullable=True),
    sa.Column('new_unit_id', sa.Integer(), nullable=True),
    sa.Column('purchase_contract_number', sa.String(length=64), nullable=True),
    sa.Column('new_home_price', sa.BigInteger(), nullable=True),
    sa.Column('purchased_on', sa.Date(), nullable=True),
    sa.Column('title_transferred_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('intended_use', sa.String(length=40), nullable=True),
    sa.Column('rule_version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['swap_application.id'], name=op.f('fk_acquisition_application_id_swap_application')),
    sa.ForeignKeyConstraint(['appraiser_org_id'], ['organization.id'], name=op.f('fk_acquisition_appraiser_org_id_organization')),
    sa.ForeignKeyConstraint(['new_unit_id'], ['unit.id'], name=op.f('fk_acquisition_new_unit_id_unit')),
    sa.ForeignKeyConstraint(['officer_user_id'], ['user_account.id'], name=op.f('fk_acquisition_officer_user_id_user_account')),
    sa.ForeignKeyConstraint(['rule_version_id'], ['program_rule_version.id'], name=op.f('fk_acquisition_rule_version_id_program_rule_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acquisition')),
    sa.UniqueConstraint('application_id', name=op.f('uq_acquisition_application_id')),
    sa.UniqueConstraint('contract_number', name=op.f('uq_acquisition_contract_number')),
    sa.UniqueConstraint('new_unit_id', name=op.f('uq_acquisition_new_unit_id')),
    sa.UniqueConstraint('purchase_contract_number', name=op.f('uq_acquisition_purchase_contract_number'))
    )
    with op.batch_alter_table('acquisition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acquisition_status'), ['status'], unique=False)

    op.create_table('market_swap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('household_user_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('old_district_code', sa.String(length=6), nullable=False),
    sa.Column('old_certificate_number', sa.String(length=255), nullable=False),
    sa.Column('old_certificate_hash', sa.String(length=64), nullable=False),
    sa.Column('buyer_name', sa.String(length=60), nullable=False),
    sa.Column('old_sale_price', sa.BigInteger(), nullable=False),
    sa.Column('old_sale_contract_number', sa.String(length=64), nullable=False),
    sa.Column('old_sale_on', sa.Date(), nullable=False),
    sa.Column('new_unit_id', sa.Integer(), nullable=True),
    sa.Column('new_project_name', sa.String(length=80), nullable=False),
    sa.Column('new_district_code', sa.String(length=6), nullable=False),
    sa.Column('new_purchase_contract_number', sa.String(length=64), nullable=False),
    sa.Column('new_home_price', sa.BigInteger(), nullable=False),
    sa.Column('new_purchase_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('recorded', 'verified', 'rejected', 'cancelled', name='market_swap_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('verified_by_user_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('rule_version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['swap_application.id'], name=op.f('fk_market_swap_application_id_swap_application')),
    sa.ForeignKeyConstraint(['household_user_id'], ['user_account.id'], name=op.f('fk_market_swap_household_user_id_user_account')),
    sa.ForeignKeyConstraint(['new_district_code'], ['district.code'], name=op.f('fk_market_swap_new_district_code_district')),
    sa.ForeignKeyConstraint(['new_unit_id'], ['unit.id'], name=op.f('fk_market_swap_new_unit_id_unit')),
    sa.ForeignKeyConstraint(['old_district_code'], ['district.code'], name=op.f('fk_market_swap_old_district_code_district')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_market_swap_organization_id_organization')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], name=op.f('fk_market_swap_recorded_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['rule_version_id'], ['program_rule_version.id'], name=op.f('fk_market_swap_rule_version_id_program_rule_version')),
    sa.ForeignKeyConstraint(['verified_by_user_id'], ['user_account.id'], name=op.f('fk_market_swap_verified_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_swap')),
    sa.UniqueConstraint('new_purchase_contract_number', name=op.f('uq_market_swap_new_purchase_contract_number')),
    sa.UniqueConstraint('new_unit_id', name=op.f('uq_market_swap_new_unit_id')),
    sa.UniqueConstraint('old_sale_contract_number', name=op.f('uq_market_swap_old_sale_contract_number'))
    )
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_swap_household_user_id'), ['household_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_swap_old_certificate_hash'), ['old_certificate_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_swap_status'), ['status'], unique=False)

    op.create_table('goal_ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_type', sa.Enum('count', 'reversal', name='ledger_entry_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('channel', sa.Enum('city_group', 'market', name='channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('program_year', sa.Integer(), nullable=False),
    sa.Column('property_hash', sa.String(length=64), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('pilot', sa.Boolean(), nullable=False),
    sa.Column('acquisition_id', sa.Integer(), nullable=True),
    sa.Column('market_swap_id', sa.Integer(), nullable=True),
    sa.Column('new_unit_id', sa.Integer(), nullable=True),
    sa.Column('reverses_entry_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('rule_version_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(entry_type = 'reversal') = (reverses_entry_id IS NOT NULL)", name=op.f('ck_goal_ledger_entry_reversal_link')),
    sa.CheckConstraint('(acquisition_id IS NOT NULL) OR (market_swap_id IS NOT NULL)', name=op.f('ck_goal_ledger_entry_has_evidence')),
    sa.ForeignKeyConstraint(['acquisition_id'], ['acquisition.id'], name=op.f('fk_goal_ledger_entry_acquisition_id_acquisition')),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_goal_ledger_entry_district_code_district')),
    sa.ForeignKeyConstraint(['market_swap_id'], ['market_swap.id'], name=op.f('fk_goal_ledger_entry_market_swap_id_market_swap')),
    sa.ForeignKeyConstraint(['new_unit_id'], ['unit.id'], name=op.f('fk_goal_ledger_entry_new_unit_id_unit')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], name=op.f('fk_goal_ledger_entry_recorded_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['reverses_entry_id'], ['goal_ledger_entry.id'], name=op.f('fk_goal_ledger_entry_reverses_entry_id_goal_ledger_entry')),
    sa.ForeignKeyConstraint(['rule_version_id'], ['program_rule_version.id'], name=op.f('fk_goal_ledger_entry_rule_version_id_program_rule_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_ledger_entry')),
    sa.UniqueConstraint('reverses_entry_id', name=op.f('uq_goal_ledger_entry_reverses_entry_id'))
    )
    with op.batch_alter_table('goal_ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_ledger_entry_completed_on'), ['completed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_ledger_entry_district_code'), ['district_code'], unique=False)
        batch_op.create_index('ix_goal_ledger_entry_property_year', ['property_hash', 'program_year'], unique=False)



def downgrade():
    with op.batch_alter_table('goal_ledger_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_goal_ledger_entry_property_year')
        batch_op.drop_index(batch_op.f('ix_goal_ledger_entry_district_code'))
        batch_op.drop_index(batch_op.f('ix_goal_ledger_entry_completed_on'))

    op.drop_table('goal_ledger_entry')
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_swap_status'))
        batch_op.drop_index(batch_op.f('ix_market_swap_old_certificate_hash'))
        batch_op.drop_index(batch_op.f('ix_market_swap_household_user_id'))

    op.drop_table('market_swap')
    with op.batch_alter_table('acquisition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acquisition_status'))

    op.drop_table('acquisition')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_status'))
        batch_op.drop_index(batch_op.f('ix_unit_building_id'))

    op.drop_table('unit')
    with op.batch_alter_table('swap_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_swap_application_status'))
        batch_op.drop_index(batch_op.f('ix_swap_application_old_district_code'))
        batch_op.drop_index(batch_op.f('ix_swap_application_old_certificate_hash'))
        batch_op.drop_index(batch_op.f('ix_swap_application_household_user_id'))

    op.drop_table('swap_application')
    with op.batch_alter_table('listing_price_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_price_change_listing_id'))

    op.drop_table('listing_price_change')
    op.drop_table('program_rule_version')
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('uq_listing_live_certificate', sqlite_where=sa.text("status IN ('submitted', 'active', 'reserved')"), postgresql_where=sa.text("status IN ('submitted', 'active', 'reserved')"))
        batch_op.drop_index('ix_listing_status_price')
        batch_op.drop_index(batch_op.f('ix_listing_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_listing_organization_id'))
        batch_op.drop_index(batch_op.f('ix_listing_community_id'))
        batch_op.drop_index(batch_op.f('ix_listing_certificate_hash'))

    op.drop_table('listing')
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_project_id'))

    op.drop_table('building')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_organization_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_name'))
        batch_op.drop_index(batch_op.f('ix_project_district_code'))
        batch_op.drop_index(batch_op.f('ix_project_developer_org_id'))

    op.drop_table('project')
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_name'))
        batch_op.drop_index(batch_op.f('ix_community_district_code'))

    op.drop_table('community')
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_search_outbox_pending')

    op.drop_table('search_outbox')
    op.drop_table('organization')
    op.drop_table('district')
