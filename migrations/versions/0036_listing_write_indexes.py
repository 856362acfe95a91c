"""listing indexes the search rows made redundant are dropped: every listing write maintained them

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-03

Since the search rows (0028) carry the public search, no query reads the listing table through
``ix_listing_search`` (ten columns, status first: every status-led query has the narrower
status-and-price and status-and-listing-time indexes) or through PostgreSQL's trigram index on
the description (the text is matched in the search row's body, which has its own). Organization
lookups lead the unique (organization, agency reference) index, so its own index was a second
copy. Every insert and update of a listing wrote all three.
"""
from alembic import op

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

SEARCH_COLUMNS = ['status', 'community_id', 'asking_price', 'area_m2', 'bedrooms', 'unit_price', 'build_year',
                  'floor', 'has_elevator', 'listed_at']


def upgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_search')
        batch_op.drop_index('ix_listing_organization_id')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_listing_description_trgm')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_listing_description_trgm ON listing USING gin (description gin_trgm_ops)')
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index('ix_listing_organization_id', ['organization_id'], unique=False)
        batch_op.create_index('ix_listing_search', SEARCH_COLUMNS, unique=False)
