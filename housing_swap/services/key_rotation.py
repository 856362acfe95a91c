"""Re-sealing every encrypted value with the current data key (``flask keys rotate``).

After a new ``HOUSING_SWAP_DATA_KEY`` is configured (the old one moved to
``HOUSING_SWAP_OLD_DATA_KEYS``), values sealed with the old key still open; this walks every
encrypted column in primary-key order and re-seals what is not yet under the current key, one
committed batch at a time, so an interrupted run resumes where it stopped and app machines keep
serving throughout. When it reports nothing left, the old key can be removed.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Column, CursorResult, Row, String, Table, func, literal, select, type_coerce, update

from ..db.base import Base, EncryptedString
from ..extensions import db
from .audit import record_event
from .unit_of_work import unit_of_work

BATCH_ROWS = 500


@dataclass(frozen=True)
class EncryptedColumn:
    table: Table
    column: Column

    @property
    def sealed_type(self) -> EncryptedString:
        assert isinstance(self.column.type, EncryptedString)
        return self.column.type

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"


@dataclass
class RotationReport:
    current_key_id: str
    resealed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.resealed.values())


def encrypted_columns() -> list[EncryptedColumn]:
    return [EncryptedColumn(table, column)
            for table in Base.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, EncryptedString)]


def sealed_value_count() -> int:
    """How many values the rotation will look at (for a progress bar)."""
    return sum(db.session.scalar(select(func.count()).where(item.column.is_not(None))) or 0
               for item in encrypted_columns())


def rotate_data_key(advance: Callable[[int], None] = lambda n: None, batch: int = BATCH_ROWS) -> RotationReport:
    cipher = current_app.extensions["field_cipher"]
    report = RotationReport(cipher.current_key_id)
    for item in encrypted_columns():
        report.resealed[item.name] = sum(_reseal(item, rows, cipher) for rows in _batches(item, batch, advance))
    with unit_of_work():
        record_event("keys.rotate", "data_key", cipher.current_key_id,
                     after={"resealed": report.total, "columns": report.resealed})
    return report


def _batches(item: EncryptedColumn, size: int, advance: Callable[[int], None]) -> Iterator[Sequence[Row]]:
    key = _primary_key(item.table)
    after = None
    while True:
        query = select(key, type_coerce(item.column, String)).where(item.column.is_not(None))
        if after is not None:
            query = query.where(key > after)
        rows = db.session.execute(query.order_by(key).limit(size)).all()
        if not rows:
            return
        yield rows
        advance(len(rows))
        after = rows[-1][0]


def _reseal(item: EncryptedColumn, rows: Sequence[Row], cipher) -> int:
    context = item.sealed_type.context
    key, sealed = _primary_key(item.table), type_coerce(item.column, String)
    resealed = 0
    with unit_of_work():
        for row_id, token in rows:
            if cipher.is_current(token):
                continue
            # Only if the value is still the one read: one changed meanwhile is already current.
            result: CursorResult = db.session.execute(  # type: ignore[assignment]
                update(item.table).where(key == row_id, sealed == token)
                .values({item.column: literal(cipher.reencrypt(token, context), String),
                         **_unchanged_update_stamps(item.table)}))
            resealed += result.rowcount
    return resealed


def _unchanged_update_stamps(table: Table) -> dict:
    """Re-sealing changes no fact: columns stamped on update (``updated_at``) keep their value."""
    return {column: column for column in table.columns if column.onupdate is not None}


def _primary_key(table: Table) -> Column:
    (key,) = table.primary_key.columns
    return key
