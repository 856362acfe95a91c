"""The one transaction boundary.

Every use case that writes is a function decorated with :func:`use_case` (or, for a batch job
that commits each batch, a ``with unit_of_work():`` block per batch). Services only add and
flush; the outermost use case commits when it returns and rolls back when anything escapes
it, so a use case that calls another is still one transaction, and a refused request leaves
nothing half-written. Views, API handlers and commands never touch the session's transaction.

A unique key taken by a concurrent transaction between a use case's look and its write becomes a
Conflict (409, "try again") at the boundary rather than an error page.

Two refusals keep what they wrote: the record of a failed password change and an offer found
expired when answered. Such a refusal is raised through :func:`refusal_keeping_writes`, and
the boundary commits before passing it on.

The only other commits are those that must stand apart from any use case, each with its
reason beside it: rate-limit counters and idempotency records (they must survive a refused
request and be seen by a concurrent one at once) and the search outbox's bookkeeping.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .errors import Conflict, ServiceError

_DEPTH = "housing_swap.use_case_depth"
_KEEPS_WRITES = "keeps_writes"
RACED_MESSAGE = "这条数据刚被他人同时提交，请刷新后重试"

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit when the outermost unit ends normally, roll back when anything escapes it."""
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield
    except BaseException as escaped:
        if depth == 0:
            _end_refused(escaped)
            if _unique_violation(escaped):
                raise Conflict(RACED_MESSAGE) from None
        raise
    else:
        if depth == 0:
            _commit()
    finally:
        info[_DEPTH] = depth


def use_case(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` as one unit of work (joining the caller's, if there is one)."""
    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return function(*args, **kwargs)
    return run


def in_use_case() -> bool:
    return db.session.info.get(_DEPTH, 0) > 0


def discard_unfinished_work() -> None:
    """After an unexpected failure outside any use case (a read on a dropped connection), give
    the connection back so the error page can still be drawn."""
    db.session.rollback()


def refusal_keeping_writes(error: ServiceError) -> ServiceError:
    """Mark a refusal whose writes so far stand (they record why it was refused)."""
    setattr(error, _KEEPS_WRITES, True)
    return error


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError:  # a versioned row changed under us since it was read
        db.session.rollback()
        raise Conflict("该记录刚被他人更新，请刷新后重试") from None
    except IntegrityError as error:
        db.session.rollback()
        if _unique_violation(error):
            raise Conflict(RACED_MESSAGE) from None
        raise


def _unique_violation(error: BaseException) -> bool:
    """A unique key another transaction took first, between our look and our write: the request
    raced another (two machines, a double click), and the user may simply try again. Use cases
    that expect it answer better themselves (flush_or_conflict, insert_unless_present); this is
    the boundary's answer for the rest. Other integrity errors are bugs and stay errors."""
    if not isinstance(error, IntegrityError):
        return False
    return getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error.orig)


def _end_refused(escaped: BaseException) -> None:
    if getattr(escaped, _KEEPS_WRITES, False):
        db.session.commit()
    else:
        db.session.rollback()
