"""Hostile input never breaks the platform or its reports: control characters are refused in
every form, JSON body, query string and spreadsheet cell; what is already stored cannot break an
export; nesting, huge numbers and loose dates are refused with a clear answer, never a 500."""
import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select, update

from housing_swap.db.models import GoalLedgerEntry, LedgerEntryType, Listing, Role
from housing_swap.domain.listing_fields import LISTING_FIELDS
from housing_swap.domain.text import control_character_problem, printable
from housing_swap.extensions import db
from housing_swap.services.imports import ImportRejected
from housing_swap.services.spreadsheets import Upload, read_table
from tests.acquisitions.helpers import Cast, drive_to, reverse_by_two, swap_fields
from tests.factories import valid_id_number
from tests.listings.helpers import listing_fields
from tests.listings.test_api import token_for
from tests.matching.helpers import units_on_sale
from tests.monitoring.exports import exported

CONTROL_CHARACTERS = ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"]


@pytest.fixture
def agency_headers(make, client):
    make.staff(Role.AGENCY_STAFF, username="hostile-agent")
    return token_for(client, "hostile-agent")


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_a_control_character_in_any_json_field_is_refused_and_nothing_is_written(client, agency_headers, character):
    response = client.post("/api/v1/listings", json=listing_fields(community=f"锦绣{character}花园"),
                           headers=agency_headers)
    assert response.status_code == 422
    assert "community" in response.get_json()["error"]["details"]
    assert db.session.scalar(select(func.count(Listing.id))) == 0


def test_nested_keys_and_query_strings_are_checked_too(client, agency_headers):
    nested = client.post("/api/v1/eligibility", json={"channel": "city_group", "old_home": {
        "district_code": "410105\x0b", "build_year": 2012, "area_m2": "90", "seized": False}})
    assert nested.status_code == 422
    assert "old_home.district_code" in nested.get_json()["error"]["details"]
    query = client.get("/api/v1/listings?q=%E9%87%91%0B%E6%B0%B4")
    assert query.status_code == 422
    assert "q" in query.get_json()["error"]["details"]


def test_single_line_fields_refuse_line_breaks_and_descriptions_keep_them(client, agency_headers):
    broken = client.post("/api/v1/listings", json=listing_fields(room_no="601\n602"), headers=agency_headers)
    assert broken.status_code == 422
    assert "换行" in broken.get_json()["error"]["details"]["room_no"][0]
    kept = client.post("/api/v1/listings", json=listing_fields(description="南北通透\n近地铁\t学区"),
                       headers=agency_headers)
    assert kept.status_code == 201


def test_a_page_form_with_a_control_character_answers_a_clear_page(client, make, login):
    make.household(phone="13700001111")
    login("13700001111")
    page = client.post("/my/listings/new", data=listing_fields(contact_name="王\x0b经理"))
    assert page.status_code == 422
    assert "控制字符" in page.get_data(as_text=True)


def test_a_spreadsheet_cell_with_a_control_character_is_a_row_error():
    frame = pd.DataFrame([[listing_fields(community="锦绣\x1b花园").get(f.name, "") for f in LISTING_FIELDS]],
                         columns=[f.label for f in LISTING_FIELDS])
    with pytest.raises(ImportRejected) as refused:
        read_table(Upload("listings.csv", frame.to_csv(index=False).encode("utf-8")))
    assert [(e.row, e.column) for e in refused.value.row_errors] == [(2, "小区名称")]


def test_a_stored_control_character_never_breaks_the_workbook_or_the_csv(client, make, login):
    """Rows written before the refusal existed (the ledger is append-only) are exported safely."""
    entry = drive_to(Cast(make), "completed")
    counted = db.session.scalar(select(GoalLedgerEntry).where(GoalLedgerEntry.acquisition_id == entry.id))
    reverse_by_two(make, counted.id, "购房合同已经解除，网签已注销")
    db.session.execute(update(GoalLedgerEntry).where(GoalLedgerEntry.entry_type == LedgerEntryType.REVERSAL)
                       .values(reason="合同\x0b解除\x1f"))  # PostgreSQL cannot store NUL at all
    db.session.commit()
    login(make.staff(Role.BUREAU_ADMIN).username)
    workbook = exported(client)
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    reasons = [cell.value for row in book["台账明细"].iter_rows() for cell in row if cell.value]
    assert "合同\ufffd解除\ufffd" in reasons
    csv = exported(client, "ledger")
    assert csv.status_code == 200
    assert "\x0b" not in csv.data.decode("utf-8-sig")
    assert csv.headers["Content-Type"].count("charset") == 1


def test_deeply_nested_json_is_a_bad_request_with_the_envelope(client, agency_headers):
    deep = "[" * 100_000 + "]" * 100_000
    for path in ("/api/v1/eligibility", "/api/v1/listings"):
        response = client.post(path, data=deep, content_type="application/json", headers=agency_headers)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("path", [
    "/api/v1/listings/12214854572776188018688", "/api/v1/units/99999999999999999999",
    "/api/v1/ledger/entries?project=12214854572776188018688",
    "/api/v1/acquisition-queue?min_days=211237463438", "/api/v1/listings?page=%C2%B2",
    "/api/v1/listings?min_price=" + "9" * 5000,
])
def test_huge_or_odd_numbers_answer_404_or_422_never_500(client, make, path):
    headers = token_for(client, make.staff(Role.BUREAU_ADMIN).username)
    assert client.get(path, headers=headers).status_code in (403, 404, 422)


def test_pages_ignore_numbers_they_cannot_use(client, make, login):
    login(make.staff(Role.BUREAU_ADMIN).username)
    for path in ("/bureau/applications?page=%C2%B2", "/admin/users?page=99999999999999999999999",
                 "/bureau/dashboard?stall_days=" + "9" * 5000):
        assert client.get(path).status_code == 200, path


def test_another_companys_unit_answers_404_before_validation(client, make):
    unit = units_on_sale(make)[0]
    make.staff(Role.DEVELOPER_STAFF, username="rival-developer")
    response = client.post(f"/api/v1/units/{unit.id}/status", json={"status": "bogus"},
                           headers=token_for(client, "rival-developer"))
    assert response.status_code == 404


def test_the_text_rules_themselves():
    assert control_character_problem("正常文本") is None
    assert "U+000B" in control_character_problem("a\x0bb")
    assert control_character_problem("两行\n文本")
    assert control_character_problem("两行\n文本", multiline=True) is None
    assert printable("a\x00b\u200bc") == "a\ufffdb\u200bc"


def test_dates_are_strict_iso_everywhere(client, make):
    household = make.household(id_number=valid_id_number(77))
    headers = token_for(client, household.phone)
    for typed in ("2024-05-01T99:99", "2024-05-01 junk", "2024/05/01", "20240501"):
        fields = swap_fields("豫(2016)郑州市不动产权第0000777号", 7, old_sale_on=typed)
        response = client.post("/api/v1/market-swaps", json=fields, headers=headers)
        assert response.status_code in (403, 422), typed
        assert "old_sale_on" in str(response.get_json()), typed
