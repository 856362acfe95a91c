"""Second-hand listings: create, edit, move through the lifecycle, verify."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..db.base import insert_unless_present, utcnow
from ..db.models import (
    Community,
    District,
    Listing,
    ListingPriceChange,
    ListingStatus,
    Role,
    TitleRecord,
    User,
)
from ..db.models.listings import LIVE_LISTING_STATES
from ..domain.listing_fields import parse_listing_fields
from ..domain.listing_lifecycle import Actor, check_transition
from ..domain.verification import TitleFacts, VerificationResult, verify_listing
from ..extensions import db
from ..search.text_terms import pinyin_keys
from .audit import record_event
from .errors import Conflict, Forbidden, NotFound, ValidationFailed, flush_or_conflict
from .exclusive_runs import exclusive
from .notifications import notify
from .pagination import Page, paginate
from .property_identity import property_key
from .search_outbox import enqueue
from .unit_of_work import use_case

# Fields that identify the property; they cannot change once it is submitted for verification.
IDENTITY_FIELDS = ("community", "district_code", "address", "building_no", "unit_no", "room_no",
                   "area_m2", "certificate_number", "unit_code", "owner_id_number")
EDITABLE_IDENTITY_STATES = (ListingStatus.DRAFT, ListingStatus.WITHDRAWN, ListingStatus.EXPIRED)


def cipher():
    return current_app.extensions["field_cipher"]


# ----- who may do what --------------------------------------------------------------

def actor_for(listing: Listing, user: User | None) -> Actor | None:
    if user is None or not user.is_authenticated:
        return None
    if user.role == Role.BUREAU_ADMIN:
        return Actor.BUREAU
    if user.role == Role.HOUSEHOLD and listing.owner_user_id == user.id and listing.organization_id is None:
        return Actor.OWNER_SIDE
    if user.role == Role.AGENCY_STAFF and listing.organization_id == user.organization_id:
        return Actor.OWNER_SIDE
    return None


def listing_for_viewing(listing_id: int, user: User | None) -> Listing:
    """Public listings for anyone; the rest only for their owner side and the bureau."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or not (listing.is_public or actor_for(listing, user)):
        raise NotFound("房源不存在或未公开")
    return listing


def listing_for_changing(listing_id: int, user: User) -> tuple[Listing, Actor]:
    """Another organization's listing answers 404, so its existence is not revealed."""
    listing = db.session.get(Listing, listing_id)
    actor = actor_for(listing, user) if listing else None
    if listing is None or actor is None:
        raise NotFound("房源不存在，或不属于您或您的机构")
    return listing, actor


def listings_of(user: User, status: ListingStatus | None = None, page: int = 1,
                per_page: int = 50) -> Page[Listing]:
    """The household's own listings or the agency's, newest change first, one page at a time."""
    query = select(Listing)
    if user.role == Role.AGENCY_STAFF:
        query = query.where(Listing.organization_id == user.organization_id)
    elif user.role == Role.HOUSEHOLD:
        query = query.where(Listing.owner_user_id == user.id, Listing.organization_id.is_(None))
    else:
        raise Forbidden("只有购房家庭和经纪机构可以管理房源")
    if status is not None:
        query = query.where(Listing.status == status)
    return paginate(query, page, per_page, Listing.updated_at.desc(), Listing.id.desc())


def listings_awaiting_verification() -> list[Listing]:
    """Submitted listings the registry could not confirm, oldest first, for the bureau."""
    return list(db.session.scalars(select(Listing).where(Listing.status == ListingStatus.SUBMITTED)
                                   .order_by(Listing.updated_at)))


# ----- create and edit ------------------------------------------------------------------

@use_case
def create_listing(raw: dict, user: User) -> Listing:
    if user.role not in (Role.HOUSEHOLD, Role.AGENCY_STAFF):
        raise Forbidden("只有购房家庭和经纪机构可以发布房源")
    values = _parsed(raw)
    listing = Listing(status=ListingStatus.DRAFT, created_at=utcnow())
    if user.role == Role.AGENCY_STAFF:
        listing.organization_id = user.organization_id
        listing.agent_user_id = user.id
    else:
        listing.owner_user_id = user.id
        values["agency_reference"] = None
    _apply_values(listing, values, user)
    db.session.add(listing)
    flush_or_conflict(_conflict_message)
    record_event("listing.create", "listing", listing.id, actor=user, after=_summary(listing))
    enqueue("listing", listing.id, listing.version)
    return listing


