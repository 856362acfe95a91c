"""Counting attempts per key and minute in the database (shared by every app worker)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..db.base import utcnow
from ..db.models import RateLimitBucket
from ..extensions import db
from .errors import ServiceError
from .unit_of_work import in_use_case


class TooManyAttempts(ServiceError):
    http_status = 429
    code = "too_many_requests"


def count_attempt(key: str, limit_per_minute: int) -> None:
    """Record one attempt; raise TooManyAttempts when ``key`` passed its limit this minute.

    The increment is committed at once, in its own transaction, so refused attempts count too
    and concurrent workers add up instead of overwriting each other. That commit would end a
    use case half-way, so counting inside one is a programming error.
    """
    if in_use_case():
        raise RuntimeError("count_attempt commits on its own: call it before the use case")
    window = utcnow().replace(second=0, microsecond=0)
    updated = db.session.execute(update(RateLimitBucket).where(
        RateLimitBucket.key == key, RateLimitBucket.window_start == window)
        .values(count=RateLimitBucket.count + 1)).rowcount
    if not updated:
        try:
            with db.session.begin_nested():
                db.session.add(RateLimitBucket(key=key, window_start=window, count=1))
        except IntegrityError:  # another worker created this minute's bucket first
            db.session.execute(update(RateLimitBucket).where(
                RateLimitBucket.key == key, RateLimitBucket.window_start == window)
                .values(count=RateLimitBucket.count + 1))
    db.session.execute(delete(RateLimitBucket).where(RateLimitBucket.window_start < window - timedelta(hours=1)))
    db.session.commit()
    count = db.session.scalar(select(RateLimitBucket.count).where(
        RateLimitBucket.key == key, RateLimitBucket.window_start == window))
    if count > limit_per_minute:
        raise TooManyAttempts("尝试过于频繁，请一分钟后再试")
