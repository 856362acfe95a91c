"""City-group acquisitions (收购) as use cases: the officers' work queue and every step from
intake to completion, each role-checked, audited and committed whole or not at all.

Every step locks its acquisition row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite has a
single writer), so of several simultaneous attempts at the same step one wins and the others see
the new status and are refused with the reason. Completion counts the swap on the goal ledger
in the same transaction.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from ..db.base import utcnow
from ..db.models import (
    Acquisition,
    AcquisitionDocument,
    AcquisitionEvent,
    AcquisitionStatus,
    AdditionalUnit,
    ApplicationStatus,
    AppraisalAppeal,
    ApprovalState,
    Channel,
    Listing,
    Organization,
    OrganizationKind,
    Project,
    Role,
    SwapApplication,
    TitleRecord,
    Unit,
    UnitStatus,
    User,
)
from ..db.models.projects import Building
from ..domain import acquisitions as steps
from ..domain.eligibility import NewHomeFacts, check_new_home_for_city_group, counts_toward_pilot
from ..domain.fields import Field, parse_fields
from ..domain.identity import mask_phone
from ..domain.rules import AppealRule, ProgramRules
from ..domain.timezones import beijing_date, beijing_today
from ..extensions import db
from . import joined_homes, ledger, purchase_contracts, reservations
from .applications import move_application
from .audit import record_event
from .documents import DocumentUpload, attach
from .errors import Conflict, Forbidden, NotFound, ValidationFailed, flush_or_conflict
from .exclusive_runs import exclusive
from .notifications import notify
from .pagination import Page, paginate
from .rules import current_rules, latest_rules, rules_in_force
from .search_outbox import enqueue
from .unit_of_work import refusal_keeping_writes, unit_of_work, use_case

OFFICERS = (Role.CITY_GROUP_OFFICER,)
READERS = (Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)
WAITING = "waiting"  # the queue's name for an eligible application nobody has taken in yet
STATUS_VALUES = frozenset(status.value for status in AcquisitionStatus)
TAKEABLE = (ApplicationStatus.ELIGIBLE, ApplicationStatus.MATCHED)

USED_CONTRACT = "该购房合同/网签备案号已被使用"


# ----- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilters:
    district: str | None = None
    pilot: bool | None = None
    status: str | None = None  # WAITING or an acquisition status; None: all open work
    min_days: int | None = None
    q: str = ""                      # an application number (申请123 or 123) or part of the household's name
    officer_id: int | None = None    # only the cases this officer holds
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class QueueRow:
    application: SwapApplication
    acquisition: Acquisition | None
    days_in_queue: int
    property_verified: bool  # the registry, or a bureau-verified listing, knows this home
    deadline: StepDeadline | None = None  # the service deadline of the step the city group owes next


@dataclass(frozen=True)
class StepDeadline:
    due_on: date
    state: steps.DeadlineState


def work_queue(filters: QueueFilters, today: date | None = None) -> Page[QueueRow]:
    """Applications eligible for the city-group channel and their acquisitions, oldest first."""
    today = today or beijing_today()
    live = and_(Acquisition.application_id == SwapApplication.id, Acquisition.status != AcquisitionStatus.CANCELLED)
    query = (select(SwapApplication, Acquisition).outerjoin(Acquisition, live)
             .where(cast(SwapApplication.eligible_channels, String).contains(Channel.CITY_GROUP.value)))
    query = query.where(_queue_status_clause(filters.status))
    if filters.district:
        query = query.where(SwapApplication.old_district_code == filters.district)
    if filters.pilot is not None:
        query = query.where(SwapApplication.counts_toward_pilot.is_(filters.pilot))
    if filters.min_days:
        query = query.where(SwapApplication.submitted_at <= _days_before(today, filters.min_days))
    if filters.officer_id is not None:
        query = query.where(Acquisition.officer_user_id == filters.officer_id)
    if (searched := _search_clause(filters.q)) is not None:
        query = query.where(searched)
    found = paginate(query, filters.page, filters.per_page, SwapApplication.submitted_at, SwapApplication.id,
                     rows=True)
    verified = verified_properties([application.old_property_key for application, _ in found.items])
    deadlines = step_deadlines([acquisition for _, acquisition in found.items if acquisition is not None], today)
    return found.map(lambda row: QueueRow(row[0], row[1], _days_waiting(row[0], today),
                                          row[0].old_property_key in verified,
                                          deadlines.get(row[1].id) if row[1] is not None else None))


def _search_clause(q: str):
    """An application number as typed (申请123, 123, full-width digits) or part of the household's name."""
    text = unicodedata.normalize("NFKC", q or "").strip()
    if not text:
        return None
    number = text.removeprefix("申请").strip()
    if number.isascii() and number.isdigit() and len(number) <= 18:
        return SwapApplication.id == int(number)
    names = select(User.id).where(User.role == Role.HOUSEHOLD, User.real_name.contains(text[:60], autoescape=True))
    return SwapApplication.household_user_id.in_(names)


