"""What every /api/v1 response carries, described once.

Each model is closed (``extra="forbid"``): a handler that emits a key the model does not name
fails at once instead of drifting from the document. The OpenAPI components are generated from
these models (``component_schemas``), enums come from the enum classes themselves, and
``respond`` passes every body through its model. Request bodies are described from the domain's
``Field`` lists instead (api/openapi.py).

Money is integer yuan; areas are decimal text (m²); times are ISO 8601 in UTC.
"""
from __future__ import annotations

from dataclasses import fields
from enum import StrEnum
from typing import Annotated, Any, Literal

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, WithJsonSchema, create_model
from pydantic.json_schema import models_json_schema

from ..db.models import (
    AcquisitionStatus,
    ApplicationStatus,
    ApprovalState,
    ChainStatus,
    Channel,
    ChannelPreference,
    LedgerEntryType,
    LinkDecision,
    ListingStatus,
    MarketSwapStatus,
    OrganizationKind,
    PhotoKind,
    ReversalRequestStatus,
    Role,
    UnitSettlement,
    UnitStatus,
)
from ..domain import finance
from ..domain.matching import Widening
from ..domain.reservations import ReservationStatus
from ..domain.viewings import ViewingStatus
from ..services.acquisitions import WAITING

Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
Area = Annotated[str, WithJsonSchema({"type": "string", "description": "m², decimal"})]
Masked = Annotated[str, WithJsonSchema({"type": "string", "description": "masked unless the caller may see it"})]
# The queue shows an acquisition's status, or WAITING for an application nobody has taken in yet.
QueueStatus = StrEnum("QueueStatus", {name.upper(): name for name in (WAITING, *AcquisitionStatus)})
CheckOutcome = Literal["matched", "mismatched", "missing", "conflict"]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----- errors and accounts ------------------------------------------------------------------------

class ErrorBody(Closed):
    code: str
    message: str
    details: dict[str, Any]


class Error(Closed):
    error: ErrorBody


class Token(Closed):
    token: str
    expires_at: Timestamp


class Me(Closed):
    id: int
    username: str | None
    role: Role
    organization_id: int | None
    phone: Masked | None


class Organization(Closed):
    id: int
    kind: OrganizationKind
    name: str
    licence_number: str
    approval_state: ApprovalState


class OrganizationList(Closed):
    items: list[Organization]


# ----- listings, projects, units and search -------------------------------------------------------

class PriceChange(Closed):
    old_price: int
    new_price: int
    changed_at: Timestamp


class Photo(Closed):
    id: int
    kind: PhotoKind
    width: int
    height: int
    url: str
    thumbnail_url: str


class Listing(Closed):
    id: int
    status: ListingStatus
    agency_reference: str | None
    community: str
    district_code: str
    district_name: str
    address: str
    building_no: str
    unit_no: str | None
    room_no: str
    floor: int
    total_floors: int
    area_m2: Area
    inner_area_m2: Area | None
    bedrooms: int
    living_rooms: int
    bathrooms: int
    orientation: str
    decoration: str
    build_year: int
    has_elevator: bool
    property_type: str
    total_price: int
    unit_price: int
    description: str
    contact_name: str
    contact_phone: Masked
    certificate_number: Masked
    verified: bool
    verification_code: str | None
    verification_note: str | None
    price_history: list[PriceChange]
    photos: list[Photo]                 # in the owner's order; the first is the cover
    cover_photo_url: str | None
    listed_at: Timestamp | None
    days_on_market: int | None          # whole Beijing days, while active or reserved
    updated_at: Timestamp


class RowProblem(Closed):
    row: int
    column: str
    message: str


class ImportResult(Closed):
    created: int
    updated: int
    unchanged: int
    skipped_rows: int
    errors: list[RowProblem]


class Building(Closed):
    id: int
    name: str
    total_floors: int


class Project(Closed):
    id: int
    name: str
    district_code: str
    address: str
    lat: str
    lon: str
    presale_permit_no: str
    delivery_date: Day
    in_swap_program: bool
    swap_offer: str | None
    buildings: list[Building]


class PriceListResult(Closed):
    created: int
    updated: int


class Unit(Closed):
    id: int
    project_id: int
    project_name: str
    district_code: str
    building: str
    floor: int
    room: str
    area_m2: Area
    bedrooms: int
    living_rooms: int
    bathrooms: int
    total_price: int
    status: UnitStatus
    sale_undo_until: Timestamp | None   # while set, the developer may still undo "sold"


