"""One home, one identity: every spelling of a certificate number, and a real-estate unit code,
name the same home to listings, applications, market swaps, acquisitions and the ledger."""
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from housing_swap.db.models import IdentityCollision, ListingStatus
from housing_swap.domain.identity import (
    canonical_certificate,
    canonical_contract_number,
    canonical_id_number,
    canonical_phone,
    canonical_unit_code,
    unit_code_problem,
)
from housing_swap.extensions import db
from housing_swap.services import listings, market_swaps
from housing_swap.services.errors import Conflict
from housing_swap.services.property_identity import property_key, property_keys
from tests.acquisitions.helpers import Cast, drive_to, swap_fields
from tests.acquisitions.test_api import token_for
from tests.factories import valid_id_number
from tests.listings.helpers import listing_fields, register_title

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", " ", "\u3000", "\t", "\u00a0", "\u202f", "\u200e"]
BRACKETS = [("(", ")"), ("（", "）"), ("〔", "〕"), ("【", "】"), ("[", "]"), ("［", "］"), ("﹝", "﹞")]
CANONICAL = "豫(2015)郑州市不动产权第6584811号"
UNIT_CODE = "410105001001GB00012F00010001"
SUBMIT = listings.StatusChange(ListingStatus.SUBMITTED)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@st.composite
def spellings(draw, text: str, brackets: bool = True):
    """``text`` with some characters full-width, letters in either case, other brackets and
    invisible characters sprinkled anywhere."""
    out = []
    opening, closing = draw(st.sampled_from(BRACKETS)) if brackets else ("(", ")")
    for ch in text:
        ch = {"(": opening, ")": closing}.get(ch, ch)
        if draw(st.booleans()):
            ch = fullwidth(ch)
        if ch.isascii() and ch.isalpha() and draw(st.booleans()):
            ch = ch.lower()
        out.append(ch)
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
    return "".join(out)


@given(spellings(CANONICAL))
def test_every_spelling_of_a_certificate_number_is_one_canonical_number(spelling):
    assert canonical_certificate(spelling) == CANONICAL


@given(spellings(UNIT_CODE, brackets=False), st.sampled_from(["", "-", " "]))
def test_every_spelling_of_a_unit_code_is_one_code(spelling, separator):
    spaced = spelling[:6] + separator + spelling[6:]
    assert canonical_unit_code(spaced) == UNIT_CODE
    assert unit_code_problem(spaced) is None


@given(spellings("11010519491231002X", brackets=False))
def test_every_spelling_of_an_id_number_is_one_number(spelling):
    assert canonical_id_number(spelling) == "11010519491231002X"


@pytest.mark.parametrize("typed", ["+86 138-0013-8000", "(0086)13800138000", "８６１３８００１３８０００",
                                   "138\u200b0013\u30008000", "138 0013 8000\ufeff"])
def test_every_spelling_of_a_phone_number_is_one_number(typed):
    assert canonical_phone(typed) == "13800138000"


def test_contract_numbers_are_compared_in_one_spelling():
    assert canonical_contract_number("ｗｑ－２０２４\u200b－001") == canonical_contract_number("WQ-2024-001")


@pytest.mark.parametrize(("code", "problem"), [("410105001001GB00012F0001000", "应为28位"),
                                           ("410105001001XX00012F00010001", "格式不正确"),
                                           ("110105001001GB00012F00010001", "不是河南省")])
def test_malformed_unit_codes_say_what_is_wrong(code, problem):
    assert problem in unit_code_problem(code)


def test_a_second_live_listing_of_one_home_under_another_spelling_is_refused(app, make):
    household = make.household(id_number=valid_id_number(31))
    register_title(app, CANONICAL, valid_id_number(31))
    first = listings.create_listing(listing_fields(certificate_number=CANONICAL), household)
    listings.change_status(first.id, SUBMIT, household)
    other = make.household(id_number=valid_id_number(32))
    second = listings.create_listing(listing_fields(certificate_number="豫（2015）郑州市不动产权第６５８４８１１号"), other)
    assert second.property_key == first.property_key
    with pytest.raises(Conflict, match="同一房产只能有一条有效房源"):
        listings.change_status(second.id, SUBMIT, other)