def step_deadlines(found: list[Acquisition], today: date | None = None) -> dict[int, StepDeadline]:
    """Each acquisition's deadline for its next step (办理时限): the days of the rules in force on the
    day (Beijing) it entered its current status, from that day. Untimed statuses (an open offer,
    the end) have none."""
    today = today or beijing_date(utcnow())
    if not found:
        return {}
    entered = dict(((acquisition_id, status), at) for acquisition_id, status, at in db.session.execute(
        select(AcquisitionEvent.acquisition_id, AcquisitionEvent.status, func.max(AcquisitionEvent.at))
        .where(AcquisitionEvent.acquisition_id.in_([a.id for a in found]))
        .group_by(AcquisitionEvent.acquisition_id, AcquisitionEvent.status)))
    rules_on = rules_in_force()
    deadlines = {}
    for acquisition in found:
        at = entered.get((acquisition.id, acquisition.status))
        due_on = None if at is None else steps.step_due_on(acquisition.status.value, beijing_date(at),
                                                           rules_on(beijing_date(at)))
        if due_on is not None:
            deadlines[acquisition.id] = StepDeadline(due_on, steps.deadline_state(due_on, today))
    return deadlines


def verified_properties(keys: list[str]) -> set[str]:
    """Which of these homes are verified: in the title registry and not seized, or listed and
    verified by the bureau (by the registry or by hand, papers checked)."""
    registered = db.session.execute(select(TitleRecord.property_key, TitleRecord.seized)
                                    .where(TitleRecord.property_key.in_(keys))).all()
    seized = {key for key, is_seized in registered if is_seized}
    listed = set(db.session.scalars(select(Listing.property_key).where(
        Listing.property_key.in_(keys), Listing.verified_at.is_not(None))))
    return ({key for key, _ in registered} | listed) - seized


def _queue_status_clause(status: str | None):
    waiting = and_(Acquisition.id.is_(None), SwapApplication.status.in_(TAKEABLE))
    if status == WAITING:
        return waiting
    if status:
        return Acquisition.status == AcquisitionStatus(status)
    return or_(waiting, Acquisition.status.notin_((AcquisitionStatus.COMPLETED,)))


def _days_before(today: date, days: int) -> datetime:
    return datetime.combine(today - timedelta(days=days), time.max, tzinfo=UTC)


def _days_waiting(application: SwapApplication, today: date) -> int:
    return (today - beijing_date(application.submitted_at)).days if application.submitted_at else 0


def acquisition_for_viewing(acquisition_id: int, user: User) -> Acquisition:
    """Officers and the bureau see all; the household its own; an appraiser those assigned to it."""
    acquisition = db.session.get(Acquisition, acquisition_id)
    if acquisition is None or not _may_view(acquisition, user):
        raise NotFound("收购记录不存在，或您无权查看")
    return acquisition


def _may_view(acquisition: Acquisition, user: User) -> bool:
    if user.role in READERS:
        return True
    if user.role == Role.HOUSEHOLD:
        return acquisition.application.household_user_id == user.id
    return user.role == Role.APPRAISER and user.organization_id == acquisition.appraiser_org_id


def acquisitions_for(user: User) -> list[Acquisition]:
    """A household's own acquisitions, or the ones assigned to an appraiser's organization."""
    query = select(Acquisition).order_by(Acquisition.id.desc())
    if user.role == Role.HOUSEHOLD:
        query = query.join(SwapApplication).where(SwapApplication.household_user_id == user.id)
    elif user.role == Role.APPRAISER:
        query = query.where(Acquisition.appraiser_org_id == user.organization_id)
    elif user.role not in READERS:
        raise Forbidden("您无权查看收购记录")
    return list(db.session.scalars(query.limit(200)))


def live_acquisition_of(application: SwapApplication) -> Acquisition | None:
    return db.session.scalar(select(Acquisition).where(
        Acquisition.application_id == application.id, Acquisition.status != AcquisitionStatus.CANCELLED))


def city_group_officers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.CITY_GROUP_OFFICER, User.enabled)
                                   .order_by(User.real_name, User.id)))


@use_case
def assign_officer(acquisition_id: int, officer_user_id: int, actor: User) -> Acquisition:
    """Hand a case to another officer (an officer or the bureau does it); audited, shown on the timeline."""
    if actor.role not in READERS:
        raise Forbidden("只有城发集团经办人或住房保障局可以分配案件")
    acquisition = _locked(acquisition_id)
    officer = db.session.get(User, officer_user_id)
    if officer is None or officer.role != Role.CITY_GROUP_OFFICER or not officer.enabled:
        raise ValidationFailed("经办人无效", {"officer_user_id": ["请选择一位在岗的城发集团经办人"]})
    if acquisition.status in (AcquisitionStatus.COMPLETED, AcquisitionStatus.CANCELLED):
        raise Conflict("已结束的收购不能再分配")
    before = acquisition.officer_user_id
    if before == officer.id:
        return acquisition
    acquisition.officer_user_id = officer.id
    _event(acquisition, acquisition.status, f"案件转交{officer.real_name}办理", actor)
    record_event("acquisition.assign", "acquisition", acquisition.id, actor=actor,
                 before={"officer_user_id": before}, after={"officer_user_id": officer.id})
    if officer.id != actor.id:
        notify(officer.id, "case_assigned", "有收购案件分配给您", f"收购{acquisition.id}（申请{acquisition.application_id}）",
               f"/acquisitions/{acquisition.id}")
    db.session.flush()
    return acquisition


@dataclass(frozen=True)
class Workload:
    officer: User
    open_cases: int
    overdue: int


