"""listing photos get a kind: a photo of the home or its floor plan (户型图)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 15:30:00

Every photo stored before this revision is a photo of the home. The cover stays the photo at
position 0, as before.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    # Batch mode: SQLite cannot add a column with a CHECK constraint in place (the table has no
    # triggers to re-create).
    with op.batch_alter_table('listing_photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'kind', sa.Enum('photo', 'floor_plan', name='photo_kind', native_enum=False, create_constraint=True,
                            length=32), nullable=False, server_default='photo'))


def downgrade():
    with op.batch_alter_table('listing_photo', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_listing_photo_photo_kind'), type_='check')
        batch_op.drop_column('kind')
