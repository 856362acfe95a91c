"""Program rules as data. A rule set is stored as a versioned JSON document; this is its shape.

Every value the program reports only vaguely is a parameter here (program-facts.md,
"Rules reported for the state-owned channel"), never a constant in the code. ``RULE_FIELDS``
describes each editable parameter once, for the bureau's rule editor and its parser.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from decimal import Decimal

from .districts import DISTRICTS_BY_CODE, ZHENGZHOU_DISTRICTS
from .fields import (
    Field,
    FieldProblem,
    parse_boolean,
    parse_date,
    parse_decimal_between,
    parse_district,
    parse_integer,
    parse_text,
)
from .labels import LabelledEnum

# The action plan runs 2024-2027; each year's targets come from that year's published rules.
PROGRAM_YEARS = (2024, 2025, 2026, 2027)


class Channel(LabelledEnum):
    """The two ways a swap is counted toward the goal (item 21)."""
    CITY_GROUP = "city_group", "城发集团收购"
    MARKET = "market", "市场交易"


class AppealRule(LabelledEnum):
    """Which appraisal stands after a household's appeal (a second appraisal by another organization)."""
    HIGHER = "higher", "取两次评估的较高者"
    AVERAGE = "average", "取两次评估的平均值"
    SECOND = "second", "以复评结果为准"


def parse_appeal_rule(raw: str) -> str:
    for rule in AppealRule:
        if raw in (rule.value, rule.label):
            return rule.value
    raise FieldProblem("应为“" + "”“".join(AppealRule.labels().values()) + "”之一")


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
    offer_max_ratio_to_appraisal: Decimal = Decimal("1.00")  # acquisition formula: unknown
    offer_valid_days: int = 15                    # how long a household may consider an offer
    deed_tax_subsidy_percent: int = 0             # optional subsidy: share of the new home's deed tax
    voucher_bonus_percents: tuple[int, ...] = ()  # optional voucher bonus by quarter since approval
    deed_tax_rate_small: Decimal = Decimal("0.01")   # new home ≤ 140 m² (2024 national rate)
    deed_tax_rate_large: Decimal = Decimal("0.02")   # new home > 140 m²
    # A market sale's costs to the seller, each a share of the price. The split is the city's and
    # the agencies' (commissions of 1-2% are common; the income tax is 1% unless the home is the
    # family's only one held five years, VAT is waived after two): unknown per home, so rules.
    market_agency_fee_rate: Decimal = Decimal("0.01")  # agency commission the seller pays
    market_seller_tax_rate: Decimal = Decimal("0.01")  # seller's taxes (income tax, VAT and surcharges)
    min_down_payment_ratio: Decimal = Decimal("0.15")  # Zhengzhou 2024 minimum down payment
    chain_max_length: int = 4                     # households in one swap chain
    # Days after a chain is agreed by which each milestone is expected (domain/milestones.py order:
    # offer, contract, mortgage, online registration, title transfer, new-home contract, handover).
    chain_milestone_days: tuple[int, ...] = (7, 21, 35, 45, 60, 75, 120)
    unit_sale_undo_hours: int = 24                # a developer may undo "sold" this long after marking it
    # Protected reservations (Ningbo's 30-90 day lock, Shenzhen's penalty-free protected period,
    # Shanghai's refund when the old home does not sell): the city's own terms are unknown.
    reservation_hold_days: int = 60
    reservation_acceptance_days: int = 3          # developer and agency must accept within this
    reservation_deposit_min: int = 0
    reservation_deposit_max: int = 50_000
    reservation_refund_percent: int = 100         # of the deposit, when the hold ends unsold
    backstop_floor_percent: int = 90              # city group's floor: share of the valuation's low end
    # Service deadlines (办理时限) for each acquisition step, in days from the step before it.
    deadline_intake_days: int = 5                 # intake → inspection scheduled
    deadline_inspection_days: int = 10            # inspection scheduled → appraisal
    deadline_appraised_days: int = 5              # appraisal → offer
    deadline_accepted_days: int = 15              # offer accepted → contract signed
    deadline_contract_days: int = 60              # contract → new home purchased
    deadline_purchase_days: int = 30              # new home purchased → title transferred
    deadline_title_days: int = 5                  # title transferred → completed
    appeal_within_days: int = 7                   # a household may ask for a second appraisal this long after an offer
    appeal_value_rule: str = AppealRule.HIGHER.value
    # Old homes one household may join into one new-home purchase (Wuxi's many-for-one); 1 = none.
    joined_homes_max: int = 2
    new_units_max: int = 2                        # new homes one old home (or bundle) may buy: one-for-two
    queue_by_lottery: bool = False                # city-group places by published lottery, else by submission time
    # Each district's share of the year's total target, in percent (the bureau's split; none by
    # default: the plan names only the city-wide goal). The dashboard's district map colours by it.
    district_shares: tuple[tuple[str, int], ...] = ()

    def to_document(self) -> dict:
        """A JSON-safe dict (dates as ISO strings, decimals as strings)."""
        return _jsonable(asdict(self))

    @classmethod
    def from_document(cls, document: dict) -> ProgramRules:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in document.items() if key in known}
        values["targets"] = Targets(**document.get("targets", {}))
        for key in ("pilot_districts", "main_urban_districts", "voucher_bonus_percents", "chain_milestone_days"):
            values[key] = tuple(document.get(key, ()))
        values["district_shares"] = tuple((code, percent) for code, percent in document.get("district_shares", ()))
        for key in ("pilot_start", "pilot_end"):
            if key in document:
                values[key] = date.fromisoformat(document[key])
        for key in DECIMAL_RULES:
            if key in document:
                values[key] = Decimal(document[key])
        return cls(**values)

    def district_target(self, district_code: str) -> int | None:
        """The district's part of the total target, or None when no share is set for it."""
        percent = dict(self.district_shares).get(district_code)
        return None if percent is None else round(self.targets.total * percent / 100)

    def voucher_bonus_percent(self, months_since_approval: int) -> int:
        """The voucher bonus falls with time: one step per quarter, then nothing."""
        quarter = max(0, months_since_approval) // 3
        return self.voucher_bonus_percents[quarter] if quarter < len(self.voucher_bonus_percents) else 0