def officer_workload(today: date | None = None) -> list[Workload]:
    """Each officer's open cases and how many are past their service deadline, busiest first."""
    open_cases = list(db.session.scalars(select(Acquisition).where(
        Acquisition.status.notin_((AcquisitionStatus.COMPLETED, AcquisitionStatus.CANCELLED)))))
    deadlines = step_deadlines(open_cases, today)
    rows = []
    for officer in city_group_officers():
        mine = [a for a in open_cases if a.officer_user_id == officer.id]
        overdue = sum(1 for a in mine if a.id in deadlines and deadlines[a.id].state == steps.DeadlineState.OVERDUE)
        rows.append(Workload(officer, len(mine), overdue))
    return sorted(rows, key=lambda row: (-row.open_cases, row.officer.id))


@dataclass(frozen=True)
class CaseContact:
    """What an officer needs to visit and call: the full address and the household's contact."""
    household_name: str
    phone: str
    address: str
    source: str                   # where the address comes from, in words


@use_case
def reveal_case_contact(acquisition_id: int, user: User) -> CaseContact:
    """The household's full name, phone and the home's full address (building, unit, room), for
    officers and the bureau only; every opening is audited."""
    if user.role not in READERS:
        raise Forbidden("只有城发集团经办人或住房保障局可以查看完整地址和联系方式")
    acquisition = acquisition_for_viewing(acquisition_id, user)
    application = acquisition.application
    household = db.session.get_one(User, application.household_user_id)
    contact = CaseContact(household.real_name, household.phone or "", *_full_address(application))
    record_event("acquisition.contact_reveal", "acquisition", acquisition.id, actor=user,
                 after={"phone": mask_phone(contact.phone), "source": contact.source})
    return contact


def _full_address(application: SwapApplication) -> tuple[str, str]:
    listing = db.session.get(Listing, application.old_listing_id) if application.old_listing_id else None
    if listing is not None:
        unit = f"{listing.unit_no}单元" if listing.unit_no else ""
        return (f"{application.old_community_name} {listing.building_no}{unit}{listing.room_no}室",
                "家庭挂牌的房源（经核验）" if listing.verified_at else "家庭挂牌的房源")
    registered = db.session.scalar(select(TitleRecord.address).where(
        TitleRecord.property_key == application.old_property_key))
    if registered:
        return registered, "不动产登记簿"
    return f"{application.old_community_name}（楼栋和房号未登记）", "申请所填小区"


def document_for_viewing(document_id: int, user: User) -> AcquisitionDocument:
    """A paper, for whoever may see its acquisition."""
    document = db.session.get(AcquisitionDocument, document_id)
    if document is None or not _may_view(document.acquisition, user):
        raise NotFound("文件不存在，或您无权查看")
    return document


def appraiser_organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).where(
        Organization.kind == OrganizationKind.APPRAISER, Organization.approval_state == ApprovalState.APPROVED)
        .order_by(Organization.name)))


# ----- steps -------------------------------------------------------------------------------------

@use_case
def take_in(application_id: int, officer: User) -> Acquisition:
    """Intake: the officer takes an eligible application off the queue."""
    _require_officer(officer)
    application = db.session.get(SwapApplication, application_id, with_for_update=True)
    if application is None:
        raise NotFound("申请不存在")
    if Channel.CITY_GROUP.value not in (application.eligible_channels or []):
        raise Conflict("该申请不符合城发集团收购渠道的条件，不能受理")
    if application.status not in TAKEABLE:
        raise Conflict("该申请已在办理中或已结束，不能重复受理")
    _require_verified_property(application)
    version, _ = current_rules()
    acquisition = Acquisition(application=application, officer_user_id=officer.id, rule_version_id=version.id,
                              status=AcquisitionStatus.INTAKE)
    db.session.add(acquisition)
    flush_or_conflict(lambda _: "该申请已由城发集团受理")
    move_application(application, ApplicationStatus.IN_PROGRESS, "城发集团已受理收购", officer)
    _event(acquisition, AcquisitionStatus.INTAKE, "城发集团受理", officer)
    record_event("acquisition.intake", "acquisition", acquisition.id, actor=officer,
                 after={"application_id": application.id, "status": AcquisitionStatus.INTAKE.value})
    return acquisition


def _require_verified_property(application: SwapApplication) -> None:
    """The city group buys only a home verified under this identity."""
    if db.session.scalar(select(TitleRecord.seized).where(TitleRecord.property_key == application.old_property_key)):
        raise Conflict("登记簿显示该房屋处于查封状态，不能收购")
    if not verified_properties([application.old_property_key]):
        raise Conflict("该房屋尚未通过产权核验（登记簿中没有这套房屋，也没有经住房保障局核验的房源），不能开始收购。"
                       "请家庭先提交房源核验，或由住房保障局导入登记簿后再受理")