@use_case
def update_listing(listing_id: int, raw: dict, user: User) -> Listing:
    listing, _ = listing_for_changing(listing_id, user)
    if listing.status == ListingStatus.SOLD:
        raise Conflict("已成交的房源不能再修改")
    values = _parsed(raw, partial=True)
    _refuse_identity_change_after_submission(listing, values)
    before = _summary(listing)
    if "asking_price" in values and values["asking_price"] != listing.asking_price:
        db.session.add(ListingPriceChange(listing=listing, old_price=listing.asking_price,
                                          new_price=values["asking_price"], changed_by_user_id=user.id))
    _apply_values(listing, values, user)
    flush_or_conflict(_conflict_message)
    record_event("listing.update", "listing", listing.id, actor=user, before=before, after=_summary(listing))
    enqueue("listing", listing.id, listing.version)
    return listing


def _parsed(raw: dict, partial: bool = False) -> dict:
    values, errors = parse_listing_fields(raw, partial=partial)
    if errors:
        raise ValidationFailed("房源信息有误，请按提示修改", errors)
    return values


def _refuse_identity_change_after_submission(listing: Listing, values: dict) -> None:
    if listing.status in EDITABLE_IDENTITY_STATES:
        return
    current = {"community": listing.community.name, "district_code": listing.community.district_code,
               "address": listing.community.address, "building_no": listing.building_no,
               "unit_no": listing.unit_no, "room_no": listing.room_no, "area_m2": listing.area_m2,
               "certificate_number": listing.certificate_number, "unit_code": listing.unit_code}
    changed = [name for name in IDENTITY_FIELDS
               if name in values and name in current and values[name] != current[name]]
    if changed or values.get("owner_id_number"):
        raise Conflict("房源已提交核验，产权信息（小区、房号、面积、证号、产权人）不能修改；如需更正请先下架")


def _apply_values(listing: Listing, values: dict, user: User) -> None:
    if "community" in values or "district_code" in values:
        listing.community = resolve_community(
            values.get("community") or listing.community.name,
            values.get("district_code") or listing.community.district_code,
            values.get("address") or (listing.community.address if listing.community_id else ""),
            values.get("build_year") or listing.build_year)
    simple = ("agency_reference", "building_no", "unit_no", "room_no", "floor", "total_floors",
              "inner_area_m2", "bedrooms", "living_rooms", "bathrooms", "orientation", "decoration",
              "build_year", "has_elevator", "property_type", "contact_name", "contact_phone")
    for name in simple:
        if name in values:
            setattr(listing, name, values[name])
    if "description" in values:
        listing.description = values["description"] or ""
    if "area_m2" in values:
        listing.area_m2 = values["area_m2"]
    if "certificate_number" in values or "unit_code" in values:
        listing.certificate_number = values.get("certificate_number") or listing.certificate_number
        if "unit_code" in values:
            listing.unit_code = values["unit_code"]
        listing.property_key = property_key(listing.certificate_number, listing.unit_code)
    _apply_owner_identity(listing, values, user)
    if "asking_price" in values or "area_m2" in values:
        listing.set_price(values.get("asking_price", listing.asking_price))


def _apply_owner_identity(listing: Listing, values: dict, user: User) -> None:
    if values.get("owner_id_number"):
        listing.owner_id_hash = cipher().lookup_hash(values["owner_id_number"], "id_number")
    elif user.role == Role.HOUSEHOLD and listing.owner_id_hash is None:
        listing.owner_id_hash = user.id_number_hash


def resolve_community(name: str, district_code: str, address: str, build_year: int | None) -> Community:
    """The community of that name in that district, created at the district centre if new.

    Two requests (on two machines) naming the same new community at once both insert it: the
    database keeps the first and the second insert waits for it and then does nothing, so both
    read the same row instead of one failing on the unique name."""
    found = select(Community).where(Community.district_code == district_code, Community.name == name)
    community = db.session.scalar(found)
    if community is None:
        district = db.session.get(District, district_code)
        insert_unless_present(db.session, Community, ("district_code", "name"), {
            "name": name, "district_code": district_code, "address": address, "lat": district.lat,
            "lon": district.lon, "build_year": build_year, "search_pinyin": pinyin_keys(name, district_code)})
        community = db.session.scalars(found).one()
    return community


