"""GB 11643 ID numbers, phone numbers and masking (property-based)."""
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from housing_swap.domain.identity import (
    id_check_char,
    id_number_problem,
    mask_certificate,
    mask_id_number,
    mask_name,
    mask_phone,
    phone_problem,
)

regions = st.sampled_from(["410102", "410105", "410122", "110101", "440305"])
births = st.dates(min_value=date(1930, 1, 1), max_value=date(2006, 12, 31))
serials = st.integers(min_value=0, max_value=999)


def build_id(region: str, born: date, serial: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


def test_published_example_number_has_its_known_check_character():
    # The worked example of GB 11643-1999 appendix: 11010519491231002 → X.
    assert id_check_char("11010519491231002") == "X"
    assert id_number_problem("11010519491231002X") is None
    assert id_number_problem("11010519491231002x") is None  # lower-case x is normalised


@given(regions, births, serials)
def test_every_well_formed_number_passes(region, born, serial):
    assert id_number_problem(build_id(region, born, serial)) is None


@given(regions, births, serials, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_changing_any_one_digit_is_caught(region, born, serial, position, shift):
    number = build_id(region, born, serial)
    digit = (int(number[position]) + shift) % 10
    altered = number[:position] + str(digit) + number[position + 1:]
    assert id_number_problem(altered) is not None


def test_malformed_numbers_get_chinese_reasons():
    valid = build_id("410105", date(1985, 6, 12), 1)
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    assert "18位" in id_number_problem("4101051985")
    assert "出生日期" in id_number_problem("410105198513321234")
    assert "校验位" in id_number_problem(wrong_check)


@given(regions, births, serials)
def test_id_mask_keeps_region_prefix_and_last_four(region, born, serial):
    number = build_id(region, born, serial)
    masked = mask_id_number(number)
    assert masked == number[:4] + "*" * 10 + number[-4:]
    assert number[4:14] not in masked


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_phone_numbers_validate_and_mask(phone):
    assert phone_problem(phone) is None
    assert mask_phone(phone) == phone[:3] + "****" + phone[-4:]


def test_bad_phone_numbers_are_refused_in_chinese():
    for bad in ("12345678901", "1381234567", "138123456789", "abc", ""):
        assert phone_problem(bad) == "请输入11位中国大陆手机号码"
    assert phone_problem("+86 138 1234 5678") is None


def test_certificate_and_name_masks():
    assert mask_certificate("豫(2019)郑州市不动产权第0123456号") .endswith("456号")
    assert "0123" not in mask_certificate("豫(2019)郑州市不动产权第0123456号")
    assert mask_name("王小明") == "王**"
