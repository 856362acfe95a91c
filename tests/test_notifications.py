"""The notification centre: events become notifications, choices decide the channels, and the
delivery job hands mail to a real SMTP server and SMS to a real HTTP gateway, with retries."""
import json
import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from housing_swap.db.base import utcnow
from housing_swap.db.models import (
    AcquisitionStatus,
    AuditEvent,
    DeliveryState,
    ListingStatus,
    Notification,
    NotificationDelivery,
    Role,
)
from housing_swap.domain.notification_kinds import MAX_DELIVERY_ATTEMPTS
from housing_swap.extensions import db
from housing_swap.services import acquisitions, listings, notifications
from housing_swap.services.listings import StatusChange
from tests.acquisitions.helpers import Cast, days_from_today, drive_to
from tests.listings.helpers import listing_fields
from tests.test_api import bearer, issue


def kinds_of(user_id: int) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user_id)
                                   .order_by(Notification.id)))


def deliveries(channel: str | None = None) -> list[NotificationDelivery]:
    query = select(NotificationDelivery).order_by(NotificationDelivery.id)
    if channel:
        query = query.where(NotificationDelivery.channel == channel)
    return list(db.session.scalars(query))


def make_due_now() -> None:
    """Time passes: every waiting delivery's next attempt is due."""
    db.session.execute(update(NotificationDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


# ----- events ------------------------------------------------------------------------------------

def test_the_households_steps_each_become_a_notification(make):
    cast = Cast(make)
    assert kinds_of(cast.household.id) == ["application_decided"]
    acquisition = drive_to(cast, "offer_made")
    notice = db.session.scalar(select(Notification).where(Notification.kind == "offer_made"))
    assert notice.user_id == cast.household.id
    assert notice.link == f"/acquisitions/{acquisition.id}"
    assert acquisition.offer_expires_on.isoformat() in notice.body  # the deadline is in the message
    acquisitions.answer_offer(acquisition.id, True, cast.household)
    assert kinds_of(cast.household.id) == ["application_decided", "offer_made"]  # own answer: no news
    acquisitions.cancel(acquisition.id, "家庭决定暂不出售旧房", cast.officer)
    assert kinds_of(cast.household.id)[-1] == "acquisition_cancelled"


def test_an_offer_due_soon_is_reminded_once(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "offer_made")
    acquisition.offer_expires_on = days_from_today(1)
    db.session.commit()
    assert acquisitions.remind_offers_due(2) == 1
    assert acquisitions.remind_offers_due(2) == 0  # the daily job ran again: no second reminder
    assert kinds_of(cast.household.id).count("offer_due_soon") == 1
    acquisition.offer_expires_on = days_from_today(5)
    db.session.commit()
    assert acquisitions.remind_offers_due(2) == 0  # not yet due
    assert acquisition.status == AcquisitionStatus.OFFER_MADE


def test_verification_and_rejection_reach_the_lister(make):
    agent = make.staff(Role.AGENCY_STAFF)
    bureau = make.staff(Role.BUREAU_ADMIN)
    listing = listings.create_listing(listing_fields(), agent)
    listings.change_status(listing.id, StatusChange(ListingStatus.SUBMITTED), agent)
    assert listing.status == ListingStatus.SUBMITTED  # no registry match: the bureau decides
    listings.change_status(listing.id, StatusChange(ListingStatus.DRAFT, "产权证号与登记簿不符"), bureau)
    rejected = db.session.scalar(select(Notification).where(Notification.kind == "listing_rejected"))
    assert rejected.user_id == agent.id
    assert "产权证号与登记簿不符" in rejected.body
    listings.change_status(listing.id, StatusChange(ListingStatus.SUBMITTED), agent)
    listings.verify_by_hand(listing.id, bureau, "材料齐全")
    verified = db.session.scalar(select(Notification).where(Notification.kind == "listing_verified"))
    assert verified.link == f"/listings/{listing.id}"
    assert listing.verification_code in verified.body


# ----- choices -----------------------------------------------------------------------------------

def test_choices_decide_the_channels_and_the_site_always_shows_it(make):
    household = make.household()
    household.email = "household@example.com"
    db.session.commit()
    assert notifications.choices_of(household)["offer_made"] == {"email": True, "sms": True}
    assert notifications.choices_of(household)["saved_search"] == {"email": True, "sms": False}
    notifications.notify(household.id, "offer_made", "报价", "正文", "/")
    db.session.commit()
    assert sorted(d.channel for d in deliveries()) == ["email", "sms"]
    notifications.set_choices(household, [("saved_search", "sms")])
    assert notifications.choices_of(household)["offer_made"] == {"email": False, "sms": False}
    notifications.notify(household.id, "offer_made", "报价", "正文", "/")
    notifications.notify(household.id, "saved_search", "新房源", "正文", "/search")
    db.session.commit()
    assert len(deliveries()) == 3  # only the saved search's SMS was added
    assert deliveries()[-1].channel == "sms"
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == household.id)) == 3


