"""Session lifetime: signed-in page sessions end after idling and after an absolute limit.

The times live in the signed session cookie and are checked on every page request before
the access rules run, so an expired session is treated exactly like a signed-out one.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, flash, request, session
from flask_login import current_user, logout_user

API_BLUEPRINT = "api"


def start(now: float | None = None) -> None:
    """Call right after signing a user in."""
    session["signed_in_at"] = session["seen_at"] = now or time.time()


def install_session_limits(app: Flask) -> None:
    @app.before_request
    def end_expired_sessions():
        if request.blueprint == API_BLUEPRINT or request.endpoint == "static":
            return None
        if not current_user.is_authenticated:
            return None
        now = time.time()
        if _expired(now):
            logout_user()
            session.clear()
            flash("登录已超时，请重新登录", "info")
            return None
        session["seen_at"] = now
        return None


def _expired(now: float) -> bool:
    config = current_app.config
    started, seen = session.get("signed_in_at"), session.get("seen_at")
    if started is None or seen is None:
        return True  # a session from before these limits: sign in again
    return (now - seen > config["SESSION_IDLE_MINUTES"] * 60
            or now - started > config["SESSION_MAX_HOURS"] * 3600)
