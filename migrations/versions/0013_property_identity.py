"""property identity: canonical certificate hashes, unit codes, one key per home

Every table that names a home now stores a property key (services/property_identity.py) instead
of a hash of the certificate number as it was typed. The keys are recomputed here from the
encrypted originals in their canonical spelling (domain/identity.py). Rows that turn out to name
one home are not merged: the later row keeps its old key, and the pair is written to
``identity_collision`` for the bureau to settle (``flask identity collisions``).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 18:00:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from housing_swap.domain.identity import canonical_certificate

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

LIVE_LISTING = "status IN ('submitted', 'active', 'reserved')"
LIVE_SWAP = "status IN ('recorded', 'verified')"
# table, certificate column, key column, the states in which the key must be unique (None: always)
HOMES = (
    ("title_record", "certificate_number", "property_key", None),
    ("listing", "certificate_number", "property_key", ("submitted", "active", "reserved")),
    ("swap_application", "old_certificate_number", "old_property_key", ()),
    ("market_swap", "old_certificate_number", "old_property_key", ("recorded", "verified")),
)


def upgrade():
    op.create_table(
        'property_identifier',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('certificate', 'unit_code', name='identifier_kind', native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column('value_hash', sa.String(length=64), nullable=False),
        sa.Column('property_key', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_property_identifier')),
        sa.UniqueConstraint('value_hash', name=op.f('uq_property_identifier_value_hash')),
    )
    with op.batch_alter_table('property_identifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_property_identifier_property_key'), ['property_key'], unique=False)
    op.create_table(
        'identity_collision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('table_name', sa.String(length=40), nullable=False),
        sa.Column('row_id', sa.Integer(), nullable=False),
        sa.Column('other_row_id', sa.Integer(), nullable=False),
        sa.Column('property_key', sa.String(length=64), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_collision')),
    )
    with op.batch_alter_table('title_record', schema=None) as batch_op:
        batch_op.drop_constraint('uq_title_record_certificate_hash', type_='unique')
        batch_op.alter_column('certificate_hash', new_column_name='property_key')
        batch_op.add_column(sa.Column('unit_code', sa.String(length=28), nullable=True))
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('uq_listing_live_certificate')
        batch_op.drop_index('ix_listing_certificate_hash')
        batch_op.alter_column('certificate_hash', new_column_name='property_key')
        batch_op.add_column(sa.Column('unit_code', sa.String(length=28), nullable=True))
    with op.batch_alter_table('swap_application', schema=None) as batch_op:
        batch_op.drop_index('ix_swap_application_old_certificate_hash')
        batch_op.alter_column('old_certificate_hash', new_column_name='old_property_key')
        batch_op.add_column(sa.Column('old_unit_code', sa.String(length=28), nullable=True))
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.drop_index('uq_market_swap_live_property')
        batch_op.alter_column('old_certificate_hash', new_column_name='old_property_key')
        batch_op.add_column(sa.Column('old_unit_code', sa.String(length=28), nullable=True))

    _rekey(op.get_bind())

    with op.batch_alter_table('title_record', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_title_record_property_key', ['property_key'])
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index('ix_listing_property_key', ['property_key'], unique=False)
        batch_op.create_index('uq_listing_live_property', ['property_key'], unique=True,
                              sqlite_where=sa.text(LIVE_LISTING), postgresql_where=sa.text(LIVE_LISTING))
    with op.batch_alter_table('swap_application', schema=None) as batch_op:
        batch_op.create_index('ix_swap_application_old_property_key', ['old_property_key'], unique=False)
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.create_index('uq_market_swap_live_property', ['old_property_key'], unique=True,
                              sqlite_where=sa.text(LIVE_SWAP), postgresql_where=sa.text(LIVE_SWAP))


def _rekey(connection) -> None:
    """Recompute every property key from the canonical certificate number."""
    cipher = current_app.extensions["field_cipher"]
    now = sa.func.now()
    new_key_of: dict[tuple[str, int], str] = {}
    identifiers: set[str] = set()
    for table, certificate_column, key_column, unique_in in HOMES:
        status = ", status" if unique_in is not None else ""
        rows = connection.execute(sa.text(
            f"SELECT id, {certificate_column}, {key_column}{status} FROM {table} ORDER BY id")).all()
        holder: dict[str, int] = {}
        for row in rows:
            plain = cipher.decrypt(row[1], f"{table}.{certificate_column}")
            key = cipher.lookup_hash(canonical_certificate(plain), "certificate")
            identifiers.add(key)
            must_be_unique = unique_in is None or (unique_in and row[3] in unique_in)
            if must_be_unique and key in holder and row[2] != key:
                _collision(connection, table, row[0], holder[key], key, now)
                new_key_of[(table, row[0])] = row[2]
                continue
            if must_be_unique:
                holder[key] = row[0]
            new_key_of[(table, row[0])] = key
            if key != row[2]:
                connection.execute(sa.text(f"UPDATE {table} SET {key_column} = :key WHERE id = :id"),
                                   {"key": key, "id": row[0]})
    identifier = sa.table("property_identifier", sa.column("kind"), sa.column("value_hash"),
                          sa.column("property_key"), sa.column("created_at"))
    if identifiers:
        connection.execute(identifier.insert().values(created_at=now), [
            {"kind": "certificate", "value_hash": key, "property_key": key} for key in sorted(identifiers)])
    _rekey_ledger(connection, new_key_of, now)


def _rekey_ledger(connection, new_key_of: dict, now) -> None:
    """Ledger rows name the home of the acquisition's application or of the market swap."""
    application_of = dict(connection.execute(sa.text("SELECT id, application_id FROM acquisition")).all())
    entries = connection.execute(sa.text(
        "SELECT id, acquisition_id, market_swap_id FROM goal_ledger_entry ORDER BY id")).all()
    for entry_id, acquisition_id, swap_id in entries:
        source = (("swap_application", application_of[acquisition_id]) if acquisition_id
                  else ("market_swap", swap_id))
        connection.execute(sa.text("UPDATE goal_ledger_entry SET property_hash = :key WHERE id = :id"),
                           {"key": new_key_of[source], "id": entry_id})
    claims = connection.execute(sa.text(
        "SELECT c.id, c.program_year, c.property_hash, e.property_hash FROM goal_ledger_claim c "
        "JOIN goal_ledger_entry e ON e.id = c.entry_id ORDER BY c.entry_id")).all()
    holder: dict[tuple[str, int], int] = {}
    for claim_id, year, old_key, key in claims:
        if (key, year) in holder and old_key != key:
            _collision(connection, "goal_ledger_claim", claim_id, holder[(key, year)], key, now)
            continue
        holder[(key, year)] = claim_id
        connection.execute(sa.text("UPDATE goal_ledger_claim SET property_hash = :key WHERE id = :id"),
                           {"key": key, "id": claim_id})


