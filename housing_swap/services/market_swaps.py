"""Market-channel swaps as use cases: an agency or the household records the sale and the
purchase; the bureau verifies them, by hand or against a file of registered contracts, and
only a verified swap is counted on the goal ledger.

A property can have one live (recorded or verified) record at a time and a platform unit can
serve one live record: partial unique indexes keep that true under concurrent requests.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from ..db.base import utcnow
from ..db.models import (
    ApplicationStatus,
    Channel,
    MarketSwap,
    MarketSwapStatus,
    Role,
    SwapApplication,
    Unit,
    UnitStatus,
    User,
)
from ..db.models.projects import Building
from ..domain import market_swaps as rules_of
from ..domain.fields import FieldProblem, parse_date, parse_fields, parse_integer
from ..domain.listing_fields import parse_contract_number
from ..domain.timezones import beijing_today
from ..extensions import db
from . import joined_homes, ledger, purchase_contracts, reservations
from .accounts import lookup_hash
from .applications import move_application
from .audit import record_event
from .errors import Conflict, Forbidden, NotFound, ValidationFailed, flush_or_conflict
from .imports import RowError, raise_row_errors
from .property_identity import property_key
from .rules import current_rules
from .search_outbox import enqueue
from .spreadsheets import Upload, missing_columns, read_table
from .unit_of_work import use_case

RECORDERS = (Role.HOUSEHOLD, Role.AGENCY_STAFF)
LIVE = (MarketSwapStatus.RECORDED, MarketSwapStatus.VERIFIED)


# ----- reading -----------------------------------------------------------------------------------

def swap_for_viewing(swap_id: int, user: User) -> MarketSwap:
    swap = db.session.get(MarketSwap, swap_id)
    if swap is None or not _may_view(swap, user):
        raise NotFound("市场交易记录不存在，或您无权查看")
    return swap


def _may_view(swap: MarketSwap, user: User) -> bool:
    if user.role == Role.BUREAU_ADMIN:
        return True
    if user.role == Role.HOUSEHOLD:
        return user.id in (swap.household_user_id, swap.recorded_by_user_id)
    return user.role == Role.AGENCY_STAFF and swap.organization_id == user.organization_id


def swaps_for(user: User, status: MarketSwapStatus | None = None, limit: int = 200) -> list[MarketSwap]:
    query = select(MarketSwap).order_by(MarketSwap.id.desc()).limit(limit)
    if user.role == Role.HOUSEHOLD:
        query = query.where(or_(MarketSwap.household_user_id == user.id, MarketSwap.recorded_by_user_id == user.id))
    elif user.role == Role.AGENCY_STAFF:
        query = query.where(MarketSwap.organization_id == user.organization_id)
    elif user.role != Role.BUREAU_ADMIN:
        raise Forbidden("您无权查看市场交易记录")
    if status is not None:
        query = query.where(MarketSwap.status == status)
    return list(db.session.scalars(query))


# ----- recording ---------------------------------------------------------------------------------

@use_case
def record_swap(raw: dict, actor: User, today: date | None = None) -> MarketSwap:
    """Record both legs; checked against the rule's time limit; nothing is counted yet."""
    today = today or beijing_today()
    household = _household_for(raw, actor)
    values, errors = parse_fields(rules_of.MARKET_SWAP_FIELDS, raw)
    if errors:
        raise ValidationFailed("市场交易信息有误", errors)
    version, rules = current_rules(rules_of.completion_date(values["old_sale_on"], values["new_purchase_on"],
                                                            values["second_purchase_on"]))
    if problems := rules_of.record_problems(values, rules, today):
        raise ValidationFailed("市场交易信息有误", problems)
    old_property_key = property_key(values["old_certificate_number"], values["old_unit_code"])
    application = _live_application(household, old_property_key)
    joined = _names_the_leads_purchase(application, values)
    if values["new_unit_id"] is not None:
        _describe_platform_unit(values, leads_unit=joined)
    if values["second_unit_id"] is not None:
        _describe_platform_unit(values, prefix="second")
    for number in (values["new_purchase_contract_number"] if not joined else None,
                   values["second_purchase_contract_number"]):
        if number is not None:
            purchase_contracts.refuse_if_used(number, "合同编号已被另一条市场交易记录使用")
    swap = MarketSwap(household_user_id=household.id, recorded_by_user_id=actor.id,
                      organization_id=actor.organization_id if actor.role == Role.AGENCY_STAFF else None,
                      old_property_key=old_property_key, joined_purchase=joined,
                      rule_version_id=version.id, status=MarketSwapStatus.RECORDED, **values)
    _refuse_if_counted(swap.old_property_key, rules.program_year)
    db.session.add(swap)
    flush_or_conflict(_conflict_message)
    if swap.new_unit_id is not None and not joined:
        reservations.convert_for(swap.new_unit_id, household.id, actor, market_swap=swap)
    if swap.second_unit_id is not None:
        reservations.convert_for(swap.second_unit_id, household.id, actor, market_swap=swap)
    if application is not None:
        swap.application_id = application.id
        move_application(application, ApplicationStatus.IN_PROGRESS, "已登记市场交易，等待住房保障局核验", actor)
    record_event("market_swap.record", "market_swap", swap.id, actor=actor,
                 after={"district": swap.old_district_code, "sale_price": swap.old_sale_price,
                        "new_home_price": swap.new_home_price, "unit_id": swap.new_unit_id})
    return swap