def test_an_unknown_kind_or_channel_is_refused_and_nothing_is_stored(make):
    household = make.household()
    with pytest.raises(notifications.ValidationFailed):
        notifications.set_choices(household, [("offer_made", "fax"), ("saved_search", "email")])
    assert notifications.choices_of(household)["saved_search"]["sms"] is False
    assert notifications.choices_of(household)["offer_made"]["email"] is True


# ----- delivery: a real SMTP server --------------------------------------------------------------

class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    port = free_port()  # the controller checks it started by connecting, so it needs a real port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{port}",
                      MAIL_FROM="noreply@zz-housing.example", PUBLIC_BASE_URL="https://fang.zz.example")
    yield inbox
    controller.stop()


def test_mail_arrives_through_smtp_with_the_link_and_is_sent_once(make, smtp_server):
    household = make.household()
    household.email = "household@example.com"
    db.session.commit()
    notifications.notify(household.id, "application_decided", "以旧换新申请符合条件", "平台将为您匹配新房。",
                         "/applications/7")
    db.session.commit()
    report = notifications.deliver_due()
    assert (report.sent, report.retrying) == (1, 0)
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["household@example.com"]
    assert message["Subject"] == "郑州市卖旧买新服务平台：以旧换新申请符合条件"
    body = message.get_body().get_content()
    assert "平台将为您匹配新房。" in body
    assert "https://fang.zz.example/applications/7" in body
    assert deliveries("email")[0].state == DeliveryState.SENT
    assert notifications.deliver_due().sent == 0  # nothing is sent twice
    assert len(smtp_server.messages) == 1


def test_mail_to_a_server_that_is_down_is_retried_then_given_up(make, app):
    app.config.update(SMTP_URL="smtp://127.0.0.1:9", MAIL_FROM="noreply@zz-housing.example")  # nothing listens
    household = make.household()
    household.email = "household@example.com"
    db.session.commit()
    notifications.notify(household.id, "import_finished", "批量导入完成", "新增3套", "/agency/import")
    db.session.commit()
    assert notifications.deliver_due().retrying == 1
    [delivery] = deliveries()
    assert delivery.state == DeliveryState.PENDING
    assert "邮件服务器未接收" in delivery.last_error
    assert delivery.next_attempt_at > utcnow()
    assert notifications.deliver_due().retrying == 0  # not due yet
    for _ in range(MAX_DELIVERY_ATTEMPTS - 1):
        make_due_now()
        notifications.deliver_due()
    db.session.refresh(delivery)
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, MAX_DELIVERY_ATTEMPTS)


def test_a_channel_not_configured_is_recorded_as_not_sent(make, app):
    household = make.household()
    household.email = "household@example.com"
    db.session.commit()
    notifications.notify(household.id, "offer_made", "报价", "正文", "/")
    db.session.commit()
    report = notifications.deliver_due()
    assert (report.skipped, report.sent) == (2, 0)
    assert {d.state for d in deliveries()} == {DeliveryState.SKIPPED}


# ----- delivery: a real HTTP gateway for SMS -----------------------------------------------------

class Gateway(BaseHTTPRequestHandler):
    failures_left = 0
    received: list = []

    def do_POST(self):  # noqa: N802 — http.server's hook name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append((self.headers["Authorization"], body))
        failing = Gateway.failures_left > 0
        Gateway.failures_left -= 1
        self.send_response(503 if failing else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway(app):
    Gateway.failures_left, Gateway.received = 1, []
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/send", SMS_GATEWAY_TOKEN="gw-token")
    yield Gateway
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_sms_goes_to_the_gateway_and_a_refusal_is_retried(make, sms_gateway):
    household = make.household(phone="13700004444")
    notifications.notify(household.id, "offer_due_soon", "收购报价即将到期", "答复期限为2026-12-05", "/")
    db.session.commit()
    assert notifications.deliver_due().retrying == 1  # the gateway answered 503 once
    [delivery] = deliveries("sms")
    assert delivery.last_error == "短信网关拒绝：HTTP 503"
    make_due_now()
    started = time.monotonic()
    assert notifications.deliver_due().sent == 1
    assert time.monotonic() - started < 10
    assert len(sms_gateway.received) == 2
    authorization, body = sms_gateway.received[-1]
    assert authorization == "Bearer gw-token"
    assert body["phone"] == "13700004444"
    assert body["text"].startswith("【郑州市卖旧买新服务平台】收购报价即将到期")
    db.session.refresh(delivery)
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)


