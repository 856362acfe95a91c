"""Identifiers of people and properties: one canonical spelling, validation and masking.

Every identifier is canonicalised once, here, before it is hashed, looked up, compared or
stored, so that the same home or person typed two ways is one identity to the platform:
Unicode NFKC (full-width letters, digits and brackets become their ASCII forms), every kind
of whitespace and invisible formatting character (zero-width spaces, BOMs, direction marks)
removed, bracket and dash variants unified, letters upper-cased.

National ID numbers follow GB 11643-1999 (18 characters, ISO 7064 MOD 11-2 check
character); mobile numbers follow the mainland 11-digit plan; real-estate unit codes
(不动产单元号) follow GB/T 37346-2019 (28 characters).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from .timezones import beijing_today

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


# Bracket forms NFKC leaves alone (or turns into square brackets) that people type in
# certificate numbers: 〔2015〕, 【2015】, [2015], ﹝2015﹞, 〖2015〗, {2015}.
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")",
                           "﹝": "(", "﹞": ")", "〖": "(", "〗": ")", "{": "(", "}": ")",
                           "⦅": "(", "⦆": ")", "〈": "(", "〉": ")", "《": "(", "》": ")"})
# Hyphen and dash variants, including the minus sign and the fullwidth hyphen-minus.
_DASHES = re.compile("[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D\u30FC]")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _compact(raw: str) -> str:
    """NFKC, then without whitespace, control and invisible formatting characters."""
    text = unicodedata.normalize("NFKC", raw)
    if text.isprintable() and " " not in text:
        # Nothing to remove: isprintable() is False for every Other (C*) and Separator (Z*)
        # character but the ASCII space, and every whitespace character is one of those.
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
                   and not ch.isspace())


def canonical_certificate(raw: str) -> str:
    """A property certificate number (不动产权证号) in one spelling: ``豫(2015)郑州市不动产权第6584811号``."""
    return _DASHES.sub("-", _compact(raw).translate(_BRACKETS)).upper()


def canonical_unit_code(raw: str) -> str:
    """A real-estate unit code without separators, upper-cased: ``410105001001GB00012F00010001``."""
    return re.sub(r"[-_./]", "", _DASHES.sub("-", _compact(raw))).upper()


# GB/T 37346-2019: 6-digit county code, 6-digit cadastral (sub)zone, parcel type (2 letters)
# and 5-digit parcel number, fixture type (1 letter) and 8-digit fixture unit number.
_UNIT_CODE_PATTERN = re.compile(r"^\d{12}[GJZ][ABSXCDEWY]\d{5}[FLQW]\d{8}$")


def unit_code_problem(raw: str) -> str | None:
    """Why ``raw`` is not a real-estate unit code (in Chinese), or None."""
    code = canonical_unit_code(raw)
    if len(code) != 28:
        return f"应为28位（当前{len(code)}位）"
    if not _UNIT_CODE_PATTERN.match(code):
        return "格式不正确：应为12位数字、2位宗地特征码、5位数字、1位定着物特征码和8位数字"
    if not code.startswith("41"):
        return "不是河南省的不动产单元号"
    return None


def canonical_contract_number(raw: str) -> str:
    """A contract or online-registration number (合同编号、网签备案号) in one spelling."""
    return _DASHES.sub("-", _compact(raw).translate(_BRACKETS)).upper()


def canonical_id_number(raw: str) -> str:
    """An 18-character ID number, full-width digits and a lower-case x accepted."""
    return _compact(raw).upper()



def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def id_number_problem(raw: str) -> str | None:
    """Return why ``raw`` is not a valid national ID number (in Chinese), or None."""
    value = canonical_id_number(raw)
    if not _ID_PATTERN.match(value):
        return "身份证号应为18位，前17位为数字，最后一位为数字或X"
    if not _valid_birth_date(value[6:14]):
        return "身份证号中的出生日期无效"
    if id_check_char(value[:17]) != value[17]:
        return "身份证号校验位不正确，请核对"
    return None


def _valid_birth_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= beijing_today()


def canonical_phone(raw: str) -> str:
    """A mainland mobile number as 11 digits: ``+86 138-0013-8000`` and ``(0086)13800138000`` alike."""
    digits = re.sub(r"[-().]", "", _DASHES.sub("-", _compact(raw)))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            return digits[len(prefix):]
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return digits



def phone_problem(raw: str) -> str | None:
    if not _PHONE_PATTERN.match(canonical_phone(raw)):
        return "请输入11位中国大陆手机号码"
    return None


def mask_id_number(value: str) -> str:
    """Keep the 4-digit region prefix and the last 4 characters: ``4101**********1234``."""
    return _mask(value, keep_start=4, keep_end=4)


def mask_phone(value: str) -> str:
    """``138****5678``."""
    return _mask(value, keep_start=3, keep_end=4)


def mask_certificate(value: str) -> str:
    """Property certificate numbers keep only their last 4 characters."""
    return _mask(value, keep_start=0, keep_end=4)


def mask_name(value: str) -> str:
    """Chinese names keep the family name: ``张**``."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end:]
