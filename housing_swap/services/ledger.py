"""The goal ledger as use cases: count a completed swap once, reverse it with a reason, verify it.

Rows are only ever added. What keeps a property from being counted twice in a program year,
or a new unit from serving two households, is ``LedgerClaim``'s unique constraints, written in
the same transaction as the count, so it holds across workers and concurrent requests.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, text

from ..db.base import chunked
from ..db.models import (
    Acquisition,
    Building,
    Channel,
    GoalLedgerEntry,
    IdentifierKind,
    LedgerClaim,
    LedgerEntryType,
    LedgerReversalRequest,
    MarketSwap,
    ProgramRuleVersion,
    PropertyIdentifier,
    ReversalRequestStatus,
    Unit,
    User,
)
from ..domain.eligibility import counts_toward_pilot, minimum_new_home_price
from ..domain.fields import PAGE_FIELD, Field, parse_choice, parse_date, parse_district, parse_fields, parse_integer
from ..domain.rules import PROGRAM_YEARS, ProgramRules
from ..extensions import db
from .audit import record_event
from .errors import Conflict, NotFound, flush_or_conflict
from .pagination import Page, paginate
from .property_identity import identifier_hash


@dataclass(frozen=True)
class CountedSwap:
    channel: Channel
    property_hash: str
    district_code: str
    completed_on: date
    new_unit_id: int | None
    rule_version: ProgramRuleVersion
    acquisition_id: int | None = None
    market_swap_id: int | None = None


def _conflict_message(error_text: str) -> str:
    if "new_unit_id" in error_text:
        return "该新房已用于其他家庭的换房，不能重复计入"
    return "该房屋本项目年度已计入目标，不能重复计入"


def record_count(swap: CountedSwap, actor: User | None) -> GoalLedgerEntry:
    """Add the +1 row and its claim; the caller's transaction commits both or neither."""
    rules = ProgramRules.from_document(swap.rule_version.document)
    entry = GoalLedgerEntry(
        entry_type=LedgerEntryType.COUNT, channel=swap.channel, program_year=rules.program_year,
        property_hash=swap.property_hash, district_code=swap.district_code, completed_on=swap.completed_on,
        pilot=swap.channel == Channel.CITY_GROUP and counts_toward_pilot(swap.district_code, swap.completed_on, rules),
        acquisition_id=swap.acquisition_id, market_swap_id=swap.market_swap_id, new_unit_id=swap.new_unit_id,
        rule_version_id=swap.rule_version.id, recorded_by_user_id=actor.id if actor else None)
    db.session.add(entry)
    db.session.flush()
    db.session.add(LedgerClaim(property_hash=entry.property_hash, program_year=entry.program_year,
                               new_unit_id=entry.new_unit_id, entry_id=entry.id))
    flush_or_conflict(_conflict_message)
    record_event("ledger.count", "goal_ledger_entry", entry.id, actor=actor,
                 after={"channel": entry.channel, "district": entry.district_code, "pilot": entry.pilot})
    return entry


def live_entry_for(*, acquisition_id: int | None = None, market_swap_id: int | None = None) -> GoalLedgerEntry | None:
    """The count standing for this acquisition or market swap, if it is counted now."""
    query = select(GoalLedgerEntry).join(LedgerClaim, LedgerClaim.entry_id == GoalLedgerEntry.id)
    if acquisition_id is not None:
        return db.session.scalar(query.where(GoalLedgerEntry.acquisition_id == acquisition_id))
    return db.session.scalar(query.where(GoalLedgerEntry.market_swap_id == market_swap_id))


def reversal_for(*, acquisition_id: int | None = None, market_swap_id: int | None = None) -> GoalLedgerEntry | None:
    """The latest reversal of this acquisition's or market swap's count, if it was taken back."""
    query = select(GoalLedgerEntry).where(GoalLedgerEntry.entry_type == LedgerEntryType.REVERSAL)
    query = query.where(GoalLedgerEntry.acquisition_id == acquisition_id) if acquisition_id is not None \
        else query.where(GoalLedgerEntry.market_swap_id == market_swap_id)
    return db.session.scalars(query.order_by(GoalLedgerEntry.id.desc()).limit(1)).first()


