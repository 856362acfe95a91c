"""The city group's acquisition (收购) as pure rules: the order of steps, what each step asks for,
the offer's limits and deadline, and how quotas treat one more completion.

Nothing here touches the database; services/acquisitions.py applies these rules inside a
transaction and records who did what.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from .fields import Field, parse_date, parse_integer, parse_text, parse_yuan
from .labels import LabelledEnum
from .listing_fields import parse_contract_number
from .rules import AppealRule, ProgramRules


class AcquisitionStatus(LabelledEnum):
    INTAKE = "intake", "已受理"
    INSPECTION_SCHEDULED = "inspection_scheduled", "已安排查勘"
    APPRAISED = "appraised", "已评估"
    OFFER_MADE = "offer_made", "已报价"
    OFFER_ACCEPTED = "offer_accepted", "已接受报价"
    OFFER_DECLINED = "offer_declined", "已拒绝报价"
    OFFER_EXPIRED = "offer_expired", "报价已过期"
    CONTRACT_SIGNED = "contract_signed", "已签收购合同"
    NEW_HOME_PURCHASED = "new_home_purchased", "已购新房"
    TITLE_TRANSFERRED = "title_transferred", "已过户"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


STATUS_LABELS = AcquisitionStatus.labels()

# Each step may only follow the ones listed; a declined or expired offer may be followed by a new one.
TRANSITIONS: dict[str, frozenset[str]] = {
    "intake": frozenset({"inspection_scheduled", "cancelled"}),
    "inspection_scheduled": frozenset({"appraised", "cancelled"}),
    "appraised": frozenset({"offer_made", "cancelled"}),
    "offer_made": frozenset({"offer_accepted", "offer_declined", "offer_expired", "cancelled"}),
    "offer_declined": frozenset({"offer_made", "cancelled"}),
    "offer_expired": frozenset({"offer_made", "cancelled"}),
    "offer_accepted": frozenset({"contract_signed", "cancelled"}),
    "contract_signed": frozenset({"new_home_purchased", "cancelled"}),
    "new_home_purchased": frozenset({"title_transferred", "cancelled"}),
    # Once the title is transferred the purchase has happened: no one cancels it. A completed
    # one's count is taken back only by a two-person ledger reversal (services/ledger_reversals.py).
    "title_transferred": frozenset({"completed"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}

# The main path, in order, for the progress bar a household sees.
MAIN_PATH = ("intake", "inspection_scheduled", "appraised", "offer_made", "offer_accepted", "contract_signed",
             "new_home_purchased", "title_transferred", "completed")

# Steps the city group has to act on next, for the work queue ("waiting for what").
WAITING_FOR = {
    "intake": "安排查勘", "inspection_scheduled": "评估机构出具评估", "appraised": "报价",
    "offer_made": "家庭答复报价", "offer_declined": "重新报价或取消", "offer_expired": "重新报价或取消",
    "offer_accepted": "签订收购合同", "contract_signed": "登记新房购买", "new_home_purchased": "办理过户",
    "title_transferred": "确认完成",
}


def allowed_steps(current: str, appeal_pending: bool = False) -> frozenset[str]:
    """The steps that may follow ``current``. While a household's appeal of an offer is pending the
    offer can be neither answered nor expire: the officer commissions the second appraisal (a new
    inspection by another organization) or cancels."""
    if appeal_pending and current == "offer_made":
        return frozenset({"inspection_scheduled", "cancelled"})
    return TRANSITIONS[current]


# Service deadlines (办理时限): the rule that gives the days the city group has to finish the step
# that follows each status (an open offer has its own deadline, the household's: offer_valid_days).
STEP_DEADLINE_RULES = {
    "intake": "deadline_intake_days", "inspection_scheduled": "deadline_inspection_days",
    "appraised": "deadline_appraised_days", "offer_accepted": "deadline_accepted_days",
    "contract_signed": "deadline_contract_days", "new_home_purchased": "deadline_purchase_days",
    "title_transferred": "deadline_title_days",
}
DUE_SOON_DAYS = 2


def step_due_on(status: str, entered_on: date, rules: ProgramRules) -> date | None:
    """The last day for the step after ``status``, entered on ``entered_on`` (Beijing); None if untimed."""
    rule = STEP_DEADLINE_RULES.get(status)
    return None if rule is None else entered_on + timedelta(days=getattr(rules, rule))


class DeadlineState(LabelledEnum):
    ON_TIME = "on_time", "按期"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已超时"


def deadline_state(due_on: date, today: date) -> DeadlineState:
    if today > due_on:
        return DeadlineState.OVERDUE
    return DeadlineState.DUE_SOON if (due_on - today).days <= DUE_SOON_DAYS else DeadlineState.ON_TIME


def step_problem(current: str, target: str, appeal_pending: bool = False) -> str | None:
    """Why ``target`` may not follow ``current``, or None when it may."""
    if target in allowed_steps(current, appeal_pending):
        return None
    if appeal_pending and current == "offer_made":
        return "家庭已申请复评：复评完成并重新报价后才能答复"
    if current == "completed":
        return "该收购已完成并计入目标，不能取消；如需撤销计数，须由住房保障局在目标台账提出申请并经另一人复核"
    if current == "title_transferred" and target == "cancelled":
        return "该房屋已过户，收购不能取消"
    if current == "cancelled":
        return "该收购已取消"
    return f"当前状态为“{STATUS_LABELS[current]}”，不能办理“{STATUS_LABELS[target]}”"


def progress_index(status: str) -> int:
    """How far along the main path an acquisition is (declined/expired offers sit at the offer)."""
    if status in ("offer_declined", "offer_expired"):
        status = "offer_made"
    return MAIN_PATH.index(status) if status in MAIN_PATH else -1


# ----- offers ------------------------------------------------------------------------------------

def highest_offer(appraised_value: int, rules: ProgramRules) -> int:
    """The rule's ceiling for an offer: appraisal × the configured ratio, rounded down to a yuan."""
    return int((Decimal(appraised_value) * rules.offer_max_ratio_to_appraisal).to_integral_value(ROUND_FLOOR))