class _Hit(Closed):
    id: int
    district_code: str
    district_name: str
    area_m2: Area
    bedrooms: int
    living_rooms: int
    total_price: int
    unit_price: int
    status: str
    address: str
    lat: float
    lon: float
    distance_km: float | None = None
    community: str
    floor: int


class ListingHit(_Hit):
    build_year: int
    verified: bool
    total_floors: int
    elevator: bool
    cover_photo_url: str | None  # the cover's thumbnail, for a result card


class UnitHit(_Hit):
    project_id: int
    project_name: str
    building: str
    room: str
    in_program: bool
    delivery_date: Day


class FacetBucket(Closed):
    key: str
    label: str
    count: int


class Facets(Closed):
    district: list[FacetBucket]
    bedrooms: list[FacetBucket]
    price_band: list[FacetBucket]
    area_band: list[FacetBucket]


class SearchResult(Closed):
    items: list[ListingHit | UnitHit]
    total: int
    page: int
    per_page: int
    facets: Facets
    backend: Literal["sql", "elasticsearch"]
    degraded: bool


class CommunitySuggestion(Closed):
    name: str
    district_name: str


class CommunitySuggestions(Closed):
    items: list[CommunitySuggestion]


# ----- eligibility and progress -------------------------------------------------------------------

class Reason(Closed):
    rule: str
    message: str


class QuarterSubsidy(Closed):
    quarter: int                              # since approval; the last row stands for every later quarter
    voucher_bonus_percent: int
    deed_tax_subsidy: int
    voucher_bonus: int
    total: int


class EligibilityAnswer(Closed):
    eligible: bool
    reasons: list[Reason]
    rule_version: int
    counts_toward_pilot: bool
    subsidies: list[QuarterSubsidy]           # for the new home's price, when one was given
    subsidy_note: str


class Counts(Closed):
    total: int
    city_group: int
    market: int
    pilot: int


class YearCounts(Closed):
    program_year: int
    rule_version: int | None
    targets: Counts | None
    completed: Counts


class DistrictCounts(Closed):
    code: str
    name: str
    city_group: int
    market: int
    total: int


class MonthCounts(Closed):
    month: str
    city_group: int
    market: int
    total: int


class Progress(Closed):
    program_year: int
    rule_version: int | None
    as_of: Timestamp
    targets: Counts | None
    completed: Counts
    by_district: list[DistrictCounts]
    by_month: list[MonthCounts]
    years: list[YearCounts]


# ----- applications, matching and chains ----------------------------------------------------------

class OldHome(Closed):
    community: str
    district_code: str
    area_m2: Area
    build_year: int
    bedrooms: int
    floor: int
    total_floors: int
    has_elevator: bool
    seized: bool
    certificate_number: Masked
    listing_id: int | None


class Finances(Closed):
    remaining_mortgage: int
    savings: int
    max_loan: int


class Needs(Closed):
    wanted_districts: list[str]
    min_area_m2: Area | None
    min_bedrooms: int | None
    budget_max: int | None
    move_in_by: Day | None
    needs_elevator: bool


class Decision(Closed):
    eligible_channels: list[Channel]
    reasons: list[Reason]
    rule_version: int
    counts_toward_pilot: bool
    decided_at: Timestamp


class ApplicationEvent(Closed):
    status: ApplicationStatus
    at: Timestamp
    note: str


class Application(Closed):
    id: int
    status: ApplicationStatus
    channel_preference: ChannelPreference
    joined_to_id: int | None                  # the lead application this old home is joined to
    joined_application_ids: list[int]         # the homes joined to this one (it is their lead)
    old_home: OldHome
    finances: Finances
    needs: Needs
    decision: Decision | None
    timeline: list[ApplicationEvent]


class ApplicationList(Closed):
    items: list[Application]


class Comparable(Closed):
    kind: Literal["sale", "listing"]
    evidence_id: int
    area_m2: Area
    floor: int
    build_year: int
    price: int
    on: Day
    adjusted_unit_price: int


class Valuation(Closed):
    estimate: int
    low: int
    high: int
    unit_price: int
    method: Literal["comparables", "model"]
    comparables: list[Comparable]
    caveat: str


class UnitMatch(Closed):
    unit_id: int
    label: str
    score: float
    total_price: int
    area_m2: Area
    reasons: list[str]
    project_id: int
    project_name: str
    in_wanted_district: bool
    more_in_project: int


