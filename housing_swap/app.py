"""The application factory. Nothing here touches the network or runs migrations."""
from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import ConfigError, engine_options, load_settings
from .extensions import csrf, db, login_manager, migrate
from .security.field_crypto import FieldCipher
from .security.input_checks import NestingSafeJSONProvider

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app from ``HOUSING_SWAP_*`` settings, then apply ``config`` overrides (tests)."""
    overrides = dict(config or {})
    try:
        settings = load_settings(instance_path=overrides.pop("INSTANCE_PATH", None))
    except ConfigError as error:
        raise SystemExit(f"housing_swap: configuration error: {error}") from None

    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(_asset_dir("templates")),
        static_folder=str(_asset_dir("static")),
    )
    app.url_map.converters["int"] = DatabaseIdConverter
    app.json = NestingSafeJSONProvider(app)
    app.config.update(settings.flask_config())
    app.config.update(overrides)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
    app.extensions["field_cipher"] = FieldCipher(
        app.config["DATA_KEY"], app.config.get("OLD_DATA_KEYS", ()), app.config.get("LOOKUP_KEY", b""))

    _init_extensions(app)
    _register_blueprints(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N trusted proxies the client's address (sign-in limits, lockouts, the audit log) and
    scheme come from their X-Forwarded-* headers; with none, such headers are ignored (spoofable)."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` path ids beyond a 64-bit integer are no route (404), not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _asset_dir(name: str) -> Path:
    """Top-level templates/ and static/ in a checkout, or the installed copy of them."""
    in_checkout = PROJECT_ROOT / name
    return in_checkout if in_checkout.is_dir() else Path(sys.prefix) / "share" / "housing_swap" / name


def _init_extensions(app: Flask) -> None:
    from .db import sqlite_tuning
    from .search import search_rows
    from .services.accounts import load_user_for_session

    sqlite_tuning.install()
    search_rows.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.user_loader(load_user_for_session)
    csrf.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from .api import api_blueprint
    from .api.errors import error_response
    from .cli import register_commands
    from .jobs import install_jobs
    from .security.access import install_access_control
    from .security.headers import install_security_headers
    from .security.input_checks import install_input_checks
    from .security.reauth import install_password_age_check
    from .security.sessions import install_session_limits
    from .services.search import install_outbox_push
    from .telemetry import install_telemetry
    from .web import register_web

    install_telemetry(app)  # first: every later hook and handler has the request id
    register_web(app, error_response)
    app.register_blueprint(api_blueprint)
    csrf.exempt(api_blueprint)  # the API authenticates with bearer tokens, never cookies
    install_session_limits(app)  # before the access rules, so an expired session counts as signed out
    install_access_control(app)
    install_input_checks(app)  # after the access rules: a stranger learns nothing from validation
    install_password_age_check(app)  # after the access rules: only signed-in, allowed requests
    install_security_headers(app)
    install_outbox_push(app)
    install_jobs(app)
    register_commands(app)