DECIMAL_RULES = ("old_home_max_area_m2", "new_to_old_price_ratio", "offer_max_ratio_to_appraisal",
                 "deed_tax_rate_small", "deed_tax_rate_large", "market_agency_fee_rate",
                 "market_seller_tax_rate", "min_down_payment_ratio")


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


def parse_district_list(raw: str) -> tuple[str, ...]:
    """Districts by code or name, separated by commas, 、 or spaces."""
    parts = [part for part in raw.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if part]
    codes = tuple(dict.fromkeys(parse_district(part) for part in parts))
    if not codes:
        raise FieldProblem("至少填写一个区县")
    return codes


def district_list_text(codes: tuple[str, ...]) -> str:
    return "、".join(DISTRICTS_BY_CODE[code].name for code in codes if code in DISTRICTS_BY_CODE)


def parse_percent_list(raw: str) -> tuple[int, ...]:
    parts = [part for part in raw.replace("，", ",").replace("、", ",").split(",") if part.strip()]
    return tuple(parse_integer(0, 100)(part.strip()) for part in parts)


def parse_day_list(raw: str) -> tuple[int, ...]:
    parts = [part.strip() for part in raw.replace("，", ",").replace("、", ",").split(",") if part.strip()]
    days = tuple(parse_integer(0, 3650)(part) for part in parts)
    if len(days) != 7:
        raise FieldProblem("应为7个天数，依次对应出价、签约、贷款审批、网签、过户、新房合同、交房")
    if list(days) != sorted(days):
        raise FieldProblem("各节点天数应按顺序不减少")
    return days


def parse_district_shares(raw: str) -> tuple[tuple[str, int], ...]:
    """"金水区:15，郑东新区:12" (district by name or code, a whole percent each)."""
    shares: dict[str, int] = {}
    for part in raw.replace("，", ",").replace("、", ",").replace("\n", ",").split(","):
        if not part.strip():
            continue
        name, colon, percent = part.replace("：", ":").partition(":")
        if not colon:
            raise FieldProblem(f"“{part.strip()[:20]}”应写成 区县:百分比，如 金水区:15")
        code = parse_district(name.strip())
        if code in shares:
            raise FieldProblem(f"{DISTRICTS_BY_CODE[code].name}写了两次")
        shares[code] = parse_integer(0, 100)(percent.strip())
    return tuple(shares.items())


