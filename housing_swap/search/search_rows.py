"""Keeping the embedded backend's search rows (``db/models/search_rows``) true to the live tables.

Mapper events note which listings, units, communities, projects and buildings a flush touched;
when the flush has run, the search rows of every home they touch are rewritten from the live
tables (a few statements per kind and chunk), in the same transaction. So a change is searchable exactly when it commits, a rolled-back change
never is, and a bulk import costs a few statements per chunk rather than several per row.
Bulk loads that bypass the ORM call ``rebuild``.

On SQLite the words are matched by an FTS5 table per kind (``<table>_fts``; every Han character
its own token, so a phrase query is an indexed substring match of any length); on PostgreSQL by
a trigram index on the row's ``body``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    case,
    column,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    table,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from ..db.base import chunked
from ..db.models import (
    Building,
    Community,
    Listing,
    ListingSearchRow,
    ListingStatus,
    Project,
    Unit,
    UnitSearchRow,
    UnitStatus,
)
from .query import AREA_BANDS, BEDROOM_BANDS, PRICE_BANDS, Band, Kind

HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
WORD = re.compile(r"[\w]", re.UNICODE)
CHUNK = 5_000
_DUE = "search_rows_due"

L, C, U, B, P = (Listing.__table__, Community.__table__, Unit.__table__, Building.__table__,  # type: ignore[attr-defined]
                 Project.__table__)


@dataclass(frozen=True)
class RowSource:
    """Where one kind's search rows come from."""
    table: Table                # the search row table
    text_table: str             # its SQLite FTS5 table
    source_id: ColumnElement    # the live row's id column
    select: Select         # (search row columns…) of public homes, without an id filter
    texts: Select          # (id, name, address, description, district code) of public homes


def _band(column, bands: tuple[Band, ...]):
    whens = [(and_(*([column >= band.low] if band.low is not None else []),
                   *([column < band.high] if band.high is not None else [])), literal(band.key))
             for band in bands]
    return case(*whens, else_=literal(""))


def _shared(name, address, description, district, price, unit_price, area, bedrooms, floor, lat, lon, listed_at):
    body = name.concat(" ").concat(address).concat(" ").concat(description)
    return [district.label("district_code"), name.label("name"), body.label("body"), price.label("price"),
            unit_price.label("unit_price"), area.label("area_m2"), bedrooms.label("bedrooms"),
            floor.label("floor"), lat.label("lat"), lon.label("lon"), listed_at.label("listed_at"),
            _band(price, PRICE_BANDS).label("price_band"), _band(area, AREA_BANDS).label("area_band"),
            _band(bedrooms, BEDROOM_BANDS).label("bedroom_band")]


LISTING_ROWS: Table = ListingSearchRow.__table__  # type: ignore[assignment]  # a mapped class's Table
UNIT_ROWS: Table = UnitSearchRow.__table__  # type: ignore[assignment]
_LISTING_DESCRIPTION = func.coalesce(L.c.description, "")
_LISTINGS = L.join(C, L.c.community_id == C.c.id)
_UNITS = U.join(B, U.c.building_id == B.c.id).join(P, B.c.project_id == P.c.id)
_UNIT_DESCRIPTION = literal("")

SOURCES = {
    Kind.LISTING: RowSource(
        LISTING_ROWS, "listing_search_fts", L.c.id,
        select(L.c.id, *_shared(C.c.name, C.c.address, _LISTING_DESCRIPTION, C.c.district_code, L.c.asking_price,
                                L.c.unit_price, L.c.area_m2, L.c.bedrooms, L.c.floor, C.c.lat, C.c.lon,
                                L.c.listed_at),
               L.c.community_id, L.c.build_year, L.c.has_elevator.label("elevator"))
        .select_from(_LISTINGS).where(L.c.status == ListingStatus.ACTIVE),
        select(L.c.id, C.c.name, C.c.address, _LISTING_DESCRIPTION, C.c.district_code)
        .select_from(_LISTINGS).where(L.c.status == ListingStatus.ACTIVE)),
    Kind.UNIT: RowSource(
        UNIT_ROWS, "unit_search_fts", U.c.id,
        select(U.c.id, *_shared(P.c.name, P.c.address, _UNIT_DESCRIPTION, P.c.district_code, U.c.list_price,
                                U.c.unit_price, U.c.area_m2, U.c.bedrooms, U.c.floor, P.c.lat, P.c.lon,
                                U.c.listed_at),
               P.c.id.label("project_id"), P.c.in_swap_program.label("in_program"))
        .select_from(_UNITS).where(U.c.status == UnitStatus.AVAILABLE),
        select(U.c.id, P.c.name, P.c.address, _UNIT_DESCRIPTION, P.c.district_code)
        .select_from(_UNITS).where(U.c.status == UnitStatus.AVAILABLE)),
}
TEXT_TABLES = tuple(source.text_table for source in SOURCES.values())


# ----- the text index (SQLite) ----------------------------------------------------------------

def spaced(raw: str) -> str:
    """'锦绣花园A座' → '锦 绣 花 园 A座' (Han characters become separate tokens)."""
    return " ".join(HAN.sub(r" \1 ", raw or "").split())


