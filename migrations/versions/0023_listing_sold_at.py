"""listings remember when they sold, so the time a home takes to sell comes from the data

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 20:45:00

Listings sold before this revision have no sale time and are left out of the time-to-sell
figures (their last change time is not a sale time).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    # A plain nullable column: SQLite adds it in place, the listing table's triggers stay.
    op.add_column('listing', sa.Column('sold_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # SQLite 3.35+ drops a column in place, which keeps the table's triggers (batch mode would not).
    op.drop_column('listing', 'sold_at')
