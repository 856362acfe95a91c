"""Swap applications as use cases: draft, submit (decided by the rules in force), withdraw."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..db.base import utcnow
from ..db.models import (
    ApplicationEvent,
    ApplicationStatus,
    Community,
    Listing,
    Role,
    SwapApplication,
    User,
)
from ..domain.applications import (
    OldHome,
    decide,
    parse_application_fields,
    transition_problem,
)
from ..domain.fields import MAX_ID, optional_integer
from ..domain.timezones import beijing_today
from ..extensions import db
from . import joined_homes, reservations
from .audit import record_event
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .listings import listing_for_changing
from .notifications import notify
from .property_identity import property_key
from .rules import current_rules
from .unit_of_work import use_case
from .valuation import valuation_or_none

STAFF_READERS = (Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)
OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE,
                 ApplicationStatus.MATCHED)


def _require_verified_household(user: User) -> None:
    if user.role != Role.HOUSEHOLD:
        raise Forbidden("只有购房家庭可以申请以旧换新")
    if not user.id_number_hash:
        raise Forbidden("申请前请先完成实名认证（注册时填写身份证号）")


def application_for_viewing(application_id: int, user: User) -> SwapApplication:
    application = db.session.get(SwapApplication, application_id)
    if application is None or not (application.household_user_id == user.id or user.role in STAFF_READERS):
        raise NotFound("申请不存在，或不属于您")
    return application


def application_for_changing(application_id: int, user: User) -> SwapApplication:
    application = db.session.get(SwapApplication, application_id)
    if application is None or application.household_user_id != user.id:
        raise NotFound("申请不存在，或不属于您")
    return application


def applications_of(user: User) -> list[SwapApplication]:
    return list(db.session.scalars(select(SwapApplication).where(SwapApplication.household_user_id == user.id)
                                   .order_by(SwapApplication.id.desc())))


def prefill_from_listing(listing_id: int, user: User) -> dict[str, str]:
    """Form values from the household's own listing, so the old home is typed once."""
    listing, _ = listing_for_changing(listing_id, user)
    return {"community": listing.community.name, "district_code": listing.community.district_code,
            "area_m2": str(listing.area_m2), "build_year": str(listing.build_year),
            "bedrooms": str(listing.bedrooms), "floor": str(listing.floor),
            "total_floors": str(listing.total_floors), "has_elevator": "是" if listing.has_elevator else "否",
            "certificate_number": listing.certificate_number, "unit_code": listing.unit_code or "",
            "seized": "是" if listing.seized else "否",
            "listing_id": str(listing.id)}


@use_case
def create_application(raw: dict, user: User) -> SwapApplication:
    _require_verified_household(user)
    values = _parsed(raw)
    application = SwapApplication(household_user_id=user.id, status=ApplicationStatus.DRAFT)
    _apply(application, values, raw.get("listing_id"), user)
    db.session.add(application)
    db.session.flush()
    add_event(application, ApplicationStatus.DRAFT, "创建申请草稿", user)
    record_event("application.create", "swap_application", application.id, actor=user,
                 after={"district": application.old_district_code, "channel": application.channel_preference})
    return application


@use_case
def update_application(application_id: int, raw: dict, user: User) -> SwapApplication:
    application = application_for_changing(application_id, user)
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.INELIGIBLE):
        raise Conflict("申请已提交，不能再修改；如需更改请撤回后重新申请")
    _apply(application, _parsed(raw, partial=True), raw.get("listing_id"), user)
    record_event("application.update", "swap_application", application.id, actor=user)
    return application


@use_case
def submit_application(application_id: int, user: User, on: date | None = None) -> SwapApplication:
    """Decide at once under the rule version in force; the decision keeps that version."""
    application = application_for_changing(application_id, user)
    move_application(application, ApplicationStatus.SUBMITTED, "已提交申请", user)
    _check_no_other_live_application(application)
    on = on or beijing_today()
    version, rules = current_rules(on)
    decision = decide(_old_home(application), application.channel_preference, on, rules,
                      tuple(application.wanted_districts or ()))
    application.submitted_at = utcnow()
    application.decided_at = utcnow()
    application.decision_rule_version_id = version.id
    application.decision_reasons = [{"rule": r.rule, "message": r.message} for r in decision.reasons]
    application.eligible_channels = list(decision.eligible_channels)
    application.counts_toward_pilot = decision.counts_toward_pilot
    valuation = valuation_or_none(application)
    application.valuation_estimate = valuation.estimate if valuation else None
    target = ApplicationStatus.ELIGIBLE if decision.eligible else ApplicationStatus.INELIGIBLE
    move_application(application, target, f"按第{version.version}版项目规则审核", None)
    _tell_the_decision(application, decision.eligible)
    record_event("application.submit", "swap_application", application.id, actor=user,
                 after={"status": target, "rule_version": version.version,
                        "eligible_channels": list(decision.eligible_channels)})
    return application


