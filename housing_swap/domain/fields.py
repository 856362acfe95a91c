"""Field parsing shared by forms, the JSON API and spreadsheet imports.

Every value arrives as text (or a JSON scalar turned into text); a parser returns the typed
value or raises ``FieldProblem`` with a Chinese message that the caller prefixes with the
field's label, so the same field means the same thing everywhere.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .districts import DISTRICTS_BY_CODE
from .text import control_character_problem


class FieldProblem(ValueError):
    """The message says what is wrong with one value, in Chinese."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool
    parse: Callable[[str], object]
    choices: tuple[str, ...] = ()  # for pick-lists; forms render them as a select
    multiline: bool = False        # free text of several lines (descriptions, reasons)
    former_labels: tuple[str, ...] = ()  # column headers of earlier templates; imports still read them


def choice_field(name: str, label: str, required: bool, options: tuple[str, ...]) -> Field:
    return Field(name, label, required, parse_choice(options), options)


def parse_fields(fields: tuple[Field, ...], raw: Mapping[str, object],
                 partial: bool = False) -> tuple[dict, dict[str, list[str]]]:
    """Parse by field name. Returns (values, errors by field name).

    With ``partial`` (an update), absent fields are left out instead of being required.
    """
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for field in fields:
        if partial and field.name not in raw:
            continue
        _keep(field, parse_one(field, raw.get(field.name)), values, errors)
    return values, errors


def parse_columns(fields: tuple[Field, ...], columns: Mapping[str, Sequence[object]],
                  rows: int) -> list[tuple[dict, dict[str, list[str]]]]:
    """``parse_fields`` for every row of a table given column by column (a missing column is
    empty in every row). Each distinct value of a column is parsed once: a spreadsheet repeats
    most of its values (districts, room counts, decoration, yes/no), and the outcome of a value
    never depends on its row, so every row gets exactly what ``parse_fields`` would give it."""
    parsed: list[tuple[dict, dict[str, list[str]]]] = [({}, {}) for _ in range(rows)]
    for field in fields:
        column = columns.get(field.name, [None] * rows)
        outcomes: dict[object, Outcome] = {}
        for (values, errors), raw in zip(parsed, column, strict=True):
            outcome = outcomes.get(raw)
            if outcome is None:
                outcome = outcomes[raw] = parse_one(field, raw)
            _keep(field, outcome, values, errors)
    return parsed


# One field's outcome: (its value, or its error messages).
Outcome = tuple[object, list[str] | None]


def parse_one(field: Field, raw: object) -> Outcome:
    text = as_text(raw)
    if problem := control_character_problem(text, field.multiline):
        return None, [f"{field.label}{problem}"]
    if text == "":
        return None, [f"{field.label}为必填项"] if field.required else None
    try:
        return field.parse(text), None
    except FieldProblem as problem:
        return None, [f"{field.label}{problem}"]


def _keep(field: Field, outcome: Outcome, values: dict, errors: dict[str, list[str]]) -> None:
    value, problems = outcome
    if problems is None:
        values[field.name] = value
    else:
        errors[field.name] = list(problems)  # a copy: later checks append to a row's own list