def _conflict_message(detail: str) -> str:
    if "agency_reference" in detail:
        return "本机构已有相同编号的房源，请更换机构房源编号"
    if "property" in detail:
        return DUPLICATE_PROPERTY_MESSAGE
    if "uq_community" in detail or "community" in detail:
        return "小区信息冲突，请刷新后重试"
    return "数据冲突，请刷新后重试"


DUPLICATE_PROPERTY_MESSAGE = (
    "该房产已有待核验、在售或已预定的房源，同一房产只能有一条有效房源。"
    "如您是产权人，请联系原挂牌方下架后再提交，或携产权证明向住房保障局申请核查。"
)


def _summary(listing: Listing) -> dict:
    return {"status": listing.status.value if listing.status else None,
            "asking_price": listing.asking_price, "area_m2": str(listing.area_m2),
            "community_id": listing.community_id, "organization_id": listing.organization_id}


# ----- lifecycle ------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusChange:
    target: ListingStatus
    reason: str | None = None


@use_case
def change_status(listing_id: int, change: StatusChange, user: User) -> Listing:
    listing, actor = listing_for_changing(listing_id, user)
    _transition(listing, change, actor, user)
    return listing


@use_case
def bulk_change_status(listing_ids: list[int], change: StatusChange, user: User) -> dict[int, str | None]:
    """Each listing moves or stays with its reason; one listing's refusal does not stop the rest."""
    results: dict[int, str | None] = {}
    for listing_id in dict.fromkeys(listing_ids):
        try:
            with db.session.begin_nested():
                listing, actor = listing_for_changing(listing_id, user)
                _transition(listing, change, actor, user)
            results[listing_id] = None
        except (Conflict, NotFound, ValidationFailed) as error:
            results[listing_id] = error.message
    return results


def _transition(listing: Listing, change: StatusChange, actor: Actor, user: User | None) -> None:
    decision = check_transition(listing.status.value, change.target.value, actor, change.reason)
    if not decision.ok:
        raise Conflict("；".join(reason.message for reason in decision.reasons))
    before = listing.status
    if change.target == ListingStatus.SUBMITTED:
        _submit(listing)
    else:
        _enter(listing, change.target)
    if before == ListingStatus.SUBMITTED and listing.status == ListingStatus.DRAFT:
        _tell_the_lister(listing, "listing_rejected", "房源未通过核验，已退回修改",
                         f"{_display_name(listing)}未通过核验：{change.reason}。请修改后重新提交。")
    record_event("listing.status", "listing", listing.id, actor=user,
                 before={"status": before.value},
                 after={"status": listing.status.value, "reason": change.reason,
                        "verification": listing.verification_note})
    enqueue("listing", listing.id, listing.version)


def _enter(listing: Listing, target: ListingStatus) -> None:
    listing.status = target
    if target == ListingStatus.ACTIVE:
        listing.renewed_at = utcnow()
        listing.listed_at = listing.listed_at or listing.renewed_at
    listing.sold_at = utcnow() if target == ListingStatus.SOLD else None
    flush_or_conflict(_conflict_message)


def _submit(listing: Listing) -> None:
    """Check the registry; a clean match goes live at once, anything else waits for the bureau."""
    _refuse_second_live_listing(listing)
    title = db.session.scalar(select(TitleRecord).where(TitleRecord.property_key == listing.property_key))
    facts = TitleFacts(title.area_m2, title.owner_id_hash, title.seized) if title else None
    outcome = verify_listing(listing.area_m2, listing.owner_id_hash, facts)
    if outcome.result == VerificationResult.SEIZED:
        listing.seized = True
        raise Conflict(outcome.note)
    listing.verification_note = outcome.note or "已通过登记簿自动核验"
    _enter(listing, ListingStatus.SUBMITTED)
    if outcome.result == VerificationResult.VERIFIED:
        _mark_verified(listing)


