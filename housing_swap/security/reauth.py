"""Re-authentication and password age for page sessions.

Recording prices, contracts and rule changes needs a password entered within the last
``REAUTH_MINUTES`` (sign-in counts); older sessions are sent to confirm their password first.
A user whose password must change (after an administrator's reset, or a staff password past
``PASSWORD_MAX_AGE_DAYS``) can only reach the password page until it is changed.

API calls are not covered here: bearer tokens are issued only against the password and expire
after ``API_TOKEN_HOURS``; the token endpoint refuses users whose password must change.
"""
from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user

from ..services.accounts import password_change_due

API_BLUEPRINT = "api"
ALWAYS_REACHABLE = {"static", "auth.change_password", "auth.logout"}


def stamp() -> None:
    """Call whenever the user has just entered their password."""
    session["authenticated_at"] = time.time()


def recently_authenticated() -> bool:
    entered = session.get("authenticated_at", 0)
    return time.time() - entered <= current_app.config["REAUTH_MINUTES"] * 60


def confirmation_redirect():
    """For a page POST that records prices, contracts or rules: a redirect to confirm the password
    when it was entered too long ago, else None. The form is not kept; the user comes back to
    the page it was on and submits again."""
    if request.blueprint == API_BLUEPRINT or request.method != "POST" or recently_authenticated():
        return None
    flash("此操作涉及价格、合同或规则，请先输入密码确认身份，然后重新提交", "info")
    back = request.referrer or url_for("main.home")
    return redirect(url_for("auth.confirm_password", next=_path_of(back)))


def requires_recent_password(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        return confirmation_redirect() or view(*args, **kwargs)
    return guarded


def _path_of(url: str) -> str:
    """Only the path and query of the page to return to (auth.safe_next_url checks it again)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def install_password_age_check(app: Flask) -> None:
    @app.before_request
    def send_to_password_change():
        if request.blueprint == API_BLUEPRINT or request.endpoint in ALWAYS_REACHABLE:
            return None
        if current_user.is_authenticated and password_change_due(current_user):
            if request.method == "GET":
                flash("为保障账户安全，请先修改密码后继续使用", "info")
            return redirect(url_for("auth.change_password"))
        return None