def _tell_the_decision(application: SwapApplication, eligible: bool) -> None:
    reasons = "；".join(reason["message"] for reason in application.decision_reasons or [])
    if eligible:
        title, body = "以旧换新申请符合条件", "您的申请符合条件，平台将为您匹配新房并安排旧房出售或收购。"
    else:
        title, body = "以旧换新申请不符合条件", f"原因：{reasons or '见申请详情'}。"
    notify(application.household_user_id, "application_decided", title, body, f"/applications/{application.id}")


@use_case
def withdraw_application(application_id: int, user: User) -> SwapApplication:
    application = application_for_changing(application_id, user)
    before = application.status
    move_application(application, ApplicationStatus.WITHDRAWN, "申请人撤回", user)
    reservations.release_for_application(application, user)
    joined_homes.release_on_withdrawal(application, user)
    record_event("application.withdraw", "swap_application", application.id, actor=user,
                 before={"status": before}, after={"status": ApplicationStatus.WITHDRAWN})
    return application


def move_application(application: SwapApplication, target: ApplicationStatus, note: str,
                     actor: User | None) -> None:
    """Change status along the allowed transitions and add it to the household's timeline."""
    if problem := transition_problem(application.status, target):
        raise Conflict(problem)
    application.status = target
    add_event(application, target, note, actor)


def add_event(application: SwapApplication, status: ApplicationStatus, note: str, actor: User | None) -> None:
    db.session.add(ApplicationEvent(application=application, status=status, note=note,
                                    actor_user_id=actor.id if actor else None, at=utcnow()))


def _check_no_other_live_application(application: SwapApplication) -> None:
    other = db.session.scalar(select(SwapApplication.id).where(
        SwapApplication.old_property_key == application.old_property_key,
        SwapApplication.id != application.id,
        SwapApplication.status.notin_((ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN))))
    if other is not None:
        raise Conflict("这套房屋已有一份进行中的以旧换新申请")


def _old_home(application: SwapApplication) -> OldHome:
    return OldHome(application.old_district_code, application.old_build_year, application.old_area_m2,
                   application.old_seized)


def _parsed(raw: dict, partial: bool = False) -> dict:
    values, errors = parse_application_fields(raw, partial)
    if errors:
        raise ValidationFailed("申请信息有误", errors)
    return values


COLUMN_FOR = {"district_code": "old_district_code", "area_m2": "old_area_m2", "build_year": "old_build_year",
              "bedrooms": "old_bedrooms", "floor": "old_floor", "total_floors": "old_total_floors",
              "has_elevator": "old_has_elevator", "certificate_number": "old_certificate_number",
              "unit_code": "old_unit_code",
              "seized": "old_seized", "community": "old_community_name"}
DEFAULTS = {"wanted_districts": [], "needs_elevator": False, "remaining_mortgage": 0, "savings": 0, "max_loan": 0}


def _apply(application: SwapApplication, values: dict, listing_id, user: User) -> None:
    for name, value in values.items():
        if name == "wanted_districts":
            value = list(value or ())
        setattr(application, COLUMN_FOR.get(name, name), DEFAULTS.get(name) if value is None and name in DEFAULTS
                else value)
    if "certificate_number" in values or "unit_code" in values:
        application.old_property_key = property_key(application.old_certificate_number, application.old_unit_code)
    application.old_community_id = db.session.scalar(select(Community.id).where(
        Community.name == application.old_community_name, Community.district_code == application.old_district_code))
    application.old_listing_id = _own_listing(listing_id, application, user)


def _own_listing(listing_id, application: SwapApplication, user: User) -> int | None:
    """The household's listing of this same home, if it named one."""
    if not listing_id:
        return application.old_listing_id
    number = optional_integer(str(listing_id), 1, MAX_ID)
    listing = db.session.get(Listing, number) if number is not None else None
    if listing is None or listing.owner_user_id != user.id or listing.property_key != application.old_property_key:
        raise ValidationFailed("申请信息有误", {"listing_id": ["所选房源不是您名下的这套房屋"]})
    application.old_asking_price = listing.asking_price
    return listing.id
