"""The notification centre: telling a user something, on the site and by the channels they chose.

``notify`` is called inside the use case whose change is the news, so the notification and its
deliveries commit with that change or not at all. Delivery is a job (``deliver_due``): it claims
due rows under a lease, sends outside any transaction, and records the outcome; a crash between
sending and recording sends once more after the lease (at least once, never silently lost).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db.base import utcnow
from ..db.models import DeliveryState, Notification, NotificationDelivery, NotificationPreference, User
from ..domain.notification_kinds import (
    CHANNEL_LABELS,
    EMAIL,
    KINDS,
    KINDS_BY_CODE,
    MAX_DELIVERY_ATTEMPTS,
    SMS,
    retry_delay_seconds,
)
from ..extensions import db
from . import delivery_channels
from .delivery_channels import DeliveryFailed
from .errors import NotFound, ValidationFailed
from .pagination import Page, paginate
from .unit_of_work import unit_of_work, use_case

LEASE = timedelta(minutes=5)   # a claimed delivery is tried again after this if its run died
BATCH = 50


def notify(user_id: int, kind: str, title: str, body: str, link: str, once_key: str | None = None) -> bool:
    """Tell ``user_id`` about something; False when a ``once_key`` notification was sent before.

    Runs in the caller's transaction. A kind the user switched off for a channel, or a channel the
    user has no address for, gets no delivery row; the site always shows it."""
    if once_key is not None and _already_told(user_id, kind, once_key):
        return False
    notification = Notification(user_id=user_id, kind=kind, once_key=once_key, title=title[:120], body=body,
                                link=link[:300])
    db.session.add(notification)
    user = db.session.get(User, user_id)
    for channel in _channels_for(user, kind):
        db.session.add(NotificationDelivery(notification=notification, channel=channel))
    return True


def _already_told(user_id: int, kind: str, once_key: str) -> bool:
    return db.session.scalar(select(Notification.id).where(
        Notification.user_id == user_id, Notification.kind == kind, Notification.once_key == once_key)) is not None


def _channels_for(user: User | None, kind: str) -> list[str]:
    if user is None or kind not in KINDS_BY_CODE:
        return []
    chosen = choices_of(user)[kind]
    addresses = {EMAIL: bool(user.email), SMS: bool(user.phone)}
    return [channel for channel in (EMAIL, SMS) if chosen[channel] and addresses[channel]]


# ----- reading and marking ---------------------------------------------------------------------

@dataclass(frozen=True)
class Inbox:
    page: Page[Notification]
    unread: int


def inbox_of(user: User, page: int = 1, per_page: int = 20, unread_only: bool = False) -> Inbox:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return Inbox(paginate(query, page, per_page, Notification.created_at.desc(), Notification.id.desc()),
                 unread_count(user))


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


@use_case
def mark_read(user: User, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("该消息不存在")
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


@use_case
def mark_all_read(user: User) -> int:
    marked = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow())
        .execution_options(synchronize_session=False))
    return marked.rowcount or 0  # type: ignore[attr-defined]


# ----- choices per kind and channel ------------------------------------------------------------

def choices_of(user: User) -> dict[str, dict[str, bool]]:
    """kind → channel → on, the user's own rows over each kind's defaults."""
    chosen = {kind.code: {channel: kind.default_for(channel) for channel in CHANNEL_LABELS} for kind in KINDS}
    for row in db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id)):
        if row.kind in chosen and row.channel in CHANNEL_LABELS:
            chosen[row.kind][row.channel] = row.enabled
    return chosen


@use_case
def set_choices(user: User, enabled: Iterable[tuple[str, str]]) -> None:
    """Store the whole form: ``enabled`` holds each (kind, channel) switched on, all else is off."""
    wanted = set(enabled)
    unknown = [f"{kind}/{channel}" for kind, channel in wanted
               if kind not in KINDS_BY_CODE or channel not in CHANNEL_LABELS]
    if unknown:
        raise ValidationFailed("没有这种消息或发送方式", {"choices": ["无法识别：" + "、".join(sorted(unknown))]})
    rows = [{"user_id": user.id, "kind": kind.code, "channel": channel, "enabled": (kind.code, channel) in wanted}
            for kind in KINDS for channel in CHANNEL_LABELS]
    insert = postgres_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(NotificationPreference).values(rows)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "kind", "channel"], set_={"enabled": statement.excluded.enabled}))


# ----- delivery (the job) ----------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0


def deliver_due(limit: int = 500) -> DeliveryReport:
    """Send every delivery that is due, in batches; safe to run on several machines at once."""
    report = DeliveryReport()
    while limit > 0:
        claimed = _claim(min(BATCH, limit))
        if not claimed:
            return report
        limit -= len(claimed)
        for delivery_id in claimed:
            _deliver_one(delivery_id, report)
    return report


def _claim(size: int) -> list[int]:
    """Take due rows under a lease (skipping rows another machine holds) and count the attempt."""
    with unit_of_work():
        now = utcnow()
        rows = list(db.session.scalars(
            select(NotificationDelivery).where(NotificationDelivery.state == DeliveryState.PENDING,
                                               NotificationDelivery.next_attempt_at <= now)
            .order_by(NotificationDelivery.next_attempt_at, NotificationDelivery.id).limit(size)
            .with_for_update(skip_locked=True)))
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + LEASE
        return [row.id for row in rows]


def _deliver_one(delivery_id: int, report: DeliveryReport) -> None:
    delivery = db.session.get_one(NotificationDelivery, delivery_id, populate_existing=True)
    message = _message(delivery)
    db.session.rollback()  # no transaction stays open while a mail server or gateway answers
    try:
        outcome, error = _send(message), None
    except DeliveryFailed as failure:
        outcome, error = None, str(failure)
    with unit_of_work():
        row = db.session.get_one(NotificationDelivery, delivery_id, with_for_update=True, populate_existing=True)
        _record(row, outcome, error, report)


@dataclass(frozen=True)
class _Message:
    channel: str
    address: str | None
    subject: str
    text: str


def _message(delivery: NotificationDelivery) -> _Message:
    notification = delivery.notification
    user = db.session.get(User, notification.user_id)
    address = (user.email if delivery.channel == EMAIL else user.phone) if user else None
    link = _absolute(notification.link)
    if delivery.channel == EMAIL:
        text = (f"{notification.body}\n\n查看：{link}\n\n"
                "您可以在平台“消息 → 接收设置”中选择哪些消息发送邮件。")
    else:
        text = f"【{delivery_channels.SITE_NAME}】{notification.title}：{notification.body}"[:300]
    return _Message(delivery.channel, address, f"{delivery_channels.SITE_NAME}：{notification.title}", text)


def _absolute(link: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"]
    return f"{base.rstrip('/')}{link}" if link.startswith("/") and base else link


def _send(message: _Message) -> DeliveryState:
    config = current_app.config
    email = message.channel == EMAIL
    available = delivery_channels.email_available(config) if email else delivery_channels.sms_available(config)
    if not available or not message.address:
        return DeliveryState.SKIPPED
    if email:
        delivery_channels.send_email(config, message.address, message.subject, message.text)
    else:
        delivery_channels.send_sms(config, message.address, message.text)
    return DeliveryState.SENT


def _record(row: NotificationDelivery, outcome: DeliveryState | None, error: str | None,
            report: DeliveryReport) -> None:
    if outcome == DeliveryState.SENT:
        row.state, row.sent_at, row.last_error = DeliveryState.SENT, utcnow(), None
        report.sent += 1
    elif outcome == DeliveryState.SKIPPED:
        row.state, row.last_error = DeliveryState.SKIPPED, "未配置该发送方式，或用户没有联系方式"
        report.skipped += 1
    elif row.attempts >= MAX_DELIVERY_ATTEMPTS:
        row.state, row.last_error = DeliveryState.FAILED, error
        report.failed += 1
    else:
        row.last_error = error
        row.next_attempt_at = utcnow() + timedelta(seconds=retry_delay_seconds(row.attempts))
        report.retrying += 1