def test_one_home_twice_through_the_market_under_two_spellings_is_refused_with_409(client, make):
    household = make.household(id_number=valid_id_number(33))
    headers = token_for(client, household)
    assert client.post("/api/v1/market-swaps", json=swap_fields(CANONICAL, 1), headers=headers).status_code == 201
    again = client.post("/api/v1/market-swaps", headers=headers,
                        json=swap_fields("豫〔2015〕郑州市不动产权第\u200b6584811号", 2))
    assert again.status_code == 409
    assert "这套旧房已有一条待核验或已计入的市场交易记录" in again.get_json()["error"]["message"]


def test_one_home_through_both_channels_under_two_spellings_counts_once(make):
    cast = Cast(make)
    drive_to(cast, "completed")
    bureau_variant = cast.application.old_certificate_number.replace("(", "（").replace(")", "）")
    household = cast.household
    with pytest.raises(Conflict, match="已计入目标"):
        market_swaps.record_swap(swap_fields(f" {bureau_variant} ", 7), household)


def test_a_unit_code_links_a_new_certificate_to_the_same_home(app):
    first = property_key(CANONICAL, UNIT_CODE)
    # After a sale the certificate number changes; the unit code does not.
    assert property_key("豫(2024)郑州市不动产权第0000001号", "4101 0500 1001 GB00 012F 0001 0001") == first
    assert property_key(CANONICAL) == first
    db.session.commit()


def test_identifiers_of_two_different_homes_together_are_refused(app):
    property_key(CANONICAL, UNIT_CODE)
    property_key("豫(2016)郑州市不动产权第0000009号", "410105001001GB00012F00020002")
    with pytest.raises(Conflict, match="两套不同的房屋"):
        property_key(CANONICAL, "410105001001GB00012F00020002")


def test_the_collision_report_lists_rows_kept_apart(app, runner):
    db.session.add(IdentityCollision(table_name="listing", row_id=7, other_row_id=3, property_key="k" * 64,
                                     note="同一套房屋"))
    db.session.commit()
    result = runner.invoke(args=["ledger", "identity-collisions"])
    assert "listing row 7 and row 3: one home" in result.output
    assert "1 identity collision(s)" in result.output


def test_the_title_registry_keeps_one_record_under_two_spellings_and_links_the_unit_code(app, make):
    from housing_swap.db.models import Role, TitleRecord
    from housing_swap.services.spreadsheets import Upload
    from housing_swap.services.title_registry import import_title_registry
    header = "不动产权证号,不动产单元号,房屋坐落,产权人身份证号,建筑面积,是否查封,是否抵押\n"
    rows = (f"{CANONICAL},,金水区花园路1号,{valid_id_number(51)},89.50,否,否\n"
            f"豫（２０１５）郑州市不动产权第6584811号,{UNIT_CODE},金水区花园路1号,{valid_id_number(51)},89.50,否,否\n")
    result = import_title_registry(Upload("登记簿.csv", (header + rows).encode("utf-8")), make.staff(Role.BUREAU_ADMIN))
    assert (result.added, result.updated) == (1, 1)
    record = db.session.scalars(select(TitleRecord)).one()
    assert record.unit_code == UNIT_CODE
    assert record.property_key == property_key(CANONICAL)
    # A buyer's new certificate with the unit code is the same home to the registry.
    assert property_key("豫(2025)郑州市不动产权第0000123号", UNIT_CODE) == record.property_key


def test_many_homes_at_once_get_the_keys_one_by_one_would_give(app):
    """The import's batch: the same keys and refusals as linking the pairs one after another,
    links made earlier in the same batch included."""
    other_code = "410105001001GB00012F00010002"
    first = property_key("豫(2016)郑州市不动产权第0000001号", None)
    pairs = [("豫(2016)郑州市不动产权第0000001号", UNIT_CODE),   # a known home gains its unit code
             ("豫(2020)郑州市不动产权第0000002号", UNIT_CODE),   # a new certificate of that same home
             ("豫(2016)郑州市不动产权第0000003号", None),        # a new home
             ("豫(2016)郑州市不动产权第0000003号", other_code),  # …and its unit code, in the same file
             ("豫(2020)郑州市不动产权第0000002号", other_code)]  # two homes' identifiers together
    keys = property_keys(pairs)
    assert keys[0] == keys[1] == first
    assert keys[2] == keys[3] != first
    assert isinstance(keys[4], Conflict)
    db.session.commit()
    assert property_key("豫(2020)郑州市不动产权第0000002号") == first
    assert property_key("豫(2025)郑州市不动产权第0000009号", other_code) == keys[2]
