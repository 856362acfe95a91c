"""Idempotent API calls: a retried request with the same ``Idempotency-Key`` gets the first answer.

The key is claimed before the work, in the same transaction as the work: the claim is a row
unique on (user, key), inserted and flushed first. A concurrent call with the same key (on any
machine) then waits on that row until the first call's transaction ends; if it committed, the
waiter finds the key taken and replays the stored answer, and if it was refused (rolled back),
the waiter does the work itself. The answer is stored on the claim when the work returns, so the
work and its answer commit together: never one without the other. A key reused for a different
request is refused rather than silently answered with the old result.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db.models import IdempotencyRecord, User
from ..extensions import db
from .errors import Conflict, ServiceError, ValidationFailed
from .unit_of_work import unit_of_work

MAX_KEY_LENGTH = 100


class _KeyTaken(Exception):
    """Another call with this key committed first (raised to roll this attempt back)."""


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
    try:
        with unit_of_work():
            claim = _claim(user, key, request_fingerprint)
            try:
                status, body = call()
            except ServiceError:
                # A refusal is not an answer to replay; a refusal that keeps its writes commits
                # them without the claim, so a retry is answered afresh.
                db.session.delete(claim)
                raise
            claim.status_code, claim.response_body = status, body
    except _KeyTaken:
        taken = _stored(user, key)
        if taken is None:  # the holder committed, so its row is there; answer safely regardless
            raise Conflict("该 Idempotency-Key 的请求正在处理，请稍后重试") from None
        return _replay(taken, request_fingerprint)
    return status, body


def _claim(user: User, key: str, request_fingerprint: str) -> IdempotencyRecord:
    """Insert the key's row now; a concurrent holder makes this wait until it commits or rolls back."""
    claim = IdempotencyRecord(user_id=user.id, key=key, request_fingerprint=request_fingerprint,
                              status_code=0, response_body={})
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        raise _KeyTaken() from None
    return claim


def _stored(user: User, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == key))


def _replay(record: IdempotencyRecord, request_fingerprint: str) -> tuple[int, dict]:
    if record.request_fingerprint != request_fingerprint:
        raise Conflict("该 Idempotency-Key 已用于另一个不同的请求，请换一个键")
    return record.status_code, record.response_body
