"""listing portal

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('title_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_number', sa.String(length=255), nullable=False),
    sa.Column('certificate_hash', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('owner_id_hash', sa.String(length=64), nullable=False),
    sa.Column('area_m2', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('seized', sa.Boolean(), nullable=False),
    sa.Column('mortgaged', sa.Boolean(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_title_record')),
    sa.UniqueConstraint('certificate_hash', name=op.f('uq_title_record_certificate_hash'))
    )
    op.create_table('idempotency_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('request_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response_body', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_idempotency_record_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_record')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_record_user_id_key'))
    )
    op.create_table('favourite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_favourite_listing_id_listing')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_favourite_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_favourite')),
    sa.UniqueConstraint('user_id', 'listing_id', name=op.f('uq_favourite_user_id_listing_id'))
    )
    with op.batch_alter_table('favourite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_favourite_user_id'), ['user_id'], unique=False)

    op.create_table('listing_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_listing_photo_listing_id_listing')),
    sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['user_account.id'], name=op.f('fk_listing_photo_uploaded_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_photo')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_listing_photo_storage_key'))
    )
    with op.batch_alter_table('listing_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_photo_listing_id'), ['listing_id'], unique=False)

    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('verification_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('renewed_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_column('renewed_at')
        batch_op.drop_column('verification_note')
        batch_op.drop_column('owner_id_hash')

    with op.batch_alter_table('listing_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_photo_listing_id'))

    op.drop_table('listing_photo')
    with op.batch_alter_table('favourite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_favourite_user_id'))

    op.drop_table('favourite')
    op.drop_table('idempotency_record')
    op.drop_table('title_record')
