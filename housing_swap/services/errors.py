"""Errors a use case raises; web and API turn them into HTTP answers in one place each."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from ..extensions import db


class ServiceError(Exception):
    """Base class. ``message`` is shown to users, so it is Chinese."""

    http_status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(ServiceError):
    """Field-level problems: ``details`` maps a field name to a list of messages."""

    http_status = 422
    code = "validation_failed"


class Conflict(ServiceError):
    http_status = 409
    code = "conflict"


class NotFound(ServiceError):
    http_status = 404
    code = "not_found"


class Forbidden(ServiceError):
    http_status = 403
    code = "forbidden"


def flush_or_conflict(message_for: Callable[[str], str]) -> None:
    """Flush inside a savepoint so a constraint violation leaves the session usable, and turn it
    into a Conflict whose message ``message_for`` picks from the database's error text."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Conflict(message_for(str(error.orig))) from None
