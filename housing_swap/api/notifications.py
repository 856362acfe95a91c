"""A signed-in user's notifications over the API: the same inbox as the 消息 page."""
from __future__ import annotations

from flask import g, request

from ..db.models import Notification
from ..domain.notification_kinds import kind_label
from ..security.access import signed_in
from ..services import notifications
from ..services.errors import ValidationFailed
from . import api_blueprint, responses
from .responses import respond
from .schemas import paging_args


@api_blueprint.get("/notifications")
@signed_in
def list_notifications():
    page, per_page = paging_args()
    unread_only = request.args.get("unread_only", "false").strip().lower()
    if unread_only not in ("true", "false"):
        raise ValidationFailed("参数有误", {"unread_only": ["只能是 true 或 false"]})
    inbox = notifications.inbox_of(g.api_user, page, per_page, unread_only=unread_only == "true")
    return respond(responses.NotificationPage, {
        "total": inbox.page.total, "page": inbox.page.page, "pages": inbox.page.pages, "unread": inbox.unread,
        "items": [notification_json(item) for item in inbox.page.items]})


@api_blueprint.post("/notifications/<int:notification_id>/read")
@signed_in
def read_notification(notification_id: int):
    return respond(responses.Notification, notification_json(notifications.mark_read(g.api_user, notification_id)))


@api_blueprint.post("/notifications/read-all")
@signed_in
def read_all_notifications():
    marked = notifications.mark_all_read(g.api_user)
    return respond(responses.NotificationsMarked, {"marked": marked, "unread": notifications.unread_count(g.api_user)})


def notification_json(notification: Notification) -> dict:
    return {"id": notification.id, "kind": notification.kind, "kind_label": kind_label(notification.kind),
            "title": notification.title, "body": notification.body, "link": notification.link,
            "read": notification.read_at is not None, "created_at": notification.created_at.isoformat()}
