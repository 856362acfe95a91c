"""appraisal appeals: a household's request for a second appraisal by another organization, and the value that stood

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 08:06:21
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('appraisal_appeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acquisition_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('value_rule', sa.String(length=20), nullable=False),
    sa.Column('first_value', sa.BigInteger(), nullable=False),
    sa.Column('first_appraiser_org_id', sa.Integer(), nullable=False),
    sa.Column('second_appraiser_org_id', sa.Integer(), nullable=True),
    sa.Column('second_value', sa.BigInteger(), nullable=True),
    sa.Column('standing_value', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['acquisition_id'], ['acquisition.id'], name=op.f('fk_appraisal_appeal_acquisition_id_acquisition')),
    sa.ForeignKeyConstraint(['first_appraiser_org_id'], ['organization.id'], name=op.f('fk_appraisal_appeal_first_appraiser_org_id_organization')),
    sa.ForeignKeyConstraint(['requested_by'], ['user_account.id'], name=op.f('fk_appraisal_appeal_requested_by_user_account')),
    sa.ForeignKeyConstraint(['second_appraiser_org_id'], ['organization.id'], name=op.f('fk_appraisal_appeal_second_appraiser_org_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal_appeal')),
    sa.UniqueConstraint('acquisition_id', name=op.f('uq_appraisal_appeal_acquisition_id'))
    )


def downgrade():
    op.drop_table('appraisal_appeal')
