"""sale times: listings remember when they sold (time to sell from the data); units when and from what state

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 20:45:00

Listings sold before this revision have no sale time and are left out of the time-to-sell
figures (their last change time is not a sale time). A unit marked sold records when and from
which state, so the developer can undo the mark within the rule's grace period; units sold
before this revision have no time and cannot be undone.
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
    op.add_column('unit', sa.Column('sold_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('unit', sa.Column('status_before_sale', sa.String(length=20), nullable=True))


def downgrade():
    # SQLite 3.35+ drops a column in place, which keeps the table's triggers (batch mode would not).
    op.drop_column('unit', 'status_before_sale')
    op.drop_column('unit', 'sold_at')
    op.drop_column('listing', 'sold_at')
