"""search rows: one index per sort order and a wider community (project) index, carrying every filter column

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03

A sorted page of search results walks the index of its sort order and stops after the page,
checking each entry against the filters inside the index (search.sql_backend). Each index leads
with its sort key and the id (the tie-break), then carries the filter columns. They replace the
single-column indexes on the same keys, which they serve as well. The index on the community
(project) a home is under, which pinyin initials look up, carries the facet bands and filters
too, so the homes it finds are counted and sorted without reading their rows.
"""
from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None

FILTERS = ('district_code', 'price', 'unit_price', 'area_m2', 'bedrooms', 'floor', 'listed_at', 'lat', 'lon')
FACETS = ('district_code', 'bedroom_band', 'price_band', 'area_band', 'price', 'unit_price', 'area_m2',
          'bedrooms', 'floor', 'listed_at', 'name')
PARENT_INDEXES = {  # name: (table, the parent column, its own filter columns)
    'ix_listing_search_community': ('listing_search', 'community_id', ('build_year', 'elevator')),
    'ix_unit_search_project': ('unit_search', 'project_id', ('in_program',)),
}
TABLES = {
    # table: (its own filter columns, the sort keys, the indexes replaced as {name: columns})
    'listing_search': (('build_year', 'elevator', 'community_id'), ('listed_at', 'price', 'unit_price', 'area_m2'),
                       {'ix_listing_search_listed': ['listed_at', 'id'], 'ix_listing_search_price': ['price'],
                        'ix_listing_search_unit_price': ['unit_price'], 'ix_listing_search_area': ['area_m2']}),
    'unit_search': (('in_program', 'project_id'), ('price', 'unit_price', 'area_m2'),
                    {'ix_unit_search_price': ['price'], 'ix_unit_search_unit_price': ['unit_price'],
                     'ix_unit_search_area': ['area_m2']}),
}


def upgrade():
    for table, (own_filters, keys, replaced) in TABLES.items():
        for name in replaced:
            op.drop_index(name, table_name=table)
        for key in keys:
            carried = [column for column in (*FILTERS, *own_filters) if column != key]
            op.create_index(f'ix_{table}_by_{key}', table, [key, 'id', *carried], unique=False)
    for name, (table, parent, own_filters) in PARENT_INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [parent, *FACETS, *own_filters], unique=False)


def downgrade():
    for name, (table, parent, _) in PARENT_INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [parent], unique=False)
    for table, (_, keys, replaced) in TABLES.items():
        for key in keys:
            op.drop_index(f'ix_{table}_by_{key}', table_name=table)
        for name, columns in replaced.items():
            op.create_index(name, table, columns, unique=False)