class Matches(Closed):
    channel: Channel
    widened: list[Widening]
    notes: list[str]
    items: list[UnitMatch]


class CityGroupRange(Closed):
    low: int
    high: int


class BuyerMatch(Closed):
    application_id: int
    score: float
    reasons: list[str]


class Buyers(Closed):
    city_group: CityGroupRange | None
    households: list[BuyerMatch]


# The domain's own calculation, field for field, and whether it closes.
_CASH_GAP_AMOUNTS: dict[str, Any] = {field.name: (int, ...) for field in fields(finance.CashGap)}
CashGap = create_model("CashGap", __base__=Closed, affordable=(bool, ...), **_CASH_GAP_AMOUNTS)


class YuanSpan(Closed):
    low: int
    expected: int
    high: int


class TimeToSell(Closed):
    days: int | None
    basis: str


class SaleRoute(Closed):
    channel: Channel
    price: YuanSpan
    agency_fees: YuanSpan
    seller_taxes: YuanSpan
    fees: YuanSpan                     # agency_fees + seller_taxes
    mortgage_payoff: int
    savings: int
    subsidies: int
    left_for_new_home: YuanSpan
    time_to_sell: TimeToSell
    basis: list[str]


class ReferenceHome(Closed):
    label: str
    price: int
    area_m2: Area


class NetProceeds(Closed):
    estimate: bool                     # always true: every figure is an estimate with its basis
    routes: list[SaleRoute]
    reference_home: ReferenceHome | None
    city_group_note: str | None
    valuation_method: Literal["comparables", "model"]
    caveat: str


class ChainLink(Closed):
    position: int
    application_id: int
    buys_from_application_id: int | None
    new_unit_id: int | None
    decision: LinkDecision


class ChainProposal(Closed):
    id: int
    kind: Literal["chain", "cycle"]
    starter: str | None
    status: ChainStatus
    links: list[ChainLink]


class ChainProposalList(Closed):
    items: list[ChainProposal]


# ----- acquisitions, market swaps and the ledger --------------------------------------------------

class QueueItem(Closed):
    application_id: int
    district_code: str
    pilot: bool
    submitted_at: Timestamp | None
    days_in_queue: int
    acquisition_id: int | None
    status: QueueStatus
    step_due_on: Day | None                   # the service deadline (办理时限) of the city group's next step
    deadline_state: Literal["on_time", "due_soon", "overdue"] | None


class AcquisitionQueue(Closed):
    total: int
    page: int
    pages: int
    items: list[QueueItem]


class AcquiredHome(Closed):
    district_code: str
    community: str
    area_m2: Area
    certificate_number: Masked


class AcquisitionEvent(Closed):
    status: AcquisitionStatus
    note: str
    at: Timestamp


class AcquisitionDocument(Closed):
    id: int
    kind: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: Timestamp


class AppraisalAppeal(Closed):
    requested_at: Timestamp
    reason: str
    value_rule: Literal["higher", "average", "second"]
    value_rule_label: str
    first_value: int
    second_value: int | None
    standing_value: int | None                # the appraisal that stands by the rule, once decided
    decided_at: Timestamp | None


class AdditionalUnit(Closed):
    unit_id: int
    purchase_contract_number: str
    price: int
    purchased_on: Day


class Acquisition(Closed):
    id: int
    status: AcquisitionStatus
    application_id: int
    old_home: AcquiredHome
    inspection_on: Day | None
    appraiser_org_id: int | None
    appraised_value: int | None
    appraised_on: Day | None
    offer_price: int | None
    offered_on: Day | None
    offer_expires_on: Day | None
    contract_number: str | None
    contract_price: int | None
    contract_signed_on: Day | None
    new_unit_id: int | None
    purchase_contract_number: str | None
    new_home_price: int | None
    joined_purchase: bool                     # the new home is the lead application's (joined homes)
    purchased_on: Day | None
    title_transferred_on: Day | None
    completed_on: Day | None
    over_quota: str | None
    cancelled_reason: str | None
    ledger_entry_id: int | None
    appeal: AppraisalAppeal | None              # the household's request for a second appraisal, if any
    additional_units: list[AdditionalUnit]      # further new homes bought with the same old home
    timeline: list[AcquisitionEvent]
    documents: list[AcquisitionDocument]


