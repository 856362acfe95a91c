"""Declarative base with a naming convention, so Alembic constraint names are stable."""
from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, cast

from flask import current_app
from sqlalchemy import (
    BigInteger,
    DateTime,
    Enum,
    MetaData,
    Numeric,
    String,
    Table,
    TypeDecorator,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Money is a whole number of yuan; areas are m² with two decimal places.
MONEY = BigInteger()
AREA = Numeric(10, 2)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in Python on every backend (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class EncryptedString(TypeDecorator):
    """A personal identifier stored AES-GCM encrypted; plaintext only in Python.

    ``context`` names the field and is bound into the ciphertext as associated data.
    The cipher comes from the running app, whose data key is configuration.
    """

    impl = String(255)
    cache_ok = True

    def __init__(self, context: str):
        super().__init__()
        self.context = context

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return current_app.extensions["field_cipher"].encrypt(value, self.context)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return current_app.extensions["field_cipher"].decrypt(value, self.context)


def enum_type(enum_class: type[enum.Enum], name: str) -> Enum:
    """Store an enum's values as VARCHAR with a named CHECK constraint (portable, migratable)."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: objects that live only in migrations, not in the models: PostgreSQL's
    trigram indexes (0004) and SQLite's FTS5 tables with their shadow tables (0005)."""
    if not reflected or not name:
        return True
    if type_ == "index":
        return not name.endswith("_trgm")
    if type_ == "table":
        return "_fts" not in name
    return True


LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards escaped (use with ``escape=LIKE_ESCAPE``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, wildcards in ``text`` taken literally."""
    return f"%{escape_like(text)}%"


def chunked(items: list, size: int = 1000):
    """``items`` in slices, so an ``IN (…)`` list stays within every backend's parameter limit."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def insert_unless_present(session: Session | scoped_session, model: type, keys: tuple[str, ...],
                          values: dict) -> bool:
    """INSERT … ON CONFLICT (keys) DO NOTHING, on PostgreSQL and SQLite alike: a concurrent
    insert of the same key waits for the other transaction and then leaves its row in place.
    True when this call inserted the row. A Core statement: mapper events do not see it."""
    result = session.execute(_insert_or_skip(session, model, keys).values(**values))
    return bool(getattr(result, "rowcount", 0))


def insert_all_unless_present(session: Session | scoped_session, model: type, keys: tuple[str, ...],
                              rows: list[dict], chunk: int = 1000) -> None:
    """``insert_unless_present`` for many rows, a chunk to a statement (each row's values with
    the same columns)."""
    for part in chunked(rows, chunk):
        session.execute(_insert_or_skip(session, model, keys), part)


def _insert_or_skip(session: Session | scoped_session, model: type, keys: tuple[str, ...]):
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing(index_elements=list(keys))


def insert_rows(session: Session | scoped_session, model: type, rows: list[dict]) -> list[int]:
    """Insert many new rows of ``model`` (each with the same columns) and return their ids, in
    no particular order. Column defaults are applied as an ORM insert would apply them.

    On PostgreSQL the ids come from the table's sequence in one statement and the rows go in
    through ``COPY``: the rows travel as data, where a multi-row ``INSERT`` is one statement of
    tens of thousands of placeholders that the driver parses anew every time. Elsewhere, one
    ``INSERT … RETURNING`` per page of rows.
    """
    if not rows:
        return []
    table: Table = model.__table__  # type: ignore[attr-defined]  # a mapped class's Table
    if session.get_bind().dialect.name != "postgresql":
        return list(session.scalars(table.insert().returning(table.c.id), rows))
    ids = list(session.scalars(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                    "FROM generate_series(1, :count)"), {"table": table.name, "count": len(rows)}))
    defaults = {c.name: make for c in table.c if c.name not in rows[0] and (make := _python_default(c))}
    columns = ["id", *rows[0], *defaults]
    dialect = session.get_bind().dialect
    processors = {name: table.c[name].type.bind_processor(dialect) for name in columns}
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"  # names from the model, never input
    cursor = cast(Any, session.connection().connection.dbapi_connection).cursor()
    try:
        with cursor.copy(statement) as copy:
            for row_id, row in zip(ids, rows, strict=True):
                values = {"id": row_id, **row, **{name: make() for name, make in defaults.items()}}
                copy.write_row([_bound(processors[name], values[name]) for name in columns])
    except cast(Any, dialect.dbapi).IntegrityError as error:  # as SQLAlchemy raises it, for the transaction boundary
        raise IntegrityError(statement, None, error) from error
    return ids


def _python_default(column):
    """A zero-argument maker of the column's Python-side default, or None."""
    default = column.default
    if default is None or not getattr(default, "is_scalar", False) and not getattr(default, "is_callable", False):
        return None
    return (lambda: default.arg(None)) if default.is_callable else (lambda: default.arg)


def _bound(processor, value):
    return processor(value) if processor is not None and value is not None else value