def _household_for(raw: dict, actor: User) -> User:
    if actor.role == Role.HOUSEHOLD:
        if not actor.id_number_hash:
            raise Forbidden("登记前请先完成实名认证")
        return actor
    if actor.role != Role.AGENCY_STAFF or actor.organization is None or not actor.organization.is_operational:
        raise Forbidden("只有购房家庭本人或已审核的经纪机构可以登记市场交易")
    values, errors = parse_fields((rules_of.HOUSEHOLD_FIELD,), raw)
    if errors:
        raise ValidationFailed("市场交易信息有误", errors)
    household = db.session.scalar(select(User).where(
        User.phone_hash == lookup_hash(values["household_phone"], "phone"), User.role == Role.HOUSEHOLD))
    if household is None:
        raise ValidationFailed("市场交易信息有误", {"household_phone": ["该手机号没有注册为购房家庭"]})
    return household


def _describe_platform_unit(values: dict, leads_unit: bool = False, prefix: str = "new") -> None:
    """A platform unit names its own project and district; it must still be for sale (unless it
    is the lead application's new home, bought with this home too). ``prefix``: the first new
    home's fields (``new_``) or the second's (``second_``)."""
    unit = db.session.get(Unit, values[f"{prefix}_unit_id"])
    if unit is None:
        raise ValidationFailed("市场交易信息有误", {f"{prefix}_unit_id": ["平台上没有这个房屋编号"]})
    if unit.status == UnitStatus.SOLD and not leads_unit:
        raise Conflict("该新房已售出，不能再用于换房")
    project = db.session.get(Building, unit.building_id).project
    values[f"{prefix}_project_name"], values[f"{prefix}_district_code"] = project.name, project.district_code


def _names_the_leads_purchase(application: SwapApplication | None, values: dict) -> bool:
    """Whether a joined home's swap names its lead application's new home (same purchase contract):
    then it shares that purchase instead of holding a unit and contract of its own."""
    if application is None or application.joined_to_id is None:
        return False
    lead = leads_purchase(application)
    if lead is None or lead.contract != values["new_purchase_contract_number"]:
        return False
    if values["new_unit_id"] not in (None, lead.unit_id) or values["new_home_price"] != lead.price:
        raise ValidationFailed("市场交易信息有误", {"new_purchase_contract_number": [
            f"该购房合同是主申请{application.joined_to_id}的新房，房屋和总价应与主申请登记的一致"]})
    return True


@dataclass(frozen=True)
class LeadsPurchase:
    contract: str
    unit_id: int | None
    price: int
    final: bool          # verified (a market swap) or recorded by the city group (an acquisition)


def leads_purchase(application: SwapApplication) -> LeadsPurchase | None:
    """The new home the lead application of a joined home bought: on its live market swap or
    its acquisition."""
    lead_id = application.joined_to_id
    swap = db.session.scalar(select(MarketSwap).where(
        MarketSwap.application_id == lead_id, MarketSwap.joined_purchase.is_(False),
        MarketSwap.status.in_((MarketSwapStatus.RECORDED, MarketSwapStatus.VERIFIED))))
    if swap is not None:
        return LeadsPurchase(swap.new_purchase_contract_number, swap.new_unit_id, swap.new_home_price,
                             swap.status == MarketSwapStatus.VERIFIED)
    bought = joined_homes.purchase_of(db.session.get_one(SwapApplication, lead_id))
    if bought is None or bought.acquisition.purchase_contract_number is None:
        return None
    return LeadsPurchase(bought.acquisition.purchase_contract_number, bought.unit_id,
                         bought.acquisition.new_home_price or 0, True)


def _refuse_if_counted(property_hash: str, program_year: int) -> None:
    if ledger.is_counted(property_hash, program_year):
        raise Conflict("该房屋本项目年度已计入目标，不能重复登记")


def _conflict_message(error_text: str) -> str:
    if "old_property_key" in error_text or "live_property" in error_text:
        return "这套旧房已有一条待核验或已计入的市场交易记录"
    if "new_unit_id" in error_text or "live_unit" in error_text:
        return "该新房已登记在另一条市场交易记录中"
    return "合同编号已被另一条市场交易记录使用"


