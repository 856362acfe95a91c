"""joined homes: a household's second old home joins its first application's new-home purchase

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03

``swap_application.joined_to_id`` names the lead application a home was joined to;
``acquisition.joined_purchase`` marks an acquisition whose new home is the lead's purchase (no
unit or contract of its own, so a unit is still claimed once). On SQLite the reference is
added with a plain ``ADD COLUMN``: a batch copy of ``swap_application`` would drop its
change-counter triggers (the downgrade has to copy it, and puts them back).
"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


FOREIGN_KEY = 'fk_swap_application_joined_to_id_swap_application'
# As 0017 installed them on SQLite (frozen here).
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS change_counter_swap_application_{operation.lower()} AFTER {operation} ON swap_application "
    "BEGIN INSERT INTO change_counter (topic, shard, changes) VALUES ('applications', abs(random()) % 8, 1) "
    "ON CONFLICT (topic, shard) DO UPDATE SET changes = changes + 1; END"
    for operation in ("INSERT", "UPDATE", "DELETE")]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    op.add_column('acquisition', sa.Column('joined_purchase', sa.Boolean(), server_default=sa.false(),
                                           nullable=False))
    if _sqlite():
        op.execute("ALTER TABLE swap_application ADD COLUMN joined_to_id INTEGER "
                   f"CONSTRAINT {FOREIGN_KEY} REFERENCES swap_application (id)")
    else:
        op.add_column('swap_application', sa.Column('joined_to_id', sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, 'swap_application', 'swap_application', ['joined_to_id'], ['id'])
    op.create_index('ix_swap_application_joined_to_id', 'swap_application', ['joined_to_id'], unique=False)


def downgrade():
    op.drop_index('ix_swap_application_joined_to_id', table_name='swap_application')
    if _sqlite():
        with op.batch_alter_table('swap_application', schema=None) as batch_op:
            batch_op.drop_column('joined_to_id')
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    else:
        op.drop_constraint(FOREIGN_KEY, 'swap_application', type_='foreignkey')
        op.drop_column('swap_application', 'joined_to_id')
    with op.batch_alter_table('acquisition', schema=None) as batch_op:
        batch_op.drop_column('joined_purchase')