def display_text(value: object) -> str:
    """A value as the text a form, a spreadsheet cell or a parser expects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def as_text(value: object) -> str:
    return display_text(value).strip()


def parse_text(max_length: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise FieldProblem(f"不能超过{max_length}个字符")
        return raw
    return parse


# Longer than any 64-bit integer: refused before int() (which also refuses >4,300 digits).
_MAX_DIGITS = 19
MAX_PAGE = 100_000
MAX_ID = 2**63 - 1  # database ids are 64-bit


# Full-width digits and signs (１２, －３, １，０００: what Chinese input methods type) as ASCII. Only
# these: NFKC would also turn superscripts and circled digits (², ③) into numbers nobody typed.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９，－＋．", "0123456789,-+.")


def ascii_digits(raw: str) -> str:
    return raw.translate(_FULL_WIDTH_DIGITS)


def parse_integer(low: int, high: int) -> Callable[[str], int]:
    """A whole number as people type it: thousands commas, a spreadsheet's trailing ".0", and
    full-width digits read as the same number."""
    def parse(raw: str) -> int:
        cleaned = ascii_digits(raw).strip().replace(",", "")
        if cleaned.endswith(".0"):
            cleaned = cleaned[:-2]  # spreadsheets turn 6 into 6.0
        if not re.fullmatch(r"-?[0-9]+", cleaned):
            raise FieldProblem("应为整数")
        if len(cleaned.lstrip("-")) > _MAX_DIGITS or not low <= int(cleaned) <= high:
            raise FieldProblem(f"应在{low}到{high}之间")
        return int(cleaned)
    return parse


_MONEY_HINT = "应为金额，如 1350000 或 135万"
_WAN_AMOUNT = re.compile(r"[0-9]{1,6}(\.[0-9]{1,4})?")  # 万 with up to four decimals is a whole yuan


def parse_yuan(low: int, high: int) -> Callable[[str], int]:
    """Money in integer yuan as people type it: 1350000, 1,350,000元, 135万, 135.5万元, and the same
    in full-width characters."""
    integer = parse_integer(low, high)

    def parse(raw: str) -> int:
        text = unicodedata.normalize("NFKC", raw).replace(" ", "")
        for suffix in ("万元", "万"):
            if text.endswith(suffix):
                amount = text[:-len(suffix)].replace(",", "")
                if not _WAN_AMOUNT.fullmatch(amount):
                    raise FieldProblem(_MONEY_HINT)
                return integer(str(int(Decimal(amount) * 10_000)))
        text = text.removesuffix("元")
        if not re.fullmatch(r"-?[0-9][0-9,]*(\.0)?", text):
            raise FieldProblem(_MONEY_HINT)
        return integer(text)
    return parse


def optional_integer(raw: str | None, low: int, high: int) -> int | None:
    """A query-string number for a page that ignores what it cannot use: a whole number in
    [low, high] (as ``parse_integer`` reads it), else None (never an exception, whatever was typed)."""
    try:
        return parse_integer(low, high)((raw or "").strip())
    except FieldProblem:
        return None


def page_number(raw: str | None) -> int:
    """A list page's ``page`` argument: a bad or missing one shows the first page."""
    return optional_integer(raw, 1, MAX_PAGE) or 1


def parse_area(raw: str) -> Decimal:
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise FieldProblem("应为数字，单位㎡") from None
    if not value.is_finite() or not Decimal("10") <= value <= Decimal("2000"):
        raise FieldProblem("应在10到2000㎡之间")
    if value != value.quantize(Decimal("0.01")):
        raise FieldProblem("最多保留两位小数")
    return value.quantize(Decimal("0.01"))


def parse_choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in options:
            raise FieldProblem("应为以下之一：" + "、".join(options))
        return raw
    return parse


def parse_boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("是", "有", "true", "1", "yes", "y"):
        return True
    if lowered in ("否", "无", "false", "0", "no", "n"):
        return False
    raise FieldProblem("应填“是”或“否”")


def parse_district(raw: str) -> str:
    """A Zhengzhou district by division code (full-width digits too) or by name; returns the code."""
    raw = ascii_digits(raw).strip()
    if raw in DISTRICTS_BY_CODE:
        return raw
    by_name = {d.name: code for code, d in DISTRICTS_BY_CODE.items()}
    if raw in by_name:
        return by_name[raw]
    raise FieldProblem("不是郑州市的区县代码或名称")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A spreadsheet's date cell arrives as a midnight timestamp; any other time of day is refused.
_MIDNIGHT_SUFFIXES = (" 00:00:00", "T00:00:00")


def parse_date(raw: str) -> date:
    """Strict ISO 8601 calendar dates (2025-06-30): no truncation of trailing text, no other forms."""
    text = next((raw[:10] for suffix in _MIDNIGHT_SUFFIXES if raw.endswith(suffix) and len(raw) == 10 + len(suffix)),
                raw)
    if not _ISO_DATE.fullmatch(text):
        raise FieldProblem("应为日期，如2025-06-30")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldProblem("不是有效的日期") from None


def parse_decimal_between(low: str, high: str, places: int) -> Callable[[str], Decimal]:
    def parse(raw: str) -> Decimal:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise FieldProblem("应为数字") from None
        if not value.is_finite() or not Decimal(low) <= value <= Decimal(high):
            raise FieldProblem(f"应在{low}到{high}之间")
        return value.quantize(Decimal(1).scaleb(-places))
    return parse


# A filter form's page argument, refused with a reason (the API) where page_number forgives (pages).
PAGE_FIELD = Field("page", "页码", False, parse_integer(1, MAX_PAGE))