def _live_application(household: User, property_hash: str) -> SwapApplication | None:
    """The household's application for this home that chose (and may use) the market channel."""
    candidates = db.session.scalars(select(SwapApplication).where(
        SwapApplication.household_user_id == household.id, SwapApplication.old_property_key == property_hash,
        SwapApplication.status.in_((ApplicationStatus.ELIGIBLE, ApplicationStatus.MATCHED))))
    return next((a for a in candidates if Channel.MARKET.value in (a.eligible_channels or [])), None)


# ----- the bureau's decisions --------------------------------------------------------------------

@use_case
def verify_swap(swap_id: int, bureau: User) -> MarketSwap:
    _require_bureau(bureau)
    swap = _locked(swap_id)
    _verify(swap, bureau)
    return swap


def _verify(swap: MarketSwap, bureau: User) -> None:
    """Count the swap: the unit is sold, the ledger gets its row, the application completes."""
    if swap.status != MarketSwapStatus.RECORDED:
        raise Conflict(f"该记录{rules_of.STATUS_LABELS[swap.status.value]}，不能再核验")
    if swap.joined_purchase:
        _require_leads_purchase_final(swap)
    elif swap.new_unit_id is not None:
        _sell_unit(swap.new_unit_id)
    if swap.second_unit_id is not None:
        _sell_unit(swap.second_unit_id)
    swap.status = MarketSwapStatus.VERIFIED
    swap.verified_by_user_id, swap.verified_at, swap.contract_check_note = bureau.id, utcnow(), None
    # A joined home counts on its own; the new unit is claimed once, by the lead's count.
    ledger.record_count(ledger.CountedSwap(
        Channel.MARKET, swap.old_property_key, swap.old_district_code,
        rules_of.completion_date(swap.old_sale_on, swap.new_purchase_on, swap.second_purchase_on),
        None if swap.joined_purchase else swap.new_unit_id, swap.rule_version, market_swap_id=swap.id), bureau)
    if swap.application is not None:
        move_application(swap.application, ApplicationStatus.COMPLETED, "市场交易已核验，以旧换新完成", bureau)
    record_event("market_swap.verify", "market_swap", swap.id, actor=bureau,
                 before={"status": MarketSwapStatus.RECORDED.value}, after={"status": swap.status.value})


def _require_leads_purchase_final(swap: MarketSwap) -> None:
    application = swap.application
    lead = leads_purchase(application) if application is not None else None
    if application is None or lead is None or lead.contract != swap.new_purchase_contract_number:
        raise Conflict("主申请已不再持有这套新房的购买，不能核验合并购买的市场交易")
    if not lead.final:
        raise Conflict(f"须先核验主申请{application.joined_to_id}的市场交易，再核验合并购买的这一条")


def _sell_unit(unit_id: int) -> None:
    unit = db.session.get(Unit, unit_id, with_for_update=True, populate_existing=True)
    if unit.status == UnitStatus.SOLD:
        raise Conflict("该新房已售出给其他家庭，不能核验")
    unit.status = UnitStatus.SOLD
    db.session.flush()
    enqueue("unit", unit.id, unit.version)


@use_case
def reject_swap(swap_id: int, reason: str, bureau: User) -> MarketSwap:
    _require_bureau(bureau)
    swap = _locked(swap_id)
    if swap.status != MarketSwapStatus.RECORDED:
        raise Conflict("只有待核验的记录可以退回")
    _close(swap, MarketSwapStatus.REJECTED, _reason(reason), bureau)
    return swap


@use_case
def cancel_swap(swap_id: int, reason: str, actor: User) -> MarketSwap:
    """The recorder (or the bureau) withdraws a record not yet verified. A verified one is counted:
    only a two-person ledger reversal takes that back (services/ledger_reversals.py)."""
    swap = _locked(swap_id)
    text = _reason(reason)
    if swap.status == MarketSwapStatus.VERIFIED:
        raise Conflict("该记录已核验并计入目标，不能撤销；如需撤销计数，须由住房保障局在目标台账提出申请并经另一人复核")
    if swap.status == MarketSwapStatus.RECORDED:
        if actor.id != swap.recorded_by_user_id and actor.role != Role.BUREAU_ADMIN:
            raise Forbidden("只有登记人或住房保障局可以撤销该记录")
    else:
        raise Conflict(f"该记录{rules_of.STATUS_LABELS[swap.status.value]}，不能撤销")
    _close(swap, MarketSwapStatus.CANCELLED, text, actor)
    return swap


