"""Shared plumbing for pages that run one use case and redirect: the refusal or the result
becomes the message the next page shows."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash

from ..services.errors import ServiceError


def flash_outcome(call: Callable[[], object], success: str | Callable[[object], str]) -> None:
    """Run ``call``; its refusal becomes an error message (the use case has rolled back), its
    result the success message (``success`` may read the result)."""
    try:
        result = call()
    except ServiceError as refused:
        flash(refused.message, "error")
    else:
        flash(success(result) if callable(success) else success, "success")