class AcquisitionList(Closed):
    items: list[Acquisition]


class MarketSwap(Closed):
    id: int
    status: MarketSwapStatus
    old_district_code: str
    old_sale_price: int
    old_sale_contract_number: str
    old_sale_on: Day
    new_unit_id: int | None
    new_project_name: str | None
    new_district_code: str | None
    new_purchase_contract_number: str
    new_home_price: int
    new_purchase_on: Day
    joined_purchase: bool                     # the new home is the lead application's (joined homes)
    second_unit_id: int | None                # a second new home bought with the same sale, if any
    second_project_name: str | None
    second_district_code: str | None
    second_purchase_contract_number: str | None
    second_home_price: int | None
    second_purchase_on: Day | None
    verified_at: Timestamp | None
    rejection_reason: str | None
    contract_check_note: str | None
    application_id: int | None
    old_certificate_number: Masked
    buyer_name: Masked
    rule_version: int
    ledger_entry_id: int | None


class MarketSwapList(Closed):
    items: list[MarketSwap]


class CheckSummary(Closed):
    matched: int
    mismatched: int
    missing: int
    conflict: int


class CheckedSwap(Closed):
    market_swap_id: int
    outcome: CheckOutcome
    reasons: list[str]


class ContractCheckReport(Closed):
    summary: CheckSummary
    items: list[CheckedSwap]


class LedgerEntry(Closed):
    id: int
    entry_type: LedgerEntryType
    channel: Channel
    program_year: int
    district_code: str
    completed_on: Day
    pilot: bool
    acquisition_id: int | None
    market_swap_id: int | None
    new_unit_id: int | None
    reverses_entry_id: int | None
    reason: str | None
    created_at: Timestamp
    rule_version: int
    reversible: bool


class LedgerEntryPage(Closed):
    total: int
    page: int
    pages: int
    items: list[LedgerEntry]


class LedgerReversalRequest(Closed):
    id: int
    status: ReversalRequestStatus
    entry_id: int
    reason: str
    document_filename: str
    document_sha256: str
    requested_by_user_id: int
    requested_at: Timestamp
    decided_by_user_id: int | None
    decided_at: Timestamp | None
    decision_note: str | None
    reversal_entry_id: int | None
    settled_at: Timestamp | None
    unit_settlement: UnitSettlement | None


class LedgerReversalRequestList(Closed):
    items: list[LedgerReversalRequest]


# ----- the audit log ------------------------------------------------------------------------------

class AuditEvent(Closed):
    id: int
    occurred_at: Timestamp
    actor_user_id: int | None
    actor_username: str | None
    organization_id: int | None
    entity_type: str
    entity_id: str | None
    action: str
    outcome: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    client_address: str | None
    event_hash: str


class AuditEventPage(Closed):
    total: int
    page: int
    pages: int
    items: list[AuditEvent]


# ----- notifications ------------------------------------------------------------------------------

class Notification(Closed):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str
    read: bool
    created_at: Timestamp


class NotificationPage(Closed):
    total: int
    page: int
    pages: int
    unread: int
    items: list[Notification]


class NotificationsMarked(Closed):
    marked: int
    unread: int


class ViewingStep(Closed):
    move: str
    label: str
    by: Literal["household", "owner_side", "system"]
    times: list[Timestamp]
    note: str
    occurred_at: Timestamp


class ViewingRequest(Closed):
    id: int
    listing_id: int
    listing_title: str
    status: ViewingStatus
    status_label: str
    side: Literal["household", "owner_side"]  # which side the caller is on
    proposed_times: list[Timestamp]           # the times on the table now
    agreed_time: Timestamp | None
    answer_due_at: Timestamp | None           # when the side now asked should answer
    note: str
    other_party_name: str
    other_party_phone: Masked                 # masked; POST …/contact reveals it once agreed
    moves: list[str]                          # what the caller may do now
    history: list[ViewingStep]
    created_at: Timestamp
    updated_at: Timestamp


class ViewingRequestPage(Closed):
    total: int
    page: int
    pages: int
    items: list[ViewingRequest]


class ViewingContact(Closed):
    name: str
    phone: str


class ReservationAcceptance(Closed):
    party: Literal["household", "developer", "agency"]
    label: str
    accepted_at: Timestamp | None