def _close(swap: MarketSwap, target: MarketSwapStatus, reason: str, actor: User) -> None:
    before = swap.status
    swap.status, swap.rejection_reason = target, reason
    if swap.application is not None and swap.application.status in (ApplicationStatus.IN_PROGRESS,
                                                                     ApplicationStatus.COMPLETED):
        move_application(swap.application, ApplicationStatus.ELIGIBLE, f"市场交易记录{rules_of.STATUS_LABELS[target.value]}："
                         f"{reason}", actor)
    reservations.reopen_after_swap_closed(swap, actor)
    record_event(f"market_swap.{target.value}", "market_swap", swap.id, actor=actor,
                 before={"status": before.value}, after={"status": target.value, "reason": reason})


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed("请填写原因", {"reason": ["原因为必填项"]})
    return text[:500]


def _require_bureau(user: User) -> None:
    if user.role != Role.BUREAU_ADMIN:
        raise Forbidden("只有住房保障局可以核验市场交易")


def _locked(swap_id: int) -> MarketSwap:
    swap = db.session.get(MarketSwap, swap_id, with_for_update=True, populate_existing=True)
    if swap is None:
        raise NotFound("市场交易记录不存在")
    return swap


# ----- checking against the registration system's contracts --------------------------------------

CONTRACT_COLUMNS = ("合同编号", "成交价格", "签约日期")


@dataclass(frozen=True)
class CheckedSwap:
    swap: MarketSwap
    outcome: str  # matched (and counted), mismatched, missing, or conflict (matched but not countable)
    reasons: list[str]


@dataclass(frozen=True)
class ContractCheckReport:
    rows: list[CheckedSwap]

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


@use_case
def check_against_contract_file(upload: Upload, bureau: User) -> ContractCheckReport:
    """Every record awaiting verification compared with the file: those whose both contracts are
    registered with the same price and date are verified and counted; the rest keep the reasons.
    A file with any bad row is refused whole."""
    _require_bureau(bureau)
    registry = _registered_contracts(upload)
    pending = db.session.scalars(select(MarketSwap).where(MarketSwap.status == MarketSwapStatus.RECORDED)
                                 .order_by(MarketSwap.id).with_for_update()).all()
    rows = [_check_one(swap, registry, bureau) for swap in pending]
    report = ContractCheckReport(rows)
    record_event("market_swap.contract_check", "market_swap", None, actor=bureau,
                 after={"file": upload.filename, "contracts": len(registry), "matched": report.count("matched"),
                        "mismatched": report.count("mismatched"), "missing": report.count("missing"),
                        "conflict": report.count("conflict")})
    return report


def _check_one(swap: MarketSwap, registry: dict, bureau: User) -> CheckedSwap:
    legs = [rules_of.ContractLeg("旧房买卖合同", swap.old_sale_contract_number, swap.old_sale_price, swap.old_sale_on),
            rules_of.ContractLeg("新房购房合同", swap.new_purchase_contract_number, swap.new_home_price,
                                 swap.new_purchase_on)]
    if swap.second_purchase_contract_number is not None:
        legs.append(rules_of.ContractLeg("另购新房购房合同", swap.second_purchase_contract_number,
                                         swap.second_home_price or 0, swap.second_purchase_on or swap.new_purchase_on))
    outcome, reasons = rules_of.compare_with_registry(legs, registry)
    if outcome == rules_of.MATCHED:
        try:
            with db.session.begin_nested():  # a refused count leaves this swap, and only it, untouched
                _verify(swap, bureau)
        except Conflict as refused:
            outcome, reasons = "conflict", [refused.message]
    swap.contract_check_note = "；".join(reasons) or None
    return CheckedSwap(swap, outcome, reasons)


def _registered_contracts(upload: Upload) -> dict[str, rules_of.RegisteredContract]:
    frame = read_table(upload)
    if missing := missing_columns(frame, list(CONTRACT_COLUMNS)):
        message = "缺少必需的列：" + "、".join(missing)
        raise ValidationFailed(message, {"file": [message]})
    registry, errors = {}, []
    for row, record in enumerate(frame.to_dict("records"), start=2):  # row 1 is the header
        try:
            contract = rules_of.RegisteredContract(
                _parse_cell("合同编号", parse_contract_number, _required(record, "合同编号")),
                _parse_cell("成交价格", parse_integer(0, 10**10), _required(record, "成交价格")),
                _parse_cell("签约日期", parse_date, _required(record, "签约日期")))
        except _RowProblem as problem:
            errors.append(RowError(row, problem.column, problem.message))
            continue
        if contract.number in registry:
            errors.append(RowError(row, "合同编号", f"合同编号{contract.number}在文件中重复"))
        registry[contract.number] = contract
    raise_row_errors(errors)
    return registry


class _RowProblem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def _required(record: dict, column: str) -> str:
    value = record[column]
    if value == "":
        raise _RowProblem(column, f"{column}为必填项")
    return value


def _parse_cell(column: str, parse, raw: str):
    try:
        return parse(raw)
    except FieldProblem as problem:
        raise _RowProblem(column, f"{column}{problem}") from None
