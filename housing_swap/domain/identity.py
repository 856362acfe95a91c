"""Personal identifiers: validation and masking.

National ID numbers follow GB 11643-1999 (18 characters, ISO 7064 MOD 11-2 check
character); mobile numbers follow the mainland 11-digit plan.
"""
from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


def normalize_id_number(raw: str) -> str:
    return raw.strip().upper()


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def id_number_problem(raw: str) -> str | None:
    """Return why ``raw`` is not a valid national ID number (in Chinese), or None."""
    value = normalize_id_number(raw)
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
    return date(1900, 1, 1) <= born <= date.today()


def normalize_phone(raw: str) -> str:
    digits = re.sub(r"[\s-]", "", raw.strip())
    return digits[3:] if digits.startswith("+86") else digits


def phone_problem(raw: str) -> str | None:
    if not _PHONE_PATTERN.match(normalize_phone(raw)):
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
