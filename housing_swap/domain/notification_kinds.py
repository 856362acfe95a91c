"""What a user can be told about, and how it may reach them.

Every notification is shown on the site (消息). Each kind also names whether it goes out by
e-mail and by SMS unless the user chose otherwise: time-critical steps (an offer with a deadline)
go by SMS by default, the rest by e-mail only.
"""
from __future__ import annotations

from dataclasses import dataclass

EMAIL = "email"
SMS = "sms"
CHANNEL_LABELS = {EMAIL: "邮件", SMS: "短信"}


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str
    email_by_default: bool = True
    sms_by_default: bool = False

    def default_for(self, channel: str) -> bool:
        return self.email_by_default if channel == EMAIL else self.sms_by_default


KINDS: tuple[NotificationKind, ...] = (
    NotificationKind("listing_verified", "房源核验通过"),
    NotificationKind("listing_rejected", "房源未通过核验"),
    NotificationKind("viewing_requested", "收到看房预约", sms_by_default=True),
    NotificationKind("viewing_answered", "看房预约有了答复", sms_by_default=True),
    NotificationKind("reservation", "锁房保留协议的进展", sms_by_default=True),
    NotificationKind("application_decided", "申请审核结果"),
    NotificationKind("offer_made", "收到收购报价", sms_by_default=True),
    NotificationKind("offer_due_soon", "收购报价即将到期", sms_by_default=True),
    NotificationKind("appraisal_appeal", "家庭申请复评"),
    NotificationKind("case_assigned", "收购案件分配给我"),
    NotificationKind("chain_milestone_overdue", "连环单进度节点逾期", sms_by_default=True),
    NotificationKind("contract_signed", "收购合同已签订"),
    NotificationKind("acquisition_completed", "收购已完成"),
    NotificationKind("acquisition_cancelled", "收购已取消"),
    NotificationKind("ledger_reversed", "成交记录被撤销"),
    NotificationKind("saved_search", "保存的搜索有新房源"),
    NotificationKind("import_finished", "批量导入完成"),
    NotificationKind("account_security", "账户安全提醒"),
)
KINDS_BY_CODE = {kind.code: kind for kind in KINDS}


def kind_label(code: str) -> str:
    kind = KINDS_BY_CODE.get(code)
    return kind.label if kind else "系统消息"


def retry_delay_seconds(attempts: int) -> int:
    """How long a failed delivery waits before its next try: 1, 5, 30 minutes, then 2 hours."""
    return (60, 300, 1800, 7200)[min(attempts, 4) - 1] if attempts > 0 else 0


MAX_DELIVERY_ATTEMPTS = 6