@use_case
def schedule_inspection(acquisition_id: int, raw: dict, officer: User) -> Acquisition:
    _require_officer(officer)
    acquisition = _locked(acquisition_id)
    values = _values(steps.INSPECTION_FIELDS, raw)
    appraiser = db.session.get(Organization, values["appraiser_org_id"])
    if appraiser is None or appraiser.kind != OrganizationKind.APPRAISER or not appraiser.is_operational:
        raise ValidationFailed("评估机构无效", {"appraiser_org_id": ["请选择一家已审核通过的评估机构"]})
    if (appeal := _pending_appeal(acquisition)) and appraiser.id == appeal.first_appraiser_org_id:
        raise ValidationFailed("评估机构无效", {"appraiser_org_id": ["复评须委托另一家评估机构，不能是首次评估的机构"]})
    if values["inspection_on"] < beijing_date(acquisition.created_at):
        raise ValidationFailed("查勘日期有误", {"inspection_on": ["查勘日期不能早于受理日期"]})
    return _advance(acquisition, AcquisitionStatus.INSPECTION_SCHEDULED, officer, values,
                    f"查勘安排在{values['inspection_on'].isoformat()}，评估机构：{appraiser.name}")


@use_case
def appraise(acquisition_id: int, raw: dict, report: DocumentUpload | None, appraiser: User,
             today: date | None = None) -> Acquisition:
    """The assigned appraiser organization's user enters the value and uploads the report."""
    acquisition = _locked(acquisition_id)
    if appraiser.role != Role.APPRAISER or appraiser.organization_id != acquisition.appraiser_org_id:
        raise Forbidden("只有受委托的评估机构可以录入评估结果")
    values = _values(steps.APPRAISAL_FIELDS, raw)
    _check_date(values, "appraised_on", today, acquisition.inspection_on, "查勘日期")
    if report is None:
        raise ValidationFailed("请上传评估报告", {"report": ["请上传评估报告（PDF、JPEG或PNG）"]})
    _require_step(acquisition, AcquisitionStatus.APPRAISED)
    attach(acquisition, "appraisal_report", report, appraiser, field="report")
    note = f"评估价{values['appraised_value']}元"
    if appeal := _pending_appeal(acquisition):
        note = _decide_appeal(appeal, acquisition, values)
    return _advance(acquisition, AcquisitionStatus.APPRAISED, appraiser, values, note)


def _pending_appeal(acquisition: Acquisition) -> AppraisalAppeal | None:
    return acquisition.appeal if acquisition.appeal_pending else None


def _decide_appeal(appeal: AppraisalAppeal, acquisition: Acquisition, values: dict) -> str:
    """The second appraisal: the value that stands by the rule recorded with the appeal becomes the
    acquisition's appraised value (the offer ceiling follows it)."""
    second = values["appraised_value"]
    standing = steps.standing_value(appeal.first_value, second, appeal.value_rule)
    appeal.second_appraiser_org_id, appeal.second_value = acquisition.appraiser_org_id, second
    appeal.standing_value, appeal.decided_at = standing, utcnow()
    values["appraised_value"] = standing
    return (f"复评价{second}元，首次评估价{appeal.first_value}元，按规则（{AppealRule(appeal.value_rule).label}）"
            f"采用{standing}元；城发集团将重新报价")


@use_case
def request_appeal(acquisition_id: int, reason: str, household: User, today: date | None = None) -> Acquisition:
    """Within the rule's days after an offer, the household asks for a second appraisal by another
    organization; the offer waits (neither answered nor expiring) until the officer offers again."""
    today = today or beijing_today()
    acquisition = _locked(acquisition_id)
    if household.role != Role.HOUSEHOLD or acquisition.application.household_user_id != household.id:
        raise NotFound("收购记录不存在，或您无权查看")
    offered_on, expires_on = acquisition.offered_on, acquisition.offer_expires_on
    if acquisition.status != AcquisitionStatus.OFFER_MADE or offered_on is None or expires_on is None:
        raise Conflict("只有在答复报价期间可以申请复评")
    if steps.offer_has_expired(expires_on, today):
        raise Conflict(f"报价已于{expires_on.isoformat()}过期，不能再申请复评")
    values = _values(steps.REASON_FIELDS, {"reason": reason})
    _, rules = current_rules(offered_on)
    if problem := steps.appeal_problem(offered_on, today, rules, acquisition.appeal is not None):
        raise Conflict(problem)
    acquisition.appeal = AppraisalAppeal(requested_by=household.id, reason=values["reason"],
                                         value_rule=rules.appeal_value_rule, first_value=acquisition.appraised_value,
                                         first_appraiser_org_id=acquisition.appraiser_org_id)
    _event(acquisition, acquisition.status, f"家庭申请复评：{values['reason']}。城发集团将委托另一家评估机构复评，"
           f"按规则“{AppealRule(rules.appeal_value_rule).label}”确定评估价后重新报价", household)
    record_event("acquisition.appeal", "acquisition", acquisition.id, actor=household,
                 after={"reason": values["reason"], "value_rule": rules.appeal_value_rule})
    if acquisition.officer_user_id:
        notify(acquisition.officer_user_id, "appraisal_appeal", "家庭申请复评",
               f"收购{acquisition.id}：{values['reason']}", f"/acquisitions/{acquisition.id}")
    db.session.flush()
    return acquisition


@use_case
def make_offer(acquisition_id: int, raw: dict, officer: User, today: date | None = None) -> Acquisition:
    _require_officer(officer)
    today = today or beijing_today()
    acquisition = _locked(acquisition_id)
    _expire_if_due(acquisition, today)
    values = _values(steps.OFFER_FIELDS, raw)
    _, rules = current_rules(today)
    _require_step(acquisition, AcquisitionStatus.OFFER_MADE)
    floor = reservations.floor_for(acquisition.application_id)
    if problem := steps.offer_problem(values["offer_price"], acquisition.appraised_value, rules, floor):
        raise ValidationFailed("报价不符合规则", {"offer_price": [problem]})
    values |= {"offered_on": today, "offer_expires_on": steps.offer_deadline(today, rules)}
    return _advance(acquisition, AcquisitionStatus.OFFER_MADE, officer, values,
                    f"报价{values['offer_price']}元，请在{values['offer_expires_on'].isoformat()}前答复")


