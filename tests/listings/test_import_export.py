"""Agency bulk import (CSV/XLSX) and export."""
import io
import zipfile

import pandas as pd
import pytest
from sqlalchemy import func, select

from housing_swap.db.models import (
    Listing,
    ListingPriceChange,
    ListingStatus,
    OrganizationKind,
    Role,
)
from housing_swap.domain.listing_fields import LISTING_FIELDS
from housing_swap.extensions import db
from housing_swap.services import listings as service
from housing_swap.services.errors import Forbidden, ValidationFailed
from housing_swap.services.imports import ImportRejected
from housing_swap.services.listing_import import (
    ImportMode,
    export_listings,
    import_listings,
    import_template,
)
from housing_swap.services.listings import StatusChange
from housing_swap.services.spreadsheets import Upload, read_table
from tests.listings.helpers import listing_fields

HEADERS = [f.label for f in LISTING_FIELDS]


def frame_of(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([[row[f.name] for f in LISTING_FIELDS] for row in rows], columns=HEADERS)


def as_upload(frame: pd.DataFrame, file_format: str = "csv") -> Upload:
    if file_format == "csv":
        return Upload("listings.csv", frame.to_csv(index=False).encode("utf-8-sig"))
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return Upload("listings.xlsx", buffer.getvalue())


def count_listings() -> int:
    return db.session.scalar(select(func.count(Listing.id)))


@pytest.fixture
def agent(make):
    return make.staff(Role.AGENCY_STAFF)


def five_thousand_rows_with_fifty_bad() -> tuple[list[dict], set[int]]:
    rows = [listing_fields(room_no=str(1000 + i)) for i in range(5000)]
    bad_rows = set()
    for i in range(0, 5000, 100):
        rows[i]["area_m2"] = "九十"     # not a number
        bad_rows.add(i + 2)             # spreadsheet row number (header is row 1)
    return rows, bad_rows


@pytest.mark.slow
def test_5000_rows_with_50_bad_all_or_nothing_writes_nothing(app, agent):
    rows, bad_rows = five_thousand_rows_with_fifty_bad()
    with pytest.raises(ImportRejected) as rejected:
        import_listings(as_upload(frame_of(rows)), agent, ImportMode.ALL_OR_NOTHING)
    assert {error.row for error in rejected.value.row_errors} == bad_rows
    assert all(error.column == "建筑面积" for error in rejected.value.row_errors)
    db.session.rollback()
    assert count_listings() == 0


@pytest.mark.slow
def test_5000_rows_with_50_bad_valid_rows_mode_writes_4950(app, agent):
    rows, bad_rows = five_thousand_rows_with_fifty_bad()
    result = import_listings(as_upload(frame_of(rows), "xlsx"), agent, ImportMode.VALID_ROWS)
    assert result.created == 4950
    assert result.skipped_rows == 50
    assert {error.row for error in result.errors} == bad_rows
    assert count_listings() == 4950


def test_reimporting_the_same_file_changes_nothing(app, agent):
    upload = as_upload(frame_of([listing_fields() for _ in range(20)]))
    first = import_listings(upload, agent, ImportMode.ALL_OR_NOTHING)
    versions = dict(db.session.execute(select(Listing.id, Listing.version)).all())
    second = import_listings(upload, agent, ImportMode.ALL_OR_NOTHING)
    assert (first.created, second.created, second.updated, second.unchanged) == (20, 0, 0, 20)
    assert dict(db.session.execute(select(Listing.id, Listing.version)).all()) == versions


def test_changed_price_updates_and_is_recorded(app, agent):
    rows = [listing_fields() for _ in range(3)]
    import_listings(as_upload(frame_of(rows)), agent, ImportMode.ALL_OR_NOTHING)
    rows[1]["asking_price"] = "1200000"
    result = import_listings(as_upload(frame_of(rows)), agent, ImportMode.ALL_OR_NOTHING)
    assert (result.updated, result.unchanged) == (1, 2)
    change = db.session.scalar(select(ListingPriceChange))
    assert (change.old_price, change.new_price) == (1350000, 1200000)


def test_export_reimports_cleanly_in_both_formats(app, agent):
    import_listings(as_upload(frame_of([listing_fields() for _ in range(10)])), agent, ImportMode.ALL_OR_NOTHING)
    for file_format in ("csv", "xlsx"):
        exported = export_listings(agent, file_format)
        frame = read_table(Upload(f"export.{file_format}", exported))
        assert list(frame.columns) == HEADERS
        assert len(frame) == 10
        assert set(frame["所在区县"]) == {"金水区"}  # as the template spells it, not 410105
        assert set(frame["所在楼层"]) <= {str(n) for n in range(1, 100)}  # integers, no ".0"
        result = import_listings(Upload(f"export.{file_format}", exported), agent, ImportMode.ALL_OR_NOTHING)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 10)