def district_shares_text(shares: tuple[tuple[str, int], ...]) -> str:
    return "，".join(f"{DISTRICTS_BY_CODE[code].name}:{percent}" for code, percent in shares
                    if code in DISTRICTS_BY_CODE)


_RATE = parse_decimal_between("0", "1", 4)
RULE_FIELDS: tuple[Field, ...] = (
    Field("name", "版本名称", True, parse_text(80)),
    Field("effective_from", "生效日期", True, parse_date),
    Field("program_year", "项目年度", True, parse_integer(PROGRAM_YEARS[0], PROGRAM_YEARS[-1])),
    Field("targets.total", "年度总目标（套）", True, parse_integer(0, 1_000_000)),
    Field("targets.city_group", "城发集团收购目标（套）", True, parse_integer(0, 1_000_000)),
    Field("targets.market", "市场交易目标（套）", True, parse_integer(0, 1_000_000)),
    Field("targets.pilot", "试点目标（套）", True, parse_integer(0, 1_000_000)),
    Field("pilot_districts", "试点区县", True, parse_district_list),
    Field("pilot_start", "试点开始日期", True, parse_date),
    Field("pilot_end", "试点结束日期", True, parse_date),
    Field("main_urban_districts", "主城区范围", True, parse_district_list),
    Field("old_home_max_age_years", "旧房房龄上限（年）", True, parse_integer(1, 100)),
    Field("old_home_max_area_m2", "旧房面积上限（㎡）", True, parse_decimal_between("10", "1000", 2)),
    Field("old_home_max_area_inclusive", "面积上限含本数", True, parse_boolean),
    Field("old_home_no_seizure", "旧房不得查封", True, parse_boolean),
    Field("old_home_no_mortgage", "旧房不得有未解除抵押", True, parse_boolean),
    Field("new_home_main_urban_only", "新房须在主城区", True, parse_boolean),
    Field("new_to_old_price_ratio", "新房总价不低于旧房收购价的倍数", True, parse_decimal_between("0", "10", 2)),
    Field("new_home_contract_within_days", "出售旧房后购买新房的期限（天）", True, parse_integer(1, 3650)),
    Field("quota_is_hard_cap", "配额为硬上限（否则仅提示超目标）", True, parse_boolean),
    Field("offer_max_ratio_to_appraisal", "收购报价不高于评估价的倍数", True, parse_decimal_between("0.1", "2", 2)),
    Field("offer_valid_days", "报价有效期（天）", True, parse_integer(1, 365)),
    Field("deed_tax_subsidy_percent", "契税补贴比例（%）", True, parse_integer(0, 100)),
    Field("voucher_bonus_percents", "房票奖励（按季度递减，%，逗号分隔）", False, parse_percent_list),
    Field("deed_tax_rate_small", "契税税率（140㎡及以下）", True, _RATE),
    Field("deed_tax_rate_large", "契税税率（140㎡以上）", True, _RATE),
    Field("market_agency_fee_rate", "市场出售中介佣金比例（卖方承担）", True, _RATE),
    Field("market_seller_tax_rate", "市场出售卖方税费比例（个税、增值税及附加）", True, _RATE),
    Field("min_down_payment_ratio", "最低首付比例", True, _RATE),
    Field("chain_max_length", "连环单最多户数", True, parse_integer(2, 8)),
    Field("chain_milestone_days", "连环单各节点预计完成天数（出价、签约、贷款审批、网签、过户、新房合同、交房，逗号分隔）",
          True, parse_day_list),
    Field("unit_sale_undo_hours", "开发商标记已售后可撤销的时限（小时，0为不可撤销）", True, parse_integer(0, 720)),
    Field("reservation_hold_days", "锁房保留期（天）", True, parse_integer(1, 365)),
    Field("reservation_acceptance_days", "锁房协议待三方确认的期限（天）", True, parse_integer(1, 30)),
    Field("reservation_deposit_min", "锁房定金下限（元）", True, parse_integer(0, 10_000_000)),
    Field("reservation_deposit_max", "锁房定金上限（元）", True, parse_integer(0, 10_000_000)),
    Field("reservation_refund_percent", "保留期满旧房未售出时退还定金比例（%）", True, parse_integer(0, 100)),
    Field("backstop_floor_percent", "城发集团保底收购价占估值下限的比例（%）", True, parse_integer(0, 100)),
    Field("deadline_intake_days", "办理时限：受理后安排查勘（天）", True, parse_integer(1, 365)),
    Field("deadline_inspection_days", "办理时限：安排查勘后出具评估（天）", True, parse_integer(1, 365)),
    Field("deadline_appraised_days", "办理时限：评估后报价（天）", True, parse_integer(1, 365)),
    Field("deadline_accepted_days", "办理时限：接受报价后签订收购合同（天）", True, parse_integer(1, 365)),
    Field("deadline_contract_days", "办理时限：签约后登记新房购买（天）", True, parse_integer(1, 365)),
    Field("deadline_purchase_days", "办理时限：购买新房后办理过户（天）", True, parse_integer(1, 365)),
    Field("deadline_title_days", "办理时限：过户后确认完成（天）", True, parse_integer(1, 365)),
    Field("appeal_within_days", "报价后可申请复评的期限（天，0为不受理复评）", True, parse_integer(0, 90)),
    Field("appeal_value_rule", "复评后采用的评估价", True, parse_appeal_rule, tuple(AppealRule.labels().values())),
    Field("new_units_max", "一宗收购可购买的新房最多套数", True, parse_integer(1, 5)),
    Field("joined_homes_max", "一户合并换新的旧房最多套数（1为不受理合并）", True, parse_integer(1, 5)),
    Field("queue_by_lottery", "城发集团收购名额按公开摇号排序（否则按完整提交时间）", True, parse_boolean),
    Field("district_shares", "各区县目标份额（占年度总目标的%，如 金水区:15，郑东新区:12）", False,
          parse_district_shares),
)