class Reservation(Closed):
    id: int
    application_id: int
    unit_id: int
    unit_label: str
    unit_price: int
    household_name: Masked
    developer_name: str
    agency_name: str
    status: ReservationStatus
    status_label: str
    deposit: int
    hold_days: int
    refund_percent: int
    refund_if_unsold: int                     # yuan returned when the hold ends unsold
    terms: str                                # the agreement's terms in words
    backstop_floor: int | None                # the city group's indicative floor, if the household qualifies
    proposed_on: Day
    acceptance_due_on: Day                    # the other parties accept by this day or it lapses
    acceptances: list[ReservationAcceptance]
    hold_starts_on: Day | None
    hold_ends_on: Day | None                  # the hold's last day (Beijing)
    ended_at: Timestamp | None
    end_note: str
    refund_amount: int | None
    market_swap_id: int | None
    acquisition_id: int | None
    your_party: Literal["household", "developer", "agency"] | None
    moves: list[Literal["accept", "withdraw", "end", "city-group"]]


class ReservationList(Closed):
    items: list[Reservation]


class LabelledCount(Closed):
    label: str
    count: int


class DistrictReservationCounts(Closed):
    code: str
    name: str
    counts: dict[ReservationStatus, LabelledCount]


class ReservationCounts(Closed):
    program_year: int
    counts: dict[ReservationStatus, LabelledCount]   # every state, zeros included
    by_district: list[DistrictReservationCounts]     # the old home's district; only districts with any
    by_channel: dict[Channel, dict[ReservationStatus, LabelledCount]]


class QueuePosition(Closed):
    position: int                             # 1 = taken in next
    total: int                                # households waiting
    basis: str                                # the order the rule names, in words
    draw_id: int | None                       # the published lottery the order follows, if any
    expected_wait_days: int | None            # at the recent pace of intakes; None without one
    pace_note: str
    estimate: Literal[True]


class DrawnPlace(Closed):
    application_id: int
    key: str                                  # SHA-256(seed + ":" + application_id), hex


class QueueDraw(Closed):
    id: int
    program_year: int
    commitment: str                           # SHA-256 of the seed, published before the draw
    committed_at: Timestamp
    entrants: list[int]                       # application numbers waiting at the commitment
    drawn_at: Timestamp | None
    seed: str | None                          # published with the draw
    algorithm: str
    drawn_order: list[DrawnPlace] | None


class MilestoneRow(Closed):
    milestone: Literal["offer", "contract", "mortgage", "online_contract", "title_transfer", "new_home_contract",
                       "handover"]
    label: str
    expected_on: Day
    done_on: Day | None
    state: Literal["done", "green", "amber", "red"]
    state_label: str


class ChainLinkMilestones(Closed):
    position: int
    application_id: int
    yours: bool                               # the caller's own link
    milestones: list[MilestoneRow]


class ChainMilestones(Closed):
    chain_id: int
    agreed_on: Day
    late_position: int | None                 # the link holding the chain up (its first overdue step)
    links: list[ChainLinkMilestones]


DOCUMENTED = (
    Error, Token, Me, OrganizationList, Listing, ImportResult, Project, PriceListResult, Unit, SearchResult,
    CommunitySuggestions, EligibilityAnswer, Progress, Application, ApplicationList, Valuation, Matches, Buyers,
    CashGap, NetProceeds, ChainProposal, ChainProposalList, AcquisitionQueue, Acquisition, AcquisitionList, MarketSwap,
    MarketSwapList, ContractCheckReport, LedgerEntry, LedgerEntryPage, LedgerReversalRequest,
    LedgerReversalRequestList, AuditEvent, AuditEventPage, Notification, NotificationPage, NotificationsMarked,
    ViewingRequest, ViewingRequestPage, ViewingContact, Reservation, ReservationList, ReservationCounts, QueuePosition, QueueDraw, ChainMilestones,
)


def component_schemas() -> dict[str, dict]:
    """Every model above (and those they nest) as OpenAPI component schemas."""
    _, document = models_json_schema([(model, "serialization") for model in DOCUMENTED],
                                     ref_template="#/components/schemas/{model}")
    return document["$defs"]


def shaped(model: type[Closed], body: dict) -> dict:
    """``body`` checked against ``model`` and written out as JSON-ready values."""
    return model.model_validate(body).model_dump(mode="json", exclude_unset=True)


def respond(model: type[Closed], body: dict, status: int = 200) -> tuple[Response, int]:
    return jsonify(shaped(model, body)), status