def offer_problem(price: int, appraised_value: int, rules: ProgramRules, floor: int | None = None) -> str | None:
    """Above the rule's ceiling over the appraisal, or below a backstop floor the household was
    promised (as far as the appraisal bears it: the floor is subject to appraisal)."""
    ceiling = highest_offer(appraised_value, rules)
    if price > ceiling:
        return (f"报价{price}元高于规则允许的上限{ceiling}元"
                f"（评估价{appraised_value}元×{rules.offer_max_ratio_to_appraisal}）")
    if floor is not None and price < (least := min(floor, ceiling)):
        return f"报价{price}元低于该家庭锁房时承诺的保底收购价{least}元"
    return None


def appeal_problem(offered_on: date, today: date, rules: ProgramRules, appealed_before: bool) -> str | None:
    """Why a household may not ask for a second appraisal of this offer now, or None."""
    if rules.appeal_within_days == 0:
        return "现行项目规则不受理复评申请"
    if appealed_before:
        return "本次收购已申请过复评，不能再次申请"
    last_day = offered_on + timedelta(days=rules.appeal_within_days)
    if today > last_day:
        return f"复评须在报价后{rules.appeal_within_days}天内（{last_day.isoformat()}前，含当日）申请"
    return None


def standing_value(first: int, second: int, rule: str) -> int:
    """The appraisal that stands after an appeal, by the rule (whole yuan, an average rounded down)."""
    if rule == AppealRule.SECOND.value:
        return second
    if rule == AppealRule.AVERAGE.value:
        return (first + second) // 2
    return max(first, second)


def offer_deadline(offered_on: date, rules: ProgramRules) -> date:
    """The last day on which the household may answer."""
    return offered_on + timedelta(days=rules.offer_valid_days)


def offer_has_expired(expires_on: date, today: date) -> bool:
    return today > expires_on


# ----- quotas ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuotaCheck:
    allowed: bool
    over_target: str | None  # the note kept on a completion that went past a target


def check_quotas(channel_done: int, pilot_done: int | None, rules: ProgramRules) -> QuotaCheck:
    """Whether one more city-group completion fits. ``pilot_done`` is None when the completion
    does not count toward the pilot. Over a quota: refused when quotas are hard caps, else flagged."""
    exceeded = []
    if channel_done >= rules.targets.city_group:
        exceeded.append(f"城发集团年度收购额度（{rules.targets.city_group}套）")
    if pilot_done is not None and pilot_done >= rules.targets.pilot:
        exceeded.append(f"试点额度（{rules.targets.pilot}套）")
    if not exceeded:
        return QuotaCheck(True, None)
    note = "已超出" + "、".join(exceeded)
    return QuotaCheck(not rules.quota_is_hard_cap, note)


# ----- what each step asks for -------------------------------------------------------------------

_money = parse_yuan(1, 1_000_000_000)


INSPECTION_FIELDS = (
    Field("inspection_on", "查勘日期", True, parse_date),
    Field("appraiser_org_id", "评估机构", True, parse_integer(1, 2**62)),
)
APPRAISAL_FIELDS = (
    Field("appraised_value", "评估价（元）", True, _money),
    Field("appraised_on", "评估日期", True, parse_date),
)
OFFER_FIELDS = (Field("offer_price", "收购报价（元）", True, _money),)
CONTRACT_FIELDS = (
    Field("contract_number", "收购合同编号", True, parse_contract_number),
    Field("contract_price", "合同价格（元）", True, _money),
    Field("contract_signed_on", "签约日期", True, parse_date),
)
PURCHASE_FIELDS = (
    Field("unit_id", "新房房屋编号", True, parse_integer(1, 2**62)),
    Field("purchase_contract_number", "购房合同/网签备案号", True, parse_contract_number),
    Field("new_home_price", "新房总价（元）", True, _money),
    Field("purchased_on", "购房日期", True, parse_date),
)
TITLE_FIELDS = (Field("title_transferred_on", "过户日期", True, parse_date),)
COMPLETION_FIELDS = (Field("completed_on", "完成日期", True, parse_date),)
REASON_FIELDS = (Field("reason", "原因", True, parse_text(500), multiline=True),)


def date_problem(on: date, today: date, not_before: date | None = None, earlier_label: str = "") -> str | None:
    """Dates of papers cannot lie in the future, nor before the step they follow."""
    if on > today:
        return "日期不能晚于今天"
    if not_before is not None and on < not_before:
        return f"日期不能早于{earlier_label}（{not_before.isoformat()}）"
    return None