def match_expression(q: str, districts: Iterable[str] = ()) -> str | None:
    """An FTS5 query for ``q`` as a phrase in the texts, within these districts when any are
    given; None when ``q`` has nothing indexable (use LIKE then).

    The district codes are a column of the text index so that a word searched within a district
    is one intersection of the index's lists (a common word matches tens of thousands of homes
    city-wide, a few thousand in one district)."""
    if not WORD.search(q):
        return None
    phrase = "{name address description} : " + _quoted(spaced(q))
    codes = sorted(set(districts))
    if not codes:
        return phrase
    return f"{phrase} AND district : ({' OR '.join(_quoted(code) for code in codes)})"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def text_table(source: RowSource) -> TableClause:
    return table(source.text_table, column("rowid"), column("name"), column("address"), column("description"),
                 column("district"))


def _write_texts(connection: Connection, source: RowSource, rows: Iterable) -> None:
    values = [{"rowid": row_id, "name": spaced(name), "address": spaced(address),
               "description": spaced(description), "district": district}
              for row_id, name, address, description, district in rows]
    if values:
        connection.execute(insert(text_table(source)), values)


# ----- refreshing ------------------------------------------------------------------------------

def refresh(connection: Connection, kind: Kind, ids: Iterable[int] = (),
            parents: dict[str, Iterable[int]] | None = None) -> None:
    """Rewrite the search rows of these homes and of every home under these parents (by the
    name of the live column: ``community_id``, ``project_id``, ``building_id``), the homes that
    were under them as well as those under them now: a home no longer on public offer loses its
    row, a home moved to another parent is rewritten once."""
    source = SOURCES[kind]
    home_ids = set(ids)
    for live_column, parent_ids in (parents or {}).items():
        for chunk in chunked(sorted(set(parent_ids)), CHUNK):
            home_ids.update(connection.scalars(source.select.with_only_columns(source.source_id)
                                               .where(_LIVE_PARENTS[live_column].in_(chunk))))
            if live_column in source.table.c:
                home_ids.update(connection.scalars(select(source.table.c.id)
                                                   .where(source.table.c[live_column].in_(chunk))))
    for chunk in chunked(sorted(home_ids), CHUNK):
        _rewrite(connection, source, chunk)


def _rewrite(connection: Connection, source: RowSource, home_ids: list[int]) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        fts = text_table(source)
        connection.execute(delete(fts).where(fts.c.rowid.in_(home_ids)))
    connection.execute(delete(source.table).where(source.table.c.id.in_(home_ids)))
    _insert_rows(connection, source, source.select.where(source.source_id.in_(home_ids)))
    if sqlite:
        _write_texts(connection, source, connection.execute(source.texts.where(source.source_id.in_(home_ids))))


def _insert_rows(connection: Connection, source: RowSource, selection: Select) -> None:
    connection.execute(insert(source.table).from_select([c.name for c in selection.selected_columns], selection))


def rebuild(connection: Connection, kinds: Iterable[Kind] = tuple(Kind)) -> None:
    """Rewrite every search row from the live tables (after bulk loads, and in the migration)."""
    for kind in kinds:
        source = SOURCES[kind]
        connection.execute(delete(source.table))
        _insert_rows(connection, source, source.select)
        if connection.dialect.name == "sqlite":
            connection.execute(delete(text_table(source)))
            after = 0
            while rows := connection.execute(source.texts.where(source.source_id > after)
                                             .order_by(source.source_id).limit(CHUNK)).all():
                _write_texts(connection, source, rows)
                after = rows[-1][0]


# ----- following every ORM change --------------------------------------------------------------

# model → (kind, "id" for a home itself, else the live column that names it as the homes' parent)
_FOLLOWED = {Listing: (Kind.LISTING, "id"), Community: (Kind.LISTING, "community_id"),
             Unit: (Kind.UNIT, "id"), Project: (Kind.UNIT, "project_id"), Building: (Kind.UNIT, "building_id")}
_LIVE_PARENTS = {"community_id": L.c.community_id, "project_id": B.c.project_id, "building_id": U.c.building_id}


def install() -> None:
    """Follow every ORM insert, update and delete of the homes and their parents (idempotent)."""
    for model in _FOLLOWED:
        for event_name in ("after_insert", "after_update", "after_delete"):
            if not event.contains(model, event_name, _note):
                event.listen(model, event_name, _note)
    if not event.contains(Session, "after_flush_postexec", _refresh_noted):
        event.listen(Session, "after_flush_postexec", _refresh_noted)
        event.listen(Session, "after_soft_rollback", _forget_noted)


def _note(mapper, connection: Connection, target) -> None:
    session = Session.object_session(target)
    if session is None:
        return
    kind, by = _FOLLOWED[mapper.class_]
    due = session.info.setdefault(_DUE, {})
    due.setdefault(kind, {}).setdefault(by, set()).add(target.id)


def _refresh_noted(session: Session, flush_context) -> None:
    due = session.info.pop(_DUE, None)
    if not due:
        return
    connection = session.connection()
    for kind, noted in due.items():
        ids = noted.pop("id", ())
        refresh(connection, kind, ids, noted)


def _forget_noted(session: Session, previous_transaction) -> None:
    session.info.pop(_DUE, None)
