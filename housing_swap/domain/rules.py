"""Program rules as data. A rule set is stored as a versioned JSON document; this is its shape.

Every value the program reports only vaguely is a parameter here (program-facts.md,
"Rules reported for the state-owned channel"), never a constant in the code.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal

from .districts import ZHENGZHOU_DISTRICTS


@dataclass(frozen=True)
class Targets:
    total: int = 10_000        # item 21: 10,000 second-hand homes swapped in 2024
    city_group: int = 5_000    # item 21: 5,000 bought by Zhengzhou City Development Group
    market: int = 5_000        # item 21: 5,000 sold on the open market
    pilot: int = 500           # pilot: 500 units in 金水区 and 郑东新区


@dataclass(frozen=True)
class ProgramRules:
    program_year: int = 2024
    targets: Targets = field(default_factory=Targets)
    pilot_districts: tuple[str, ...] = ()
    pilot_start: date = date(2024, 4, 20)
    pilot_end: date = date(2024, 6, 30)
    main_urban_districts: tuple[str, ...] = ()
    old_home_max_age_years: int = 20              # reported: built within the last 20 years
    old_home_max_area_m2: Decimal = Decimal("120.00")   # reported: under 120 m²
    old_home_max_area_inclusive: bool = False     # whether exactly 120 m² qualifies: unknown
    old_home_no_seizure: bool = True              # reported: no court seizure (查封)
    old_home_no_mortgage: bool = False            # mortgage rule unknown: off by default
    new_home_main_urban_only: bool = True         # reported: new home in the main urban area
    new_to_old_price_ratio: Decimal = Decimal("1.0")    # reported: new total ≥ group's price
    new_home_contract_within_days: int = 180      # market channel time limit: unknown
    quota_is_hard_cap: bool = False               # whether quotas refuse or only flag: unknown

    def to_document(self) -> dict:
        """A JSON-safe dict (dates as ISO strings, decimals as strings)."""
        return _jsonable(asdict(self))

    @classmethod
    def from_document(cls, document: dict) -> "ProgramRules":
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in document.items() if key in known}
        values["targets"] = Targets(**document.get("targets", {}))
        for key in ("pilot_districts", "main_urban_districts"):
            values[key] = tuple(document.get(key, ()))
        for key in ("pilot_start", "pilot_end"):
            if key in document:
                values[key] = date.fromisoformat(document[key])
        for key in ("old_home_max_area_m2", "new_to_old_price_ratio"):
            if key in document:
                values[key] = Decimal(document[key])
        return cls(**values)


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (date, Decimal)):
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def initial_rules() -> ProgramRules:
    """The rule set seeded for 2024, following program-facts.md."""
    return ProgramRules(
        pilot_districts=tuple(d.code for d in ZHENGZHOU_DISTRICTS if d.pilot),
        main_urban_districts=tuple(d.code for d in ZHENGZHOU_DISTRICTS if d.main_urban),
    )