def test_duplicates_within_the_file_and_across_agencies(app, agent, make):
    shared = listing_fields()
    import_listings(as_upload(frame_of([shared])), agent, ImportMode.ALL_OR_NOTHING)
    mine = db.session.scalar(select(Listing))
    service.change_status(mine.id, StatusChange(ListingStatus.SUBMITTED), agent)
    other_agent = make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY))
    again = listing_fields()
    rows = [{**shared, "agency_reference": "OTHER-1"}, again, {**again, "room_no": "999"}]
    with pytest.raises(ImportRejected) as rejected:
        import_listings(as_upload(frame_of(rows)), other_agent, ImportMode.ALL_OR_NOTHING)
    messages = {(e.row, e.column): e.message for e in rejected.value.row_errors}
    assert "其他有效房源" in messages[(2, "不动产权证号")]
    assert messages[(4, "机构房源编号")] == "与第3行重复"


def test_missing_columns_and_bad_files_are_refused(app, agent):
    frame = frame_of([listing_fields()]).drop(columns=["建筑面积"])
    with pytest.raises(ImportRejected) as rejected:
        import_listings(as_upload(frame), agent, ImportMode.ALL_OR_NOTHING)
    assert rejected.value.row_errors[0].column == "建筑面积"
    for upload in (Upload("x.txt", b"hello"), Upload("x.xlsx", b"not a zip"), Upload("x.csv", b"")):
        with pytest.raises(ValidationFailed) as refused:
            import_listings(upload, agent, ImportMode.ALL_OR_NOTHING)
        assert refused.value.details["file"]
    assert count_listings() == 0


def test_xlsx_decompression_bomb_is_refused(app, agent):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(ValidationFailed, match="解压后过大") as refused:
        import_listings(Upload("bomb.xlsx", buffer.getvalue()), agent, ImportMode.ALL_OR_NOTHING)
    assert "解压后过大" in refused.value.message


def test_template_imports_as_one_valid_row(app, agent):
    result = import_listings(Upload("template.xlsx", import_template("xlsx")), agent, ImportMode.ALL_OR_NOTHING)
    assert result.created == 1


def test_formula_cells_are_neutralised_on_export(app, agent):
    import_listings(as_upload(frame_of([listing_fields(description="=HYPERLINK(\"x\")")])), agent,
                    ImportMode.ALL_OR_NOTHING)
    exported = export_listings(agent, "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in exported
    assert db.session.scalar(select(Listing.description)) == '=HYPERLINK("x")'


def test_households_cannot_bulk_import(app, make):
    with pytest.raises(Forbidden):
        import_listings(as_upload(frame_of([listing_fields()])), make.household(), ImportMode.VALID_ROWS)


def test_files_made_from_an_earlier_template_still_import(app, agent):
    """The home's fields now share one label everywhere; the earlier headers (区县, 室, 电梯) still read."""
    earlier = {f.label: f.former_labels[0] for f in LISTING_FIELDS if f.former_labels}
    assert set(earlier.values()) == {"区县", "室", "电梯"}
    frame = frame_of([listing_fields(room_no="2101", bedrooms="4", has_elevator="否")]).rename(columns=earlier)
    result = import_listings(as_upload(frame), agent, ImportMode.ALL_OR_NOTHING)
    assert result.created == 1
    listing = db.session.scalars(select(Listing)).one()
    assert (listing.bedrooms, listing.has_elevator) == (4, False)
