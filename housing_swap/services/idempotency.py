"""Idempotent API calls: a retried request with the same ``Idempotency-Key`` gets the first answer.

The use case commits its own work first; the answer is then stored under (user, key). A key
reused for a different request is refused rather than silently answered with the old result.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db.models import IdempotencyRecord, User
from ..extensions import db
from .errors import Conflict, ValidationFailed

MAX_KEY_LENGTH = 100


def fingerprint(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def run_once(user: User, key: str | None, request_fingerprint: str,
             call: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed("请在请求头 Idempotency-Key 中提供不超过100个字符的唯一键",
                               {"Idempotency-Key": ["必填，不超过100个字符"]})
    earlier = _stored(user, key)
    if earlier is not None:
        return _replay(earlier, request_fingerprint)
    status, body = call()
    db.session.add(IdempotencyRecord(user_id=user.id, key=key, request_fingerprint=request_fingerprint,
                                     status_code=status, response_body=body))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a concurrent retry stored its answer first; answer with that one
        return _replay(_stored(user, key), request_fingerprint)
    return status, body


def _stored(user: User, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == key))


def _replay(record: IdempotencyRecord, request_fingerprint: str) -> tuple[int, dict]:
    if record.request_fingerprint != request_fingerprint:
        raise Conflict("该 Idempotency-Key 已用于另一个不同的请求，请换一个键")
    return record.status_code, record.response_body
