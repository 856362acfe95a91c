"""Agencies' bulk import and export of listings (CSV/XLSX), idempotent on their own reference."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd
from sqlalchemy import select

from ..db.base import chunked, insert_rows
from ..db.models import (
    Community,
    Listing,
    ListingPriceChange,
    ListingStatus,
    Role,
    User,
)
from ..db.models.listings import LIVE_LISTING_STATES
from ..domain.districts import DISTRICTS_BY_CODE
from ..domain.fields import display_text
from ..domain.listing_fields import LISTING_FIELDS, parse_listing_columns, unit_price
from ..domain.timezones import beijing_today
from ..extensions import db
from .audit import record_event
from .errors import Conflict, Forbidden
from .imports import RowError, raise_row_errors
from .listings import (
    EDITABLE_IDENTITY_STATES,
    IDENTITY_FIELDS,
    cipher,
    resolve_community,
)
from .property_identity import property_keys
from .search_outbox import enqueue, enqueue_many
from .spreadsheets import Upload, read_table, write_table
from .unit_of_work import use_case

LABELS = {f.name: f.label for f in LISTING_FIELDS}
FORMER_HEADERS = {former: f.label for f in LISTING_FIELDS for former in f.former_labels}
REQUIRED_HEADERS = [f.label for f in LISTING_FIELDS if f.required] + [LABELS["agency_reference"]]
PROGRESS_EVERY = 500
INSERT_CHUNK = 2_000


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    VALID_ROWS = "valid_rows"


@dataclass
class ListingImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def skipped_rows(self) -> int:
        return len({error.row for error in self.errors})

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "skipped_rows": self.skipped_rows,
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors]}


@use_case
def import_listings(upload: Upload, user: User, mode: ImportMode,
                    progress: Callable[[int, int], None] = lambda done, total: None) -> ListingImportResult:
    if user.role != Role.AGENCY_STAFF:
        raise Forbidden("只有经纪机构可以批量导入房源")
    frame = read_table(upload).rename(columns=FORMER_HEADERS)
    missing = [header for header in REQUIRED_HEADERS if header not in frame.columns]
    if missing:
        raise_row_errors([RowError(1, header, "缺少该列") for header in missing])
    parsed, errors = _parse_rows(frame)
    existing = _listings_named(user.organization_id, [values["agency_reference"] for _, values in parsed])
    errors += _identify(parsed)
    parsed = [(row, values) for row, values in parsed if "property_key" in values]
    errors += _duplicates_within_file(parsed)
    errors += _conflicts_with_other_listings(parsed, user.organization_id)
    errors += _identity_changes_after_submission(parsed, existing)
    if errors and mode == ImportMode.ALL_OR_NOTHING:
        raise_row_errors(sorted(errors, key=lambda e: e.row))
    bad_rows = {error.row for error in errors}
    result = ListingImportResult(errors=sorted(errors, key=lambda e: e.row))
    _write_rows([(row, values) for row, values in parsed if row not in bad_rows], existing, user, result,
                progress)
    record_event("listing.import", "organization", user.organization_id, actor=user,
                 after={"file": upload.filename, "mode": mode.value, **result.as_dict(),
                        "errors": len(result.errors)})
    return result


def _parse_rows(frame: pd.DataFrame) -> tuple[list[tuple[int, dict]], list[RowError]]:
    columns = {f.name: frame[f.label].tolist() for f in LISTING_FIELDS if f.label in frame.columns}
    parsed, errors = [], []
    for row_number, (values, problems) in enumerate(parse_listing_columns(columns, len(frame)), start=2):
        if not values.get("agency_reference") and "agency_reference" not in problems:
            problems["agency_reference"] = [f"{LABELS['agency_reference']}为必填项（用于重复导入时识别房源）"]
        for name, messages in problems.items():
            errors.extend(RowError(row_number, LABELS[name], message) for message in messages)
        if not problems:
            parsed.append((row_number, values))
    return parsed, errors


def _listings_named(organization_id: int | None, references: list[str]) -> dict[str, Listing]:
    """The organization's listings that rows of the file name by reference (not all of them:
    an agency with many listings re-importing a few would load every one)."""
    found: dict[str, Listing] = {}
    for chunk in chunked(sorted(set(references)), 500):
        found.update((listing.agency_reference, listing) for listing in db.session.scalars(
            select(Listing).where(Listing.organization_id == organization_id, Listing.agency_reference.in_(chunk))))
    return found


def _identify(parsed: list[tuple[int, dict]]) -> list[RowError]:
    """Give each row the key of the home it names (two identifiers of two homes: a row error)."""
    errors = []
    keys = property_keys([(values["certificate_number"], values["unit_code"]) for _, values in parsed])
    for (row, values), key in zip(parsed, keys, strict=True):
        if isinstance(key, Conflict):
            errors.append(RowError(row, LABELS["unit_code"], key.message))
        else:
            values["property_key"] = key
    return errors


def _duplicates_within_file(parsed: list[tuple[int, dict]]) -> list[RowError]:
    errors, seen_reference, seen_certificate = [], {}, {}
    for row, values in parsed:
        for key, seen, label in ((values["agency_reference"], seen_reference, LABELS["agency_reference"]),
                                 (values["property_key"], seen_certificate, LABELS["certificate_number"])):
            if key in seen:
                errors.append(RowError(row, label, f"与第{seen[key]}行重复"))
            else:
                seen[key] = row
    return errors


def _conflicts_with_other_listings(parsed: list[tuple[int, dict]], organization_id: int) -> list[RowError]:
    """A property already live elsewhere (another agency or its owner) cannot be imported."""
    hashes = {values["property_key"]: (row, values) for row, values in parsed}
    errors = []
    for chunk in chunked(list(hashes), 500):
        live = db.session.execute(select(Listing.property_key, Listing.organization_id, Listing.agency_reference)
                                  .where(Listing.property_key.in_(chunk), Listing.status.in_(LIVE_LISTING_STATES)))
        for key, org_id, reference in live:
            row, values = hashes[key]
            if org_id != organization_id or reference != values["agency_reference"]:
                errors.append(RowError(row, LABELS["certificate_number"],
                                       "该房产已有其他有效房源（同一房产只能有一条有效房源）"))
    return errors


def _identity_changes_after_submission(parsed: list[tuple[int, dict]],
                                       existing: dict[str, Listing]) -> list[RowError]:
    errors = []
    for row, values in parsed:
        listing = existing.get(values["agency_reference"])
        if listing is None or listing.status in EDITABLE_IDENTITY_STATES:
            continue
        current = listing_values(listing)
        changed = [name for name in IDENTITY_FIELDS
                   if name != "owner_id_number" and current[name] != values[name]]
        errors.extend(RowError(row, LABELS[name], "房源已提交核验，产权信息不能通过导入修改") for name in changed)
    return errors


def _write_rows(rows: list[tuple[int, dict]], existing: dict[str, Listing], user: User,
                result: ListingImportResult, progress: Callable[[int, int], None]) -> None:
    """New listings go in as bulk inserts a chunk at a time (the unit of work's per-object
    bookkeeping was most of an import's time); changed ones are updated through the ORM, with
    their price history."""
    communities = _CommunityCache()
    new_rows: list[dict] = []
    touched: list[Listing] = []
    for done, (_, values) in enumerate(rows, start=1):
        listing = existing.get(values["agency_reference"])
        if listing is None:
            new_rows.append(values)
        elif _differs(listing, values):
            _record_price_change(listing, values, user)
            _fill(listing, values, communities)
            result.updated += 1
            touched.append(listing)
        else:
            result.unchanged += 1
        if done % PROGRESS_EVERY == 0 or done == len(rows):
            progress(done, len(rows))
    db.session.flush()
    for listing in touched:
        enqueue("listing", listing.id, listing.version)
    result.created = _insert_new(new_rows, user, communities)


def _insert_new(rows: list[dict], user: User, communities: _CommunityCache) -> int:
    """Insert new draft listings in chunks, each with its search outbox entry."""
    for chunk in chunked(rows, INSERT_CHUNK):
        columns = [{**_listing_columns(values, communities), "status": ListingStatus.DRAFT,
                    "organization_id": user.organization_id, "agent_user_id": user.id} for values in chunk]
        ids = insert_rows(db.session, Listing, columns)
        # No search rows to write: a new draft is not on public offer, and its id had none before.
        enqueue_many("listing", [(listing_id, 1) for listing_id in ids])
    return len(rows)


class _CommunityCache:
    def __init__(self):
        self._known: dict[tuple[str, str], Community] = {
            (c.district_code, c.name): c for c in db.session.scalars(select(Community))}

    def get(self, values: dict) -> Community:
        key = (values["district_code"], values["community"])
        if key not in self._known:
            self._known[key] = resolve_community(values["community"], values["district_code"],
                                                 values["address"], values["build_year"])
        return self._known[key]


_COPIED = ("agency_reference", "building_no", "unit_no", "room_no", "floor", "total_floors", "area_m2",
           "inner_area_m2", "bedrooms", "living_rooms", "bathrooms", "orientation", "decoration", "build_year",
           "has_elevator", "property_type", "contact_name", "contact_phone", "certificate_number", "unit_code",
           "property_key")


def _listing_columns(values: dict, communities: _CommunityCache) -> dict:
    """A listing's columns from one parsed row (new or changed alike)."""
    columns = {name: values[name] for name in _COPIED}
    columns.update(community_id=communities.get(values).id, description=values["description"] or "",
                   asking_price=values["asking_price"], unit_price=unit_price(values["asking_price"], values["area_m2"]))
    if values["owner_id_number"]:
        columns["owner_id_hash"] = cipher().lookup_hash(values["owner_id_number"], "id_number")
    return columns


def _fill(listing: Listing, values: dict, communities: _CommunityCache) -> None:
    for name, value in _listing_columns(values, communities).items():
        setattr(listing, name, value)


def _record_price_change(listing: Listing, values: dict, user: User) -> None:
    if values["asking_price"] != listing.asking_price:
        db.session.add(ListingPriceChange(listing=listing, old_price=listing.asking_price,
                                          new_price=values["asking_price"], changed_by_user_id=user.id))


def listing_values(listing: Listing) -> dict:
    """A listing's fields keyed like ``parse_listing_fields`` output (owner ID is never kept)."""
    return {
        "agency_reference": listing.agency_reference, "community": listing.community.name,
        "district_code": listing.community.district_code, "address": listing.community.address,
        "building_no": listing.building_no, "unit_no": listing.unit_no, "room_no": listing.room_no,
        "floor": listing.floor, "total_floors": listing.total_floors, "area_m2": listing.area_m2,
        "inner_area_m2": listing.inner_area_m2, "bedrooms": listing.bedrooms,
        "living_rooms": listing.living_rooms, "bathrooms": listing.bathrooms,
        "orientation": listing.orientation, "decoration": listing.decoration,
        "build_year": listing.build_year, "has_elevator": listing.has_elevator,
        "property_type": listing.property_type, "certificate_number": listing.certificate_number,
        "unit_code": listing.unit_code, "owner_id_number": None, "asking_price": listing.asking_price,
        "description": listing.description or None, "contact_name": listing.contact_name,
        "contact_phone": listing.contact_phone,
    }


def _differs(listing: Listing, values: dict) -> bool:
    current = listing_values(listing)
    owner_changed = values["owner_id_number"] and (
        cipher().lookup_hash(values["owner_id_number"], "id_number") != listing.owner_id_hash)
    return owner_changed or any(current[name] != values[name] for name in current if name != "owner_id_number")


# ----- export and template ----------------------------------------------------------------

def _export_row(listing: Listing) -> list[str]:
    """The listing as its import row: the district by name, as the template spells it."""
    values = listing_values(listing)
    values["district_code"] = DISTRICTS_BY_CODE[values["district_code"]].name
    return [display_text(values[f.name]) for f in LISTING_FIELDS]


@use_case
def export_listings(user: User, file_format: str) -> bytes:
    if user.role != Role.AGENCY_STAFF:
        raise Forbidden("只有经纪机构可以导出房源")
    listings = db.session.scalars(select(Listing).where(Listing.organization_id == user.organization_id)
                                  .order_by(Listing.id))
    rows = [_export_row(listing) for listing in listings]
    frame = pd.DataFrame(rows, columns=[f.label for f in LISTING_FIELDS])
    record_event("listing.export", "organization", user.organization_id, actor=user,
                 after={"format": file_format, "rows": len(rows)})
    return write_table(frame, file_format, sheet_name="房源")


def import_template(file_format: str) -> bytes:
    example = {
        "agency_reference": "A-0001", "community": "锦绣花园", "district_code": "金水区",
        "address": "金水区花园路100号", "building_no": "3号楼", "unit_no": "2单元", "room_no": "602",
        "floor": 6, "total_floors": 18, "area_m2": "89.50", "inner_area_m2": "72.30", "bedrooms": 2,
        "living_rooms": 1, "bathrooms": 1, "orientation": "南北", "decoration": "精装",
        "build_year": beijing_today().year - 12, "has_elevator": True, "property_type": "商品房",
        "certificate_number": "豫(2016)郑州市不动产权第0012345号", "unit_code": "", "owner_id_number": "",
        "asking_price": 1_350_000, "description": "南北通透，近地铁", "contact_name": "王经理",
        "contact_phone": "13800001234",
    }
    frame = pd.DataFrame([[display_text(example[f.name]) for f in LISTING_FIELDS]],
                         columns=[f.label for f in LISTING_FIELDS])
    return write_table(frame, file_format, sheet_name="房源")