@use_case
def answer_offer(acquisition_id: int, accept: bool, household: User, today: date | None = None) -> Acquisition:
    """The household accepts or declines before the deadline; after it, the offer has expired."""
    today = today or beijing_today()
    acquisition = _locked(acquisition_id)
    if household.role != Role.HOUSEHOLD or acquisition.application.household_user_id != household.id:
        raise NotFound("收购记录不存在，或您无权查看")
    if _expire_if_due(acquisition, today):
        raise refusal_keeping_writes(
            Conflict(f"报价已于{acquisition.offer_expires_on.isoformat()}过期，请联系城发集团重新报价"))
    target = AcquisitionStatus.OFFER_ACCEPTED if accept else AcquisitionStatus.OFFER_DECLINED
    return _advance(acquisition, target, household, {}, "家庭接受报价" if accept else "家庭拒绝报价")


@exclusive("acquisitions expire-offers")
def expire_offers(today: date | None = None) -> int:
    """Mark every offer past its deadline as expired (run daily by ``flask acquisitions expire``)."""
    today = today or beijing_today()
    due = db.session.scalars(select(Acquisition.id).where(
        Acquisition.status == AcquisitionStatus.OFFER_MADE, Acquisition.offer_expires_on < today)).all()
    for acquisition_id in due:
        with unit_of_work():  # one offer at a time: a busy acquisition does not hold up the rest
            _expire_if_due(_locked(acquisition_id), today)
    return len(due)


@use_case
def sign_contract(acquisition_id: int, raw: dict, document: DocumentUpload | None, officer: User,
                  today: date | None = None) -> Acquisition:
    _require_officer(officer)
    acquisition = _locked(acquisition_id)
    values = _values(steps.CONTRACT_FIELDS, raw)
    _require_step(acquisition, AcquisitionStatus.CONTRACT_SIGNED)
    _check_date(values, "contract_signed_on", today, acquisition.offered_on, "报价日期")
    if values["contract_price"] != acquisition.offer_price:
        raise ValidationFailed("合同价格有误", {"contract_price": [
            f"合同价格须与家庭接受的报价{acquisition.offer_price}元一致"]})
    if document is not None:
        attach(acquisition, "acquisition_contract", document, officer)
    _advance(acquisition, AcquisitionStatus.CONTRACT_SIGNED, officer, values,
             f"收购合同{values['contract_number']}，价格{values['contract_price']}元")
    flush_or_conflict(lambda _: "该收购合同编号已被使用")
    return acquisition


@use_case
def record_purchase(acquisition_id: int, raw: dict, document: DocumentUpload | None, officer: User,
                    today: date | None = None) -> Acquisition:
    """The household's new home from the platform, checked against the rules; the unit is sold."""
    _require_officer(officer)
    acquisition = _locked(acquisition_id)
    if acquisition.application.joined_to_id is not None:
        raise Conflict(f"本套旧房与申请{acquisition.application.joined_to_id}合并购买新房：请确认合并购买，"
                       "不单独登记新房")
    values = _values(steps.PURCHASE_FIELDS, raw)
    _require_step(acquisition, AcquisitionStatus.NEW_HOME_PURCHASED)
    _check_date(values, "purchased_on", today, beijing_date(acquisition.created_at), "受理日期")
    unit = _unit_for_swap(values.pop("unit_id"))
    purchase_contracts.refuse_if_used(values["purchase_contract_number"], USED_CONTRACT)
    reservations.convert_for(unit.id, acquisition.application.household_user_id, officer, acquisition=acquisition)
    _, rules = current_rules(values["purchased_on"])
    shortfall = _check_new_home(unit, values["new_home_price"],
                                joined_homes.bundle_city_group_price(acquisition.application), rules,
                                more_units_allowed=rules.new_units_max > 1)
    if document is not None:
        attach(acquisition, "purchase_contract", document, officer)
    unit.status = UnitStatus.SOLD
    values["new_unit_id"] = unit.id
    _advance(acquisition, AcquisitionStatus.NEW_HOME_PURCHASED, officer, values,
             f"购买新房：{_unit_name(unit)}，总价{values['new_home_price']}元" + (f"（{shortfall}）" if shortfall else ""))
    flush_or_conflict(lambda text: "该新房已用于其他家庭的换房" if "new_unit_id" in text
                      else USED_CONTRACT)
    enqueue("unit", unit.id, unit.version)
    return acquisition


ADDITIONAL_UNIT_STEPS = (AcquisitionStatus.NEW_HOME_PURCHASED, AcquisitionStatus.TITLE_TRANSFERRED)