def _refuse_second_live_listing(listing: Listing) -> None:
    other = db.session.scalar(select(Listing.id).where(
        Listing.property_key == listing.property_key, Listing.id != listing.id,
        Listing.status.in_(LIVE_LISTING_STATES)))
    if other is not None:
        raise Conflict(DUPLICATE_PROPERTY_MESSAGE)


def _mark_verified(listing: Listing) -> None:
    listing.verified_at = utcnow()
    listing.verification_code = listing.verification_code or _new_verification_code()
    _enter(listing, ListingStatus.ACTIVE)
    _tell_the_lister(listing, "listing_verified", "房源已通过核验并挂牌",
                     f"{_display_name(listing)}已通过核验，核验码 {listing.verification_code}，买家现在可以搜索到它。")


def _tell_the_lister(listing: Listing, kind: str, title: str, body: str) -> None:
    """The owner who listed it and the agent managing it each hear about it once."""
    for user_id in dict.fromkeys(uid for uid in (listing.owner_user_id, listing.agent_user_id) if uid):
        notify(user_id, kind, title, body, f"/listings/{listing.id}")


def _display_name(listing: Listing) -> str:
    community = db.session.get(Community, listing.community_id)
    return f"{community.name if community else ''}{listing.building_no}栋{listing.room_no}室"


def _new_verification_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    return "".join(secrets.choice(alphabet) for _ in range(10))


@use_case
def verify_by_hand(listing_id: int, user: User, note: str) -> Listing:
    """The bureau verifies a submitted listing after checking the papers itself."""
    listing, actor = listing_for_changing(listing_id, user)
    decision = check_transition(listing.status.value, ListingStatus.ACTIVE.value, actor, None)
    if not decision.ok:
        raise Conflict("；".join(reason.message for reason in decision.reasons))
    seized = db.session.scalar(select(TitleRecord.seized).where(
        TitleRecord.property_key == listing.property_key))
    if seized:
        raise Conflict("登记簿显示该房屋处于查封状态，不能核验通过")
    listing.verification_note = f"住房保障局人工核验：{note.strip() or '材料齐全'}"
    _mark_verified(listing)
    record_event("listing.verify", "listing", listing.id, actor=user,
                 after={"status": listing.status.value, "note": listing.verification_note})
    enqueue("listing", listing.id, listing.version)
    return listing


def listing_by_verification_code(code: str) -> Listing:
    listing = db.session.scalar(select(Listing).where(Listing.verification_code == code.strip().upper()))
    if listing is None:
        raise NotFound("未找到该核验码对应的房源，请核对后重试")
    return listing


@exclusive("listings expire")
@use_case
def expire_stale_listings(max_age_days: int) -> int:
    """Active listings not renewed within ``max_age_days`` become expired (挂牌到期)."""
    cutoff = utcnow() - timedelta(days=max_age_days)
    stale = list(db.session.scalars(select(Listing).where(
        Listing.status == ListingStatus.ACTIVE, Listing.renewed_at < cutoff)))
    for listing in stale:
        _transition(listing, StatusChange(ListingStatus.EXPIRED), Actor.SYSTEM, None)
    return len(stale)


@use_case
def assign_agent(listing_id: int, agent_id: int, user: User) -> Listing:
    listing, _ = listing_for_changing(listing_id, user)
    agent = db.session.get(User, agent_id)
    if agent is None or agent.organization_id != listing.organization_id or agent.role != Role.AGENCY_STAFF:
        raise ValidationFailed("经纪人须为本机构员工", {"agent_id": ["经纪人须为本机构员工"]})
    before = listing.agent_user_id
    listing.agent_user_id = agent.id
    record_event("listing.assign", "listing", listing.id, actor=user,
                 before={"agent_user_id": before}, after={"agent_user_id": agent.id})
    return listing


def agents_for(listing: Listing) -> list[User]:
    """Staff of the listing's agency who can be put in charge of it."""
    if listing.organization_id is None:
        return []
    return list(db.session.scalars(select(User).where(
        User.organization_id == listing.organization_id, User.role == Role.AGENCY_STAFF,
        User.enabled.is_(True)).order_by(User.username)))
