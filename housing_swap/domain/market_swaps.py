"""Market-channel swaps (市场交易) as pure rules: what a record holds, the time limit between the
old home's sale and the new home's purchase, and how a record compares with the registration
system's contracts (网签备案).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .fields import Field, parse_date, parse_district, parse_integer, parse_text, parse_yuan
from .labels import LabelledEnum
from .listing_fields import parse_certificate, parse_contract_number, parse_phone, parse_unit_code
from .rules import ProgramRules


class MarketSwapStatus(LabelledEnum):
    RECORDED = "recorded", "待核验"
    VERIFIED = "verified", "已核验计入"
    REJECTED = "rejected", "已退回"
    CANCELLED = "cancelled", "已撤销"
    # Its count was taken back by two bureau users; the sale itself stays on record.
    REVERSED = "reversed", "计数已撤销"


STATUS_LABELS = MarketSwapStatus.labels()


_money = parse_yuan(1, 1_000_000_000)


HOUSEHOLD_FIELD = Field("household_phone", "换房家庭手机号", True, parse_phone)
# The sale and the (first) new home's purchase.
SWAP_FIELDS = (
    Field("old_district_code", "旧房所在区县", True, parse_district),
    Field("old_certificate_number", "旧房不动产权证号", True, parse_certificate),
    Field("old_unit_code", "旧房不动产单元号", False, parse_unit_code),
    Field("buyer_name", "旧房买方姓名", True, parse_text(60)),
    Field("old_sale_price", "旧房成交价（元）", True, _money),
    Field("old_sale_contract_number", "旧房买卖合同编号", True, parse_contract_number),
    Field("old_sale_on", "旧房签约日期", True, parse_date),
    Field("new_unit_id", "新房房屋编号（平台内）", False, parse_integer(1, 2**62)),
    Field("new_project_name", "新房楼盘名称（平台外）", False, parse_text(80)),
    Field("new_district_code", "新房所在区县（平台外）", False, parse_district),
    Field("new_purchase_contract_number", "新房购房合同/网签备案号", True, parse_contract_number),
    Field("new_home_price", "新房总价（元）", True, _money),
    Field("new_purchase_on", "新房签约日期", True, parse_date),
)
# One old home, two new ones: a second purchase with the same sale, all optional together.
SECOND_HOME_FIELDS = (
    Field("second_unit_id", "另购新房：房屋编号（平台内）", False, parse_integer(1, 2**62)),
    Field("second_project_name", "另购新房：楼盘名称（平台外）", False, parse_text(80)),
    Field("second_district_code", "另购新房：所在区县（平台外）", False, parse_district),
    Field("second_purchase_contract_number", "另购新房：购房合同/网签备案号", False, parse_contract_number),
    Field("second_home_price", "另购新房：总价（元）", False, _money),
    Field("second_purchase_on", "另购新房：签约日期", False, parse_date),
)
MARKET_SWAP_FIELDS: tuple[Field, ...] = SWAP_FIELDS + SECOND_HOME_FIELDS


def record_problems(values: dict, rules: ProgramRules, today: date) -> dict[str, list[str]]:
    """Cross-field checks of a market-swap record, by field name."""
    problems: dict[str, list[str]] = {}
    for name in ("old_sale_on", "new_purchase_on"):
        if values[name] > today:
            problems.setdefault(name, []).append("日期不能晚于今天")
    gap = abs((values["new_purchase_on"] - values["old_sale_on"]).days)
    if gap > rules.new_home_contract_within_days:
        problems.setdefault("new_purchase_on", []).append(
            f"新房与旧房签约相隔{gap}天，超过规则允许的{rules.new_home_contract_within_days}天")
    if values["old_sale_contract_number"] == values["new_purchase_contract_number"]:
        problems.setdefault("new_purchase_contract_number", []).append("不能与旧房买卖合同编号相同")
    if values.get("new_unit_id") is None and not (values.get("new_project_name") and values.get("new_district_code")):
        problems.setdefault("new_unit_id", []).append("请填写平台内的新房房屋编号，或平台外楼盘的名称和区县")
    if has_second_home(values):
        _second_home_problems(values, rules, today, problems)
    return problems


def has_second_home(values: dict) -> bool:
    return any(values.get(field.name) is not None for field in SECOND_HOME_FIELDS)


def _second_home_problems(values: dict, rules: ProgramRules, today: date, problems: dict[str, list[str]]) -> None:
    if rules.new_units_max < 2:
        problems.setdefault("second_purchase_contract_number", []).append("现行规则每套旧房只能购买一套新房")
        return
    for name, label in (("second_purchase_contract_number", "购房合同/网签备案号"), ("second_home_price", "总价"),
                        ("second_purchase_on", "签约日期")):
        if values.get(name) is None:
            problems.setdefault(name, []).append(f"登记另购新房时须填写{label}")
    if values.get("second_unit_id") is None and not (values.get("second_project_name")
                                                      and values.get("second_district_code")):
        problems.setdefault("second_unit_id", []).append("请填写另购新房的平台房屋编号，或平台外楼盘的名称和区县")
    if values.get("second_unit_id") is not None and values["second_unit_id"] == values.get("new_unit_id"):
        problems.setdefault("second_unit_id", []).append("不能与第一套新房相同")
    number = values.get("second_purchase_contract_number")
    if number is not None and number in (values["new_purchase_contract_number"], values["old_sale_contract_number"]):
        problems.setdefault("second_purchase_contract_number", []).append("不能与其他合同编号相同")
    signed = values.get("second_purchase_on")
    if signed is not None:
        if signed > today:
            problems.setdefault("second_purchase_on", []).append("日期不能晚于今天")
        gap = abs((signed - values["old_sale_on"]).days)
        if gap > rules.new_home_contract_within_days:
            problems.setdefault("second_purchase_on", []).append(
                f"新房与旧房签约相隔{gap}天，超过规则允许的{rules.new_home_contract_within_days}天")


def completion_date(old_sale_on: date, new_purchase_on: date, second_purchase_on: date | None = None) -> date:
    """A market swap is complete when every leg is signed: the latest of the dates."""
    return max(old_sale_on, new_purchase_on, second_purchase_on or old_sale_on)


# ----- checking against registered contracts -----------------------------------------------------

@dataclass(frozen=True)
class RegisteredContract:
    number: str
    price: int
    signed_on: date


@dataclass(frozen=True)
class ContractLeg:
    label: str  # 旧房买卖合同 / 新房购房合同
    number: str
    price: int
    signed_on: date


MATCHED, MISMATCHED, MISSING = "matched", "mismatched", "missing"
OUTCOME_LABELS = {MATCHED: "一致", MISMATCHED: "不一致", MISSING: "未找到备案"}


def compare_with_registry(legs: list[ContractLeg], registry: dict[str, RegisteredContract]) -> tuple[str, list[str]]:
    """The outcome for one swap and every reason: missing contracts first, then differences."""
    missing, differences = [], []
    for leg in legs:
        registered = registry.get(leg.number)
        if registered is None:
            missing.append(f"{leg.label}{leg.number}在备案文件中不存在")
            continue
        if registered.price != leg.price:
            differences.append(f"{leg.label}{leg.number}价格不一致：备案{registered.price}元，申报{leg.price}元")
        if registered.signed_on != leg.signed_on:
            differences.append(f"{leg.label}{leg.number}签约日期不一致：备案{registered.signed_on.isoformat()}，"
                               f"申报{leg.signed_on.isoformat()}")
    if missing:
        return MISSING, missing + differences
    return (MISMATCHED, differences) if differences else (MATCHED, [])
