"""Access rules: every view declares one, and one hook enforces them all.

A view without a declared rule is refused (fail closed), and a test walks
``app.url_map`` to make sure none is missing.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, g, redirect, request, url_for
from flask_login import current_user

from ..db.models import Role
from ..services.api_tokens import user_for_bearer_header

log = logging.getLogger(__name__)

API_BLUEPRINT = "api"


@dataclass(frozen=True)
class AccessRule:
    public: bool
    roles: frozenset[Role] = frozenset()  # empty and not public: any signed-in user

    def allows(self, user) -> bool:
        if self.public:
            return True
        if user is None or not user.is_authenticated:
            return False
        return not self.roles or user.role in self.roles


PUBLIC = AccessRule(public=True)
SIGNED_IN = AccessRule(public=False)

# Endpoints Flask registers itself.
BUILTIN_RULES = {"static": PUBLIC}


def _declare(rule: AccessRule) -> Callable:
    def decorate(view):
        view.access_rule = rule
        return view
    return decorate


public = _declare(PUBLIC)
signed_in = _declare(SIGNED_IN)


def roles(*allowed: Role) -> Callable:
    return _declare(AccessRule(public=False, roles=frozenset(allowed)))


def rule_for_endpoint(app: Flask, endpoint: str) -> AccessRule | None:
    if endpoint in BUILTIN_RULES:
        return BUILTIN_RULES[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def install_access_control(app: Flask) -> None:
    @app.before_request
    def enforce_access_rule():
        if request.endpoint is None:
            return None  # no route matched: the 404 handler answers
        rule = rule_for_endpoint(app, request.endpoint)
        if rule is None:
            log.error("endpoint %s has no access rule; refused", request.endpoint)
            abort(403)
        user = _requesting_user()
        if rule.allows(user):
            return None
        if user is None or not user.is_authenticated:
            if request.blueprint == API_BLUEPRINT:
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)


def _requesting_user():
    """API calls authenticate only by bearer token; pages only by the session cookie."""
    if request.blueprint == API_BLUEPRINT:
        g.api_user = user_for_bearer_header(request.headers.get("Authorization"))
        return g.api_user
    return current_user