@use_case
def record_additional_purchase(acquisition_id: int, raw: dict, document: DocumentUpload | None, officer: User,
                               today: date | None = None) -> Acquisition:
    """A further new home bought with the same old home (one old home, two new ones; rule
    ``new_units_max``): sold like the first, and the rules check the new homes' total."""
    _require_officer(officer)
    acquisition = _locked(acquisition_id)
    if acquisition.joined_purchase:
        raise Conflict("本案与主申请合并购买新房：另一套新房请在主申请的收购中登记")
    if acquisition.status not in ADDITIONAL_UNIT_STEPS:
        raise Conflict("登记第一套新房后、确认完成前，才能登记另一套新房")
    values = _values(steps.PURCHASE_FIELDS, raw)
    _check_date(values, "purchased_on", today, beijing_date(acquisition.created_at), "受理日期")
    _, rules = current_rules(values["purchased_on"])
    if len(acquisition.additional_units) + 1 >= rules.new_units_max:
        raise Conflict(f"现行规则一宗收购最多购买{rules.new_units_max}套新房")
    unit = _unit_for_swap(values["unit_id"])
    purchase_contracts.refuse_if_used(values["purchase_contract_number"], USED_CONTRACT)
    reservations.convert_for(unit.id, acquisition.application.household_user_id, officer, acquisition=acquisition)
    total = acquisition.new_home_price + sum(extra.price for extra in acquisition.additional_units)
    shortfall = _check_new_home(unit, total + values["new_home_price"],
                                joined_homes.bundle_city_group_price(acquisition.application), rules,
                                more_units_allowed=len(acquisition.additional_units) + 2 < rules.new_units_max)
    if document is not None:
        attach(acquisition, "purchase_contract", document, officer)
    unit.status = UnitStatus.SOLD
    db.session.add(AdditionalUnit(acquisition=acquisition, unit_id=unit.id, price=values["new_home_price"],
                                  purchase_contract_number=values["purchase_contract_number"],
                                  purchased_on=values["purchased_on"], recorded_by_user_id=officer.id))
    note = f"购买另一套新房：{_unit_name(unit)}，总价{values['new_home_price']}元" + (f"（{shortfall}）" if shortfall else "")
    _event(acquisition, acquisition.status, note, officer)
    _tell_the_household(acquisition, acquisition.status, note, officer)
    record_event("acquisition.additional_unit", "acquisition", acquisition.id, actor=officer,
                 after={"unit_id": unit.id, "price": values["new_home_price"],
                        "purchase_contract_number": values["purchase_contract_number"]})
    flush_or_conflict(lambda text: "该新房已用于其他家庭的换房" if "unit_id" in text
                      else USED_CONTRACT)
    enqueue("unit", unit.id, unit.version)
    return acquisition


def may_add_unit(acquisition: Acquisition) -> bool:
    """Whether the page offers a further new home: the first is recorded, the case not finished,
    and the rules allow another."""
    return (acquisition.status in ADDITIONAL_UNIT_STEPS and not acquisition.joined_purchase
            and len(acquisition.additional_units) + 1 < latest_rules()[1].new_units_max)


@use_case
def record_joined_purchase(acquisition_id: int, document: DocumentUpload | None, officer: User) -> Acquisition:
    """A joined home's case takes the lead's recorded new home as its own: no unit or contract of
    its own (the unit stays sold and claimed once); the price must cover every home of the bundle."""
    _require_officer(officer)
    acquisition = _locked(acquisition_id)
    application = acquisition.application
    purchase = joined_homes.shared_purchase_for(application)   # first: a case not joined is told so
    _require_step(acquisition, AcquisitionStatus.NEW_HOME_PURCHASED)
    _, rules = current_rules(purchase.acquisition.purchased_on)
    unit = db.session.get_one(Unit, purchase.unit_id)
    _check_new_home(unit, purchase.price, joined_homes.bundle_city_group_price(application), rules)
    if document is not None:
        attach(acquisition, "purchase_contract", document, officer)
    _advance(acquisition, AcquisitionStatus.NEW_HOME_PURCHASED, officer,
             {"joined_purchase": True, "new_home_price": purchase.price,
              "purchased_on": purchase.acquisition.purchased_on},
             f"合并购买新房：{_unit_name(unit)}（与申请{application.joined_to_id}合并），总价{purchase.price}元")
    return acquisition


@use_case
def transfer_title(acquisition_id: int, raw: dict, document: DocumentUpload | None, officer: User,
                   today: date | None = None) -> Acquisition:
    _require_officer(officer)
    acquisition = _locked(acquisition_id)
    values = _values(steps.TITLE_FIELDS, raw)
    _require_step(acquisition, AcquisitionStatus.TITLE_TRANSFERRED)
    _check_date(values, "title_transferred_on", today, acquisition.contract_signed_on, "收购合同签约日期")
    if document is not None:
        attach(acquisition, "title_certificate", document, officer)
    return _advance(acquisition, AcquisitionStatus.TITLE_TRANSFERRED, officer, values, "旧房已过户至城发集团")


