"""search indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index('ix_listing_search', ['status', 'community_id', 'asking_price', 'area_m2', 'bedrooms', 'unit_price', 'build_year', 'floor', 'has_elevator', 'listed_at'], unique=False)
        batch_op.create_index('ix_listing_status_listed_at', ['status', 'listed_at'], unique=False)



def downgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_status_listed_at')
        batch_op.drop_index('ix_listing_search')

