"""Bearer tokens for the JSON API. Only a SHA-256 digest of each token is stored."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..db.base import utcnow
from ..db.models import ApiToken, User
from ..extensions import db
from .audit import record_event
from .errors import NotFound
from .unit_of_work import use_case


def _digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


@use_case
def issue_token(user: User) -> tuple[str, datetime]:
    raw = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"])
    token = ApiToken(user_id=user.id, token_hash=_digest(raw), expires_at=expires_at,
                     credentials_epoch=user.credentials_epoch)
    db.session.add(token)
    db.session.flush()
    record_event("api_token.issue", "api_token", token.id, actor=user)
    return raw, expires_at


def user_for_bearer_header(header: str | None) -> User | None:
    """The active user behind ``Authorization: Bearer <token>``, or None."""
    token = _live_token(header)
    if token is None or not token.user.is_active or token.credentials_epoch != token.user.credentials_epoch:
        return None  # re-enabling an account or reinstating its organization revives no old token
    return token.user


@use_case
def revoke_token(header: str | None, actor: User) -> None:
    token = _live_token(header)
    if token is None:
        raise NotFound("令牌不存在或已失效")
    token.revoked_at = utcnow()
    record_event("api_token.revoke", "api_token", token.id, actor=actor)


def _live_token(header: str | None) -> ApiToken | None:
    scheme, _, raw = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw.strip())))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    return token