@use_case
def complete(acquisition_id: int, raw: dict, officer: User, today: date | None = None) -> Acquisition:
    """The last step: checked against quotas and the rules in force, and counted on the ledger."""
    _require_officer(officer)
    acquisition = _locked(acquisition_id)
    values = _values(steps.COMPLETION_FIELDS, raw)
    _require_step(acquisition, AcquisitionStatus.COMPLETED)
    _check_date(values, "completed_on", today, acquisition.title_transferred_on, "过户日期")
    version, rules = current_rules(values["completed_on"])
    application = acquisition.application
    purchase = joined_homes.purchase_of(application)
    if purchase is None:
        raise Conflict("主申请的新房购买已不在，不能确认完成：请核对合并购买的新房")
    # The first unit stands for the district rule; the price is every new home's total.
    _check_new_home(db.session.get_one(Unit, purchase.unit_id), purchase.price,
                    joined_homes.bundle_city_group_price(application), rules)
    quota = _quota_check(application.old_district_code, values["completed_on"], rules)
    if not quota.allowed:
        raise Conflict(f"{quota.over_target}，按规则不能再完成收购")
    values |= {"rule_version_id": version.id, "over_quota": quota.over_target}
    _advance(acquisition, AcquisitionStatus.COMPLETED, officer, values,
             "收购与换房完成，已计入目标" + (f"（{quota.over_target}）" if quota.over_target else ""))
    # A joined home counts on its own; the new unit is claimed once, by the lead's count.
    ledger.record_count(ledger.CountedSwap(
        Channel.CITY_GROUP, application.old_property_key, application.old_district_code,
        values["completed_on"], None if acquisition.joined_purchase else acquisition.new_unit_id, version,
        acquisition_id=acquisition.id), officer)
    move_application(application, ApplicationStatus.COMPLETED, "以旧换新完成", officer)
    return acquisition


@use_case
def cancel(acquisition_id: int, reason: str, actor: User) -> Acquisition:
    """Stop an acquisition before its title transfer; the application returns to the queue."""
    if actor.role not in READERS:
        raise Forbidden("只有城发集团经办人或住房保障局可以取消收购")
    acquisition = _locked(acquisition_id)
    values = _values(steps.REASON_FIELDS, {"reason": reason})
    _require_step(acquisition, AcquisitionStatus.CANCELLED)
    _advance(acquisition, AcquisitionStatus.CANCELLED, actor, {"cancelled_reason": values["reason"]},
             f"取消：{values['reason']}")
    move_application(acquisition.application, ApplicationStatus.ELIGIBLE, "收购已取消，可重新办理", actor)
    reservations.release_for_acquisition(acquisition, actor)
    return acquisition


# ----- helpers -----------------------------------------------------------------------------------

def _require_officer(user: User) -> None:
    if user.role not in OFFICERS:
        raise Forbidden("只有城发集团经办人可以办理收购")


def _locked(acquisition_id: int) -> Acquisition:
    acquisition = db.session.get(Acquisition, acquisition_id, with_for_update=True, populate_existing=True)
    if acquisition is None:
        raise NotFound("收购记录不存在")
    return acquisition


def _values(fields: tuple[Field, ...], raw: dict) -> dict:
    values, errors = parse_fields(fields, raw)
    if errors:
        raise ValidationFailed("填写的内容有误", errors)
    return values


def _require_step(acquisition: Acquisition, target: AcquisitionStatus) -> None:
    if problem := steps.step_problem(acquisition.status.value, target.value, acquisition.appeal_pending):
        raise Conflict(problem)


def _check_date(values: dict, name: str, today: date | None, not_before: date | None, earlier_label: str) -> None:
    if problem := steps.date_problem(values[name], today or beijing_today(), not_before, earlier_label):
        raise ValidationFailed("日期有误", {name: [problem]})


def _advance(acquisition: Acquisition, target: AcquisitionStatus, actor: User, values: dict, note: str) -> Acquisition:
    """Move to ``target`` with the step's values, add it to the timeline and the audit log."""
    _require_step(acquisition, target)
    before = {"status": acquisition.status.value, **{name: _plain(getattr(acquisition, name)) for name in values}}
    for name, value in values.items():
        setattr(acquisition, name, value)
    acquisition.status = target
    _event(acquisition, target, note, actor)
    _tell_the_household(acquisition, target, note, actor)
    record_event(f"acquisition.{target.value}", "acquisition", acquisition.id, actor=actor, before=before,
                 after={"status": target.value, **{name: _plain(value) for name, value in values.items()}})
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("该收购刚被他人更新，请刷新后重试") from None
    return acquisition


# Steps the household hears about (the notification kind and its title); the note says the rest.
HOUSEHOLD_NEWS = {
    AcquisitionStatus.OFFER_MADE: ("offer_made", "城发集团已对您的旧房报价"),
    AcquisitionStatus.CONTRACT_SIGNED: ("contract_signed", "旧房收购合同已签订"),
    AcquisitionStatus.COMPLETED: ("acquisition_completed", "旧房收购已完成"),
    AcquisitionStatus.CANCELLED: ("acquisition_cancelled", "旧房收购已取消"),
}


def _tell_the_household(acquisition: Acquisition, target: AcquisitionStatus, note: str, actor: User | None) -> None:
    household_id = acquisition.application.household_user_id
    if target in HOUSEHOLD_NEWS and (actor is None or actor.id != household_id):
        kind, title = HOUSEHOLD_NEWS[target]
        notify(household_id, kind, title, note, f"/acquisitions/{acquisition.id}")