# ----- pages and API -----------------------------------------------------------------------------

def test_the_api_pages_counts_and_marks_only_the_callers_own(client, make):
    household = make.household(phone="13700005555")
    other = make.household()
    for n in range(3):
        notifications.notify(household.id, "saved_search", f"第{n}条", "正文", "/search")
    notifications.notify(other.id, "saved_search", "别人的", "正文", "/search")
    db.session.commit()
    headers = bearer(issue(client, "13700005555").get_json()["token"])
    page = client.get("/api/v1/notifications?per_page=2", headers=headers).get_json()
    assert (page["total"], page["pages"], page["unread"]) == (3, 2, 3)
    assert [item["title"] for item in page["items"]] == ["第2条", "第1条"]
    assert page["items"][0]["kind_label"] == "保存的搜索有新房源"
    first = page["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{first}/read", headers=headers).get_json()["read"] is True
    unread = client.get("/api/v1/notifications?unread_only=true", headers=headers).get_json()
    assert (unread["total"], unread["unread"]) == (2, 2)
    someone_elses = db.session.scalar(select(Notification.id).where(Notification.user_id == other.id))
    assert client.post(f"/api/v1/notifications/{someone_elses}/read", headers=headers).status_code == 404
    assert client.post("/api/v1/notifications/read-all", headers=headers).get_json() == {"marked": 2, "unread": 0}
    for bad in ("per_page=0", "per_page=101", "page=abc", "unread_only=yes"):
        assert client.get(f"/api/v1/notifications?{bad}", headers=headers).status_code == 422
    assert client.get("/api/v1/notifications").status_code == 401


def test_the_pages_list_open_and_save_choices(client, make, login):
    household = make.household(phone="13700006666")
    notifications.notify(household.id, "application_decided", "以旧换新申请符合条件", "平台将为您匹配新房。",
                         "/applications/3")
    db.session.commit()
    login("13700006666")
    assert "1条未读" in client.get("/").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert "以旧换新申请符合条件" in page
    assert "申请审核结果" in page  # the kind, in Chinese
    notice = db.session.scalar(select(Notification))
    assert client.post(f"/notifications/{notice.id}/read").headers["Location"] == "/applications/3"
    assert "条未读" not in client.get("/").get_data(as_text=True)
    settings = client.get("/notifications/settings").get_data(as_text=True)
    assert "收到收购报价" in settings
    assert "还没有邮箱" in settings
    saved = client.post("/notifications/settings", data={"choice": ["offer_made:sms", "saved_search:email"]},
                        follow_redirects=True)
    assert "已保存接收设置" in saved.get_data(as_text=True)
    chosen = notifications.choices_of(household)
    assert chosen["offer_made"] == {"email": False, "sms": True}
    assert chosen["saved_search"] == {"email": True, "sms": False}
    refused = client.post("/notifications/settings", data={"choice": ["offer_made:pigeon"]}, follow_redirects=True)
    assert "无法识别" in refused.get_data(as_text=True)
    assert notifications.choices_of(household) == chosen


def test_a_user_sets_the_mail_address_on_the_settings_page(app, make, login, client):
    household = make.household()
    login(household.phone)
    answer = client.post("/notifications/email", data={"email": "  Li.Si@Example.COM "}, follow_redirects=True)
    assert "通知邮件将发送到 Li.Si@example.com" in answer.get_data(as_text=True)
    assert db.session.get(type(household), household.id).email == "Li.Si@example.com"
    refused = client.post("/notifications/email", data={"email": "li si@example"}, follow_redirects=True)
    assert "邮箱地址格式不正确" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(household), household.id).email == "Li.Si@example.com"  # unchanged
    client.post("/notifications/email", data={"email": ""})
    db.session.expire_all()
    assert db.session.get(type(household), household.id).email is None
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.email")).all()
    assert [e.after["email"] for e in events] == ["L***@example.com", None]
