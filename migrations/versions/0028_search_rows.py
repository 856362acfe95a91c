"""search rows: one narrow row per home on public offer, for the embedded search backend

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03

Every filter column and facet band of a listing (or unit) on one row, filled here from the live
tables and from then on rewritten by the app in the same flush as each change. The words are
matched by one FTS5 table per kind on SQLite (the per-source text tables of 0005 go) and by a
trigram index on the row's text on PostgreSQL.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
OLD_TEXT_TABLES = ("community_fts", "listing_fts", "project_fts")
# The facet bands of housing_swap.search.query as they are today: (key, upper bound) in order.
PRICE_BANDS = (("0-50", 500_000), ("50-100", 1_000_000), ("100-150", 1_500_000), ("150-200", 2_000_000),
               ("200-300", 3_000_000), ("300-", None))
AREA_BANDS = (("0-60", 60), ("60-90", 90), ("90-120", 120), ("120-144", 144), ("144-", None))
BEDROOM_BANDS = (("1", 2), ("2", 3), ("3", 4), ("4+", None))

FACET_COLUMNS = ["district_code", "bedroom_band", "price_band", "area_band", "price", "unit_price", "area_m2",
                 "bedrooms", "floor", "listed_at", "name"]
SHARED_COLUMNS = ("id", "district_code", "name", "body", "price", "unit_price", "area_m2", "bedrooms", "floor",
                  "lat", "lon", "listed_at", "price_band", "area_band", "bedroom_band")
FILLS = {
    "listing_search": (
        SHARED_COLUMNS + ("community_id", "build_year", "elevator"),
        "l.id, c.district_code, c.name, c.name || ' ' || c.address || ' ' || coalesce(l.description, ''), "
        "l.asking_price, l.unit_price, l.area_m2, l.bedrooms, l.floor, c.lat, c.lon, l.listed_at, {price}, {area}, "
        "{bedrooms}, l.community_id, l.build_year, l.has_elevator",
        "listing l JOIN community c ON l.community_id = c.id WHERE l.status = 'active'",
        ("l.asking_price", "l.area_m2", "l.bedrooms"),
        "SELECT l.id, c.name, c.address, coalesce(l.description, '') FROM listing l "
        "JOIN community c ON l.community_id = c.id WHERE l.status = 'active'"),
    "unit_search": (
        SHARED_COLUMNS + ("project_id", "in_program"),
        "u.id, p.district_code, p.name, p.name || ' ' || p.address || ' ', u.list_price, u.unit_price, u.area_m2, "
        "u.bedrooms, u.floor, p.lat, p.lon, u.listed_at, {price}, {area}, {bedrooms}, p.id, p.in_swap_program",
        "unit u JOIN building b ON u.building_id = b.id JOIN project p ON b.project_id = p.id "
        "WHERE u.status = 'available'",
        ("u.list_price", "u.area_m2", "u.bedrooms"),
        "SELECT u.id, p.name, p.address, '' FROM unit u JOIN building b ON u.building_id = b.id "
        "JOIN project p ON b.project_id = p.id WHERE u.status = 'available'"),
}


def _shared_columns():
    return [
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('district_code', sa.String(length=6), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('price', sa.BigInteger(), nullable=False),
        sa.Column('unit_price', sa.BigInteger(), nullable=False),
        sa.Column('area_m2', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('bedrooms', sa.Integer(), nullable=False),
        sa.Column('floor', sa.Integer(), nullable=False),
        sa.Column('lat', sa.Double(), nullable=False),
        sa.Column('lon', sa.Double(), nullable=False),
        sa.Column('listed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('price_band', sa.String(length=8), nullable=False),
        sa.Column('area_band', sa.String(length=8), nullable=False),
        sa.Column('bedroom_band', sa.String(length=8), nullable=False),
    ]


def upgrade():
    op.create_table('listing_search', *_shared_columns(),
                    sa.Column('community_id', sa.Integer(), nullable=False),
                    sa.Column('build_year', sa.Integer(), nullable=False),
                    sa.Column('elevator', sa.Boolean(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_search')))
    with op.batch_alter_table('listing_search', schema=None) as batch_op:
        batch_op.create_index('ix_listing_search_area', ['area_m2'], unique=False)
        batch_op.create_index('ix_listing_search_community', ['community_id'], unique=False)
        batch_op.create_index('ix_listing_search_facets', [*FACET_COLUMNS, 'build_year', 'elevator', 'community_id'],
                              unique=False)
        batch_op.create_index('ix_listing_search_listed', ['listed_at', 'id'], unique=False)
        batch_op.create_index('ix_listing_search_price', ['price'], unique=False)
        batch_op.create_index('ix_listing_search_unit_price', ['unit_price'], unique=False)
    op.create_table('unit_search', *_shared_columns(),
                    sa.Column('project_id', sa.Integer(), nullable=False),
                    sa.Column('in_program', sa.Boolean(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_search')))
    with op.batch_alter_table('unit_search', schema=None) as batch_op:
        batch_op.create_index('ix_unit_search_area', ['area_m2'], unique=False)
        batch_op.create_index('ix_unit_search_facets', [*FACET_COLUMNS, 'in_program', 'project_id'], unique=False)
        batch_op.create_index('ix_unit_search_price', ['price'], unique=False)
        batch_op.create_index('ix_unit_search_project', ['project_id'], unique=False)
        batch_op.create_index('ix_unit_search_unit_price', ['unit_price'], unique=False)

    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    for table, (columns, values, source, (price, area, bedrooms), _) in FILLS.items():
        selected = values.format(price=_band(price, PRICE_BANDS), area=_band(area, AREA_BANDS),
                                 bedrooms=_band(bedrooms, BEDROOM_BANDS))
        op.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selected} FROM {source}")
    if sqlite:
        for table in OLD_TEXT_TABLES:
            op.execute(f"DROP TABLE IF EXISTS {table}")
        for table, (*_, texts) in FILLS.items():
            op.execute(f"CREATE VIRTUAL TABLE {table}_fts USING fts5(name, address, description, "
                       "tokenize = 'unicode61')")
            rows = connection.execute(sa.text(texts)).all()
            if rows:
                connection.execute(sa.text(f"INSERT INTO {table}_fts(rowid, name, address, description) "
                                           "VALUES (:id, :name, :address, :description)"),
                                   [{"id": row_id, "name": _spaced(name), "address": _spaced(address),
                                     "description": _spaced(description)}
                                    for row_id, name, address, description in rows])
        # The planner's statistics for the new indexes (PostgreSQL's autovacuum gathers its own).
        for table in FILLS:
            op.execute(f"ANALYZE {table}")
    else:
        for table in FILLS:
            op.execute(f"CREATE INDEX ix_{table}_body_trgm ON {table} USING gin (body gin_trgm_ops)")


def _band(column, bands):
    whens = " ".join(f"WHEN {column} < {high} THEN '{key}'" for key, high in bands if high is not None)
    return f"CASE {whens} ELSE '{bands[-1][0]}' END"


def _spaced(raw):
    return " ".join(HAN.sub(r" \1 ", raw or "").split())


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for table in FILLS:
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
        for table, source in (("community_fts", "SELECT id, name || ' ' || address FROM community"),
                              ("listing_fts", "SELECT id, description FROM listing"),
                              ("project_fts", "SELECT id, name || ' ' || address FROM project")):
            op.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(body, tokenize = 'unicode61')")
            rows = connection.execute(sa.text(source)).all()
            if rows:
                connection.execute(sa.text(f"INSERT INTO {table}(rowid, body) VALUES (:id, :body)"),
                                   [{"id": row_id, "body": _spaced(raw)} for row_id, raw in rows])
    op.drop_table('unit_search')
    op.drop_table('listing_search')