@exclusive("acquisitions remind-offers")
def remind_offers_due(days: int, today: date | None = None) -> int:
    """Remind each household whose offer ends within ``days`` days, once per offer deadline."""
    today = today or beijing_today()
    due = db.session.scalars(select(Acquisition).where(
        Acquisition.status == AcquisitionStatus.OFFER_MADE, Acquisition.offer_expires_on >= today,
        Acquisition.offer_expires_on <= today + timedelta(days=days))).all()
    reminded = 0
    for acquisition in (a for a in due if not a.appeal_pending):   # an offer under appeal waits
        with unit_of_work():
            deadline = str(acquisition.offer_expires_on)  # ISO date, as every other message shows it
            reminded += notify(
                acquisition.application.household_user_id, "offer_due_soon", "收购报价即将到期",
                f"城发集团报价{acquisition.offer_price:,}元，答复期限为{deadline}（含当日），逾期报价失效。",
                f"/acquisitions/{acquisition.id}", once_key=f"acquisition:{acquisition.id}:{deadline}")
    return reminded


def _event(acquisition: Acquisition, status: AcquisitionStatus, note: str, actor: User | None) -> None:
    db.session.add(AcquisitionEvent(acquisition=acquisition, status=status, note=note,
                                    actor_user_id=actor.id if actor else None))


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _expire_if_due(acquisition: Acquisition, today: date) -> bool:
    """An offer past its deadline expires, unless the household's appeal holds it."""
    if acquisition.status != AcquisitionStatus.OFFER_MADE or acquisition.appeal_pending or not steps.offer_has_expired(
            acquisition.offer_expires_on, today):
        return False
    _advance(acquisition, AcquisitionStatus.OFFER_EXPIRED, None, {},
             f"报价已于{acquisition.offer_expires_on.isoformat()}过期，家庭未答复")
    return True


def _unit_for_swap(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id, with_for_update=True, populate_existing=True)
    if unit is None:
        raise ValidationFailed("新房不存在", {"unit_id": ["平台上没有这个房屋编号"]})
    if unit.status == UnitStatus.SOLD:
        raise Conflict("该新房已售出，不能再用于换房")
    return unit


def _check_new_home(unit: Unit, price: int, acquisition_price: int, rules: ProgramRules,
                    more_units_allowed: bool = False) -> str | None:
    """Refuse a new home the rules do not take. A total short of the price rule is let through,
    and said, while the rules still allow another new home to make it up (completion holds the
    total to the rule)."""
    project = db.session.get(Project, db.session.get(Building, unit.building_id).project_id)
    decision = check_new_home_for_city_group(NewHomeFacts(project.district_code, price), acquisition_price, rules)
    if decision.ok:
        return None
    messages = [reason.message for reason in decision.reasons]
    if more_units_allowed and {reason.rule for reason in decision.reasons} == {"new_to_old_price_ratio"}:
        return f"{messages[0]}，确认完成前须再登记另一套新房补足"
    raise ValidationFailed("新房不符合项目规则：" + "；".join(messages), {"unit_id": messages})


def joined_purchase_note(acquisition: Acquisition) -> str:
    """What the officer confirms for a joined home's case: the lead's new home, or why not yet."""
    try:
        purchase = joined_homes.shared_purchase_for(acquisition.application)
    except Conflict as not_yet:
        return not_yet.message
    unit = db.session.get_one(Unit, purchase.unit_id)
    return (f"主申请{acquisition.application.joined_to_id}已登记购买新房：{_unit_name(unit)}，总价{purchase.price:,}元。"
            "本套旧房与其合并购买，确认后以此为本案的新房，不另登记房号和购房合同。")


def _unit_name(unit: Unit) -> str:
    building = db.session.get(Building, unit.building_id)
    return f"{building.project.name}{building.name}{unit.room}"


@dataclass(frozen=True)
class UnitLabel:
    project_id: int
    text: str


def new_home_label(acquisition: Acquisition) -> UnitLabel | None:
    """The purchased unit as people name it, with its project for a link (a joined purchase: the
    lead's unit, saying so)."""
    if acquisition.joined_purchase:
        purchase = joined_homes.purchase_of(acquisition.application)
        if purchase is None:
            return None
        unit = db.session.get_one(Unit, purchase.unit_id)
        return UnitLabel(db.session.get_one(Building, unit.building_id).project_id,
                         f"{_unit_name(unit)}（与申请{acquisition.application.joined_to_id}合并购买）")
    if acquisition.new_unit_id is None:
        return None
    unit = db.session.get(Unit, acquisition.new_unit_id)
    return UnitLabel(db.session.get(Building, unit.building_id).project_id, _unit_name(unit))


@dataclass(frozen=True)
class AdditionalUnitLabel:
    project_id: int
    text: str
    contract: str
    price: int
    purchased_on: date


def additional_unit_labels(acquisition: Acquisition) -> list[AdditionalUnitLabel]:
    """The further new homes bought with this old home, as people name them."""
    labels = []
    for extra in acquisition.additional_units:
        unit = db.session.get_one(Unit, extra.unit_id)
        labels.append(AdditionalUnitLabel(db.session.get_one(Building, unit.building_id).project_id, _unit_name(unit),
                                          extra.purchase_contract_number, extra.price, extra.purchased_on))
    return labels


def _quota_check(district_code: str, completed_on: date, rules: ProgramRules) -> steps.QuotaCheck:
    ledger.lock_counting(rules.program_year)
    channel_done = ledger.live_count(Channel.CITY_GROUP, rules.program_year)
    pilot_done = (ledger.live_count(Channel.CITY_GROUP, rules.program_year, pilot_only=True)
                  if counts_toward_pilot(district_code, completed_on, rules) else None)
    return steps.check_quotas(channel_done, pilot_done, rules)