def _collision(connection, table: str, row_id: int, other_id: int, key: str, now) -> None:
    collision = sa.table("identity_collision", sa.column("table_name"), sa.column("row_id"),
                         sa.column("other_row_id"), sa.column("property_key"), sa.column("note"),
                         sa.column("detected_at"))
    connection.execute(collision.insert().values(
        table_name=table, row_id=row_id, other_row_id=other_id, property_key=key, detected_at=now,
        note="证号规范化后与另一条记录为同一套房屋；本条保留原标识，未合并，请核实后处理"))


def downgrade():
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.drop_index('uq_market_swap_live_property')
        batch_op.drop_column('old_unit_code')
        batch_op.alter_column('old_property_key', new_column_name='old_certificate_hash')
    with op.batch_alter_table('swap_application', schema=None) as batch_op:
        batch_op.drop_index('ix_swap_application_old_property_key')
        batch_op.drop_column('old_unit_code')
        batch_op.alter_column('old_property_key', new_column_name='old_certificate_hash')
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('uq_listing_live_property')
        batch_op.drop_index('ix_listing_property_key')
        batch_op.drop_column('unit_code')
        batch_op.alter_column('property_key', new_column_name='certificate_hash')
    with op.batch_alter_table('title_record', schema=None) as batch_op:
        batch_op.drop_constraint('uq_title_record_property_key', type_='unique')
        batch_op.drop_column('unit_code')
        batch_op.alter_column('property_key', new_column_name='certificate_hash')
    # Indexes on the renamed columns go in their own batches (a batch resolves names before renaming).
    with op.batch_alter_table('market_swap', schema=None) as batch_op:
        batch_op.create_index('uq_market_swap_live_property', ['old_certificate_hash'], unique=True,
                              sqlite_where=sa.text(LIVE_SWAP), postgresql_where=sa.text(LIVE_SWAP))
    with op.batch_alter_table('swap_application', schema=None) as batch_op:
        batch_op.create_index('ix_swap_application_old_certificate_hash', ['old_certificate_hash'], unique=False)
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index('ix_listing_certificate_hash', ['certificate_hash'], unique=False)
        batch_op.create_index('uq_listing_live_certificate', ['certificate_hash'], unique=True,
                              sqlite_where=sa.text(LIVE_LISTING), postgresql_where=sa.text(LIVE_LISTING))
    with op.batch_alter_table('title_record', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_title_record_certificate_hash', ['certificate_hash'])
    op.drop_table('identity_collision')
    with op.batch_alter_table('property_identifier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_property_identifier_property_key'))
    op.drop_table('property_identifier')