def reversed_among(entry_ids: list[int]) -> set[int]:
    """Which of these counts already have their reversal row."""
    return set(db.session.scalars(select(GoalLedgerEntry.reverses_entry_id).where(
        GoalLedgerEntry.reverses_entry_id.in_(entry_ids))))


def is_counted(property_hash: str, program_year: int) -> bool:
    return db.session.scalar(select(LedgerClaim.id).where(
        LedgerClaim.property_hash == property_hash, LedgerClaim.program_year == program_year)) is not None


def lock_counting(program_year: int) -> None:
    """Serialize quota decisions for one program year on PostgreSQL (a transaction-scoped
    advisory lock), so two completions cannot both take the last place under a hard cap.
    SQLite already lets only one writer in at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 21_000_000 + program_year})


def live_count(channel: Channel, program_year: int, pilot_only: bool = False) -> int:
    """Counts standing now (the claims are exactly the counts not reversed)."""
    query = (select(func.count()).select_from(LedgerClaim)
             .join(GoalLedgerEntry, GoalLedgerEntry.id == LedgerClaim.entry_id)
             .where(GoalLedgerEntry.channel == channel, GoalLedgerEntry.program_year == program_year))
    if pilot_only:
        query = query.where(GoalLedgerEntry.pilot.is_(True))
    return db.session.scalar(query)


def reverse(entry_id: int, reason: str, actor: User) -> GoalLedgerEntry:
    """A −1 row that names the count and why; the property may be counted again. Called only by
    the approval of a two-person reversal request (services/ledger_reversals.py), whose
    transaction commits it."""
    if not reason or not reason.strip():
        raise Conflict("撤销计数须填写原因")
    counted = db.session.get(GoalLedgerEntry, entry_id, with_for_update=True)
    if counted is None or counted.entry_type != LedgerEntryType.COUNT:
        raise NotFound("台账记录不存在")
    reversal = GoalLedgerEntry(
        entry_type=LedgerEntryType.REVERSAL, channel=counted.channel, program_year=counted.program_year,
        property_hash=counted.property_hash, district_code=counted.district_code,
        completed_on=counted.completed_on, pilot=counted.pilot, acquisition_id=counted.acquisition_id,
        market_swap_id=counted.market_swap_id, new_unit_id=counted.new_unit_id, reverses_entry_id=counted.id,
        reason=reason.strip(), rule_version_id=counted.rule_version_id, recorded_by_user_id=actor.id)
    db.session.add(reversal)
    flush_or_conflict(lambda _: "该计数已被撤销")
    db.session.execute(delete(LedgerClaim).where(LedgerClaim.entry_id == counted.id))
    record_event("ledger.reverse", "goal_ledger_entry", counted.id, actor=actor, after={"reason": reversal.reason})
    return reversal


# ----- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class EntryFilters:
    program_year: int | None = None
    channel: Channel | None = None
    district: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    entry_type: LedgerEntryType | None = None
    project_id: int | None = None   # only live counts whose new home is in this project (absorption)
    page: int = 1
    per_page: int = 100


ENTRY_FILTER_FIELDS = (
    Field("program_year", "项目年度", False, parse_integer(PROGRAM_YEARS[0], PROGRAM_YEARS[-1])),
    Field("channel", "渠道", False, parse_choice(tuple(c.value for c in Channel))),
    Field("district", "区县", False, parse_district),
    Field("from", "开始日期", False, parse_date),
    Field("to", "结束日期", False, parse_date),
    Field("entry_type", "类型", False, parse_choice(tuple(t.value for t in LedgerEntryType))),
    Field("project", "楼盘", False, parse_integer(1, 2**62)),
    PAGE_FIELD,
)


def parse_entry_filters(raw: dict) -> tuple[EntryFilters, dict[str, list[str]]]:
    values, errors = parse_fields(ENTRY_FILTER_FIELDS, raw, partial=True)
    filters = EntryFilters(
        program_year=values.get("program_year"), channel=Channel(values["channel"]) if values.get("channel") else None, district=values.get("district"),
        date_from=values.get("from"), date_to=values.get("to"),
        entry_type=LedgerEntryType(values["entry_type"]) if values.get("entry_type") else None,
        project_id=values.get("project"), page=values.get("page") or 1)
    return filters, errors


def entry_page(filters: EntryFilters) -> Page[GoalLedgerEntry]:
    """Ledger rows (counts and reversals), newest first, completion dates inclusive."""
    query = select(GoalLedgerEntry)
    for column, value in ((GoalLedgerEntry.program_year, filters.program_year),
                          (GoalLedgerEntry.channel, filters.channel), (GoalLedgerEntry.district_code, filters.district),
                          (GoalLedgerEntry.entry_type, filters.entry_type)):
        if value is not None:
            query = query.where(column == value)
    if filters.date_from:
        query = query.where(GoalLedgerEntry.completed_on >= filters.date_from)
    if filters.date_to:
        query = query.where(GoalLedgerEntry.completed_on <= filters.date_to)
    if filters.project_id:
        # The claim on a new unit exists while the count is live, as the absorption figure counts.
        query = (query.join(LedgerClaim, LedgerClaim.entry_id == GoalLedgerEntry.id)
                 .join(Unit, Unit.id == LedgerClaim.new_unit_id).join(Building, Building.id == Unit.building_id)
                 .where(Building.project_id == filters.project_id))
    return paginate(query, filters.page, filters.per_page, GoalLedgerEntry.id.desc())


def entry(entry_id: int) -> GoalLedgerEntry:
    found = db.session.get(GoalLedgerEntry, entry_id)
    if found is None:
        raise NotFound("台账记录不存在")
    return found


# ----- flask ledger verify ----------------------------------------------------------------------

@dataclass(frozen=True)
class Violation:
    entry_id: int
    problem: str

    def __str__(self) -> str:
        return f"ledger entry {self.entry_id}: {self.problem}"


def verify() -> list[Violation]:
    """Every invariant of the ledger, checked from the rows themselves (not from the claims)."""
    entries = db.session.scalars(select(GoalLedgerEntry).order_by(GoalLedgerEntry.id)).all()
    by_id = {entry.id: entry for entry in entries}
    reversed_ids = {e.reverses_entry_id for e in entries if e.entry_type == LedgerEntryType.REVERSAL}
    live = [e for e in entries if e.entry_type == LedgerEntryType.COUNT and e.id not in reversed_ids]
    rule_sets: dict[int, ProgramRules] = {}
    violations = _reversal_violations(entries, by_id)
    violations += _unapproved_reversals(entries)
    violations += _duplicates(live, lambda e: (e.property_hash, e.program_year), "property counted twice in one year")
    violations += _identity_duplicates(live)
    violations += _duplicates([e for e in live if e.new_unit_id], lambda e: e.new_unit_id,
                              "new unit used by two households")
    for entry in live:
        rules = rule_sets.setdefault(entry.rule_version_id, ProgramRules.from_document(
            db.session.get(ProgramRuleVersion, entry.rule_version_id).document))
        violations += [Violation(entry.id, problem) for problem in _year_problems(entry, rules)]
        violations += [Violation(entry.id, problem) for problem in _evidence_problems(entry, rules)]
    return violations


def _reversal_violations(entries, by_id) -> list[Violation]:
    found = []
    for entry in entries:
        if entry.entry_type != LedgerEntryType.REVERSAL:
            continue
        target = by_id.get(entry.reverses_entry_id)
        if target is None or target.entry_type != LedgerEntryType.COUNT:
            found.append(Violation(entry.id, "reversal does not point at a count"))
        elif (target.property_hash, target.program_year, target.channel) != \
                (entry.property_hash, entry.program_year, entry.channel):
            found.append(Violation(entry.id, f"reversal does not match count {target.id}"))
    return found


def _unapproved_reversals(entries) -> list[Violation]:
    """Every reversal was asked by one bureau user and approved, and written, by another."""
    approved = {request.reversal_entry_id: request for request in db.session.scalars(
        select(LedgerReversalRequest).where(LedgerReversalRequest.status == ReversalRequestStatus.APPROVED))}
    found = []
    for entry in entries:
        if entry.entry_type != LedgerEntryType.REVERSAL:
            continue
        request = approved.get(entry.id)
        if request is None or request.decided_by_user_id in (None, request.requested_by_user_id) \
                or entry.recorded_by_user_id != request.decided_by_user_id:
            found.append(Violation(entry.id, "reversal without an approval by a second bureau user"))
    return found


def _duplicates(entries, key, problem: str) -> list[Violation]:
    first: dict = {}
    found = []
    for entry in entries:
        seen = first.setdefault(key(entry), entry.id)
        if seen != entry.id:
            found.append(Violation(entry.id, f"{problem} (also entry {seen})"))
    return found


def _year_problems(entry: GoalLedgerEntry, rules: ProgramRules) -> list[str]:
    """A count belongs to the programme year of the rules that covered its completion date."""
    if entry.completed_on.year != entry.program_year:
        return [f"completed on {entry.completed_on.isoformat()} but counted in programme year {entry.program_year}"]
    if rules.program_year != entry.program_year:
        return [f"counted in programme year {entry.program_year} under rules of year {rules.program_year}"]
    return []


def _identity_duplicates(live: list[GoalLedgerEntry]) -> list[Violation]:
    """Two live counts in one year whose evidence names one home under any of its identifiers,
    recomputed from the certificate numbers and unit codes themselves, not from stored keys (a
    row kept apart by migration 0013, or written with a stale key, is found too)."""
    hashes_of = {entry.id: _evidence_hashes(entry) for entry in live}
    all_hashes = set().union(*hashes_of.values()) if hashes_of else set()
    linked: dict[str, str] = {}
    for chunk in chunked(sorted(all_hashes)):
        linked |= dict(db.session.execute(select(PropertyIdentifier.value_hash, PropertyIdentifier.property_key)
                                          .where(PropertyIdentifier.value_hash.in_(chunk))).all())
    first: dict[tuple[str, int], int] = {}
    found = []
    for entry in live:
        names = hashes_of[entry.id] | {linked[h] for h in hashes_of[entry.id] if h in linked}
        seen = {first[(name, entry.program_year)] for name in names if (name, entry.program_year) in first}
        found += [Violation(entry.id, f"one home counted twice in one year under two identifiers (also entry {other})")
                  for other in sorted(seen)]
        for name in names:
            first.setdefault((name, entry.program_year), entry.id)
    return found


def _evidence_hashes(entry: GoalLedgerEntry) -> set[str]:
    certificate, unit_code = _evidence_identifiers(entry)
    hashes = {identifier_hash(IdentifierKind.CERTIFICATE, certificate)}
    if unit_code:
        hashes.add(identifier_hash(IdentifierKind.UNIT_CODE, unit_code))
    return hashes


def _evidence_identifiers(entry: GoalLedgerEntry) -> tuple[str, str | None]:
    if entry.acquisition_id:
        application = db.session.get(Acquisition, entry.acquisition_id).application
        return application.old_certificate_number, application.old_unit_code
    swap = db.session.get(MarketSwap, entry.market_swap_id)
    return swap.old_certificate_number, swap.old_unit_code


def _evidence_problems(entry: GoalLedgerEntry, rules: ProgramRules) -> list[str]:
    if entry.acquisition_id:
        acquisition = db.session.get(Acquisition, entry.acquisition_id)
        if not (acquisition.contract_number and acquisition.purchase_contract_number):
            return ["acquisition lacks its acquisition or purchase contract"]
        if acquisition.new_home_price < minimum_new_home_price(acquisition.contract_price, rules):
            return ["new home cheaper than the rule allows for the acquisition price"]
        if acquisition.new_unit_id != entry.new_unit_id:
            return ["new unit differs from the acquisition's"]
        return []
    swap = db.session.get(MarketSwap, entry.market_swap_id)
    if not (swap.old_sale_contract_number and swap.new_purchase_contract_number):
        return ["market swap lacks a sale or purchase contract"]
    if (swap.new_purchase_on - swap.old_sale_on).days > rules.new_home_contract_within_days:
        return ["new home bought later than the rule's time limit after the sale"]
    if swap.old_property_key != entry.property_hash:
        return ["property differs from the market swap's"]
    return []
