"""A signed-in user's notifications over the API: the same inbox as the 消息 page."""
from __future__ import annotations

from flask import g, request

from ..db.models import Notification
from ..domain.fields import MAX_PAGE, FieldProblem, parse_integer
from ..domain.notification_kinds import kind_label
from ..security.access import signed_in
from ..services import notifications
from ..services.errors import ValidationFailed
from . import api_blueprint, responses
from .responses import respond

MAX_PER_PAGE = 100


@api_blueprint.get("/notifications")
@signed_in
def list_notifications():
    page, per_page = _paging()
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


def _paging() -> tuple[int, int]:
    """``page`` and ``per_page``, each a whole number in range or a clear refusal."""
    errors: dict[str, list[str]] = {}
    values = {}
    for name, default, high in (("page", 1, MAX_PAGE), ("per_page", 20, MAX_PER_PAGE)):
        raw = (request.args.get(name) or "").strip()
        try:
            values[name] = parse_integer(1, high)(raw) if raw else default
        except FieldProblem as problem:
            errors[name] = [str(problem)]
    if errors:
        raise ValidationFailed("分页参数有误", errors)
    return values["page"], values["per_page"]
