"""search and alerts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

"""
import sqlalchemy as sa
from alembic import op
from pypinyin import Style, lazy_pinyin

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_outbox'))
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('query_string', sa.String(length=1000), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_saved_search_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search'))
    )
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_initials', sa.String(length=120), nullable=False, server_default=''))

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_initials', sa.String(length=120), nullable=False, server_default=''))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_price', sa.BigInteger(), nullable=False, server_default='0'))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), nullable=True))
    op.execute("UPDATE unit SET unit_price = CAST(ROUND(list_price / area_m2) AS BIGINT)")
    _backfill_initials()


def _initials(text):
    letters = (syllable[:1] for syllable in lazy_pinyin(text, style=Style.FIRST_LETTER))
    return "".join(letter for letter in letters if letter.isascii() and letter.isalpha()).lower()


def _backfill_initials():
    """Existing communities and projects get the initials new rows get on write."""
    connection = op.get_bind()
    districts = dict(connection.execute(sa.text("SELECT code, name FROM district")).all())
    for table in ("community", "project"):
        rows = connection.execute(sa.text(f"SELECT id, name, district_code FROM {table}")).all()
        for row_id, name, district_code in rows:
            value = f"{_initials(name)} {_initials(districts.get(district_code, ''))}".strip()
            connection.execute(sa.text(f"UPDATE {table} SET search_initials = :value WHERE id = :id"),
                               {"value": value, "id": row_id})


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('unit_price')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('search_initials')

    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_column('search_initials')

    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_user_id'))

    op.drop_table('saved_search')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))

    op.drop_table('notification')
    op.drop_table('email_outbox')
