"""消息: every notification a signed-in user was sent, their saved searches, and which kinds
also come by e-mail or SMS."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..domain.fields import page_number
from ..domain.notification_kinds import CHANNEL_LABELS, EMAIL, KINDS, SMS, kind_label
from ..security.access import signed_in
from ..services import accounts, alerts, notifications
from ..services.delivery_channels import email_available, sms_available
from ..services.errors import ValidationFailed
from .page_actions import flash_outcome

blueprint = Blueprint("notifications", __name__)


@blueprint.app_context_processor
def unread_notifications() -> dict:
    """The header shows how many notifications a signed-in user has not read yet."""
    if current_user.is_authenticated:
        return {"unread_notifications": notifications.unread_count(current_user)}
    return {"unread_notifications": 0}


@blueprint.route("/notifications")
@signed_in
def inbox():
    unread_only = request.args.get("unread") == "1"
    inbox = notifications.inbox_of(current_user, page_number(request.args.get("page")), unread_only=unread_only)
    return render_template("notifications/inbox.html", inbox=inbox, page=inbox.page, unread_only=unread_only,
                           kind_label=kind_label, saved=alerts.saved_searches_of(current_user))


@blueprint.route("/notifications/<int:notification_id>/read", methods=["POST"])
@signed_in
def read(notification_id: int):
    """Opening a notification marks it read and goes where it points (always a path of this site)."""
    notification = notifications.mark_read(current_user, notification_id)
    return redirect(notification.link if notification.link.startswith("/") else url_for("notifications.inbox"))


@blueprint.route("/notifications/read-all", methods=["POST"])
@signed_in
def read_all():
    marked = notifications.mark_all_read(current_user)
    flash(f"已将{marked}条消息标为已读" if marked else "没有未读消息", "success")
    return redirect(url_for("notifications.inbox"))


@blueprint.route("/notifications/settings", methods=["GET", "POST"])
@signed_in
def settings():
    if request.method == "POST":
        chosen = [(kind, channel) for kind, _, channel in (value.partition(":") for value in
                                                           request.form.getlist("choice"))]
        try:
            notifications.set_choices(current_user, chosen)
        except ValidationFailed as refused:
            flash("；".join(m for messages in refused.details.values() for m in messages), "error")
        else:
            flash("已保存接收设置", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", kinds=KINDS, channels=CHANNEL_LABELS,
                           email=current_user.email or "",
                           chosen=notifications.choices_of(current_user),
                           has_address={EMAIL: bool(current_user.email), SMS: bool(current_user.phone)},
                           available={EMAIL: email_available(current_app.config),
                                      SMS: sms_available(current_app.config)})


@blueprint.route("/notifications/email", methods=["POST"])
@signed_in
def set_email():
    flash_outcome(lambda: accounts.set_email(current_user, request.form.get("email", "")),
                  lambda address: f"通知邮件将发送到 {address}" if address else "已删除通知邮箱")
    return redirect(url_for("notifications.settings"))
