"""a market sale's costs as two rules: the agency's commission and the seller's taxes

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03

Rule versions stored before this carried one rate, ``market_sale_fee_rate``, for both. The
stored versions keep the total they were published with: the whole rate becomes the agency
commission and the seller's taxes are 0 (the old rate did not say how it split). The rule
editor's next version sets each one. Downgrading adds the two back into one rate.
"""
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

RULE_VERSIONS = sa.table('program_rule_version', sa.column('id', sa.Integer), sa.column('document', sa.JSON))


def _rewrite(change):
    connection = op.get_bind()
    for row_id, document in connection.execute(sa.select(RULE_VERSIONS.c.id, RULE_VERSIONS.c.document)).all():
        rewritten = change(dict(document))
        if rewritten != document:
            connection.execute(RULE_VERSIONS.update().where(RULE_VERSIONS.c.id == row_id)
                               .values(document=rewritten))


def _split(document):
    if 'market_sale_fee_rate' in document:
        document['market_agency_fee_rate'] = document.pop('market_sale_fee_rate')
        document.setdefault('market_seller_tax_rate', '0')
    return document


def _join(document):
    if 'market_agency_fee_rate' in document:
        total = Decimal(document.pop('market_agency_fee_rate')) + Decimal(document.pop('market_seller_tax_rate', '0'))
        document['market_sale_fee_rate'] = str(total)
    return document


def upgrade():
    _rewrite(_split)


def downgrade():
    _rewrite(_join)