def rule_form_values(rules: ProgramRules) -> dict[str, str]:
    """The rule set as the editor's text values."""
    values: dict[str, object] = {f.name: getattr(rules, f.name) for f in fields(ProgramRules)
                                 if f.name != "targets"}
    values.update({f"targets.{name}": value for name, value in asdict(rules.targets).items()})
    for key in ("pilot_districts", "main_urban_districts"):
        values[key] = district_list_text(values[key])
    values["voucher_bonus_percents"] = ",".join(str(p) for p in rules.voucher_bonus_percents)
    values["chain_milestone_days"] = ",".join(str(d) for d in rules.chain_milestone_days)
    values["district_shares"] = district_shares_text(rules.district_shares)
    values["appeal_value_rule"] = AppealRule(rules.appeal_value_rule).label
    return {key: ("是" if value is True else "否" if value is False else str(value))
            for key, value in values.items()}


def rules_from_values(values: dict) -> ProgramRules:
    """Parsed editor values (see RULE_FIELDS) to a rule set; ``name`` and ``effective_from`` aside."""
    targets = Targets(**{key.split(".", 1)[1]: value for key, value in values.items()
                         if key.startswith("targets.")})
    known = {f.name for f in fields(ProgramRules)}
    plain = {key: value for key, value in values.items() if key in known and value is not None}
    plain["voucher_bonus_percents"] = values.get("voucher_bonus_percents") or ()
    plain["district_shares"] = values.get("district_shares") or ()
    return replace(ProgramRules(), targets=targets, **plain)


def rule_problems(rules: ProgramRules) -> dict[str, list[str]]:
    """Checks across parameters that one field alone cannot make."""
    problems: dict[str, list[str]] = {}
    if rules.pilot_end < rules.pilot_start:
        problems["pilot_end"] = ["试点结束日期不能早于开始日期"]
    if rules.targets.city_group + rules.targets.market != rules.targets.total:
        problems["targets.total"] = ["总目标应等于城发集团收购目标与市场交易目标之和"]
    if sum(percent for _, percent in rules.district_shares) > 100:
        problems["district_shares"] = ["各区县份额合计不能超过100%"]
    if rules.reservation_deposit_min > rules.reservation_deposit_max:
        problems["reservation_deposit_max"] = ["锁房定金上限不能低于下限"]
    if rules.targets.pilot > rules.targets.city_group:
        problems["targets.pilot"] = ["试点目标不能超过城发集团收购目标"]
    return problems
