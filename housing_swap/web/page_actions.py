"""Shared plumbing for pages that run one use case: a form's submission (its field problems shown
beside the fields), or an action whose refusal or result becomes the message the next page shows."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash
from flask_wtf import FlaskForm

from ..services.errors import ServiceError, ValidationFailed
from .forms import attach_field_errors


@dataclass(frozen=True)
class Submission:
    result: Any  # what the use case returned


def form_submission(form: FlaskForm, call: Callable[[], object]) -> Submission | None:
    """The edit-page flow: a valid submission runs ``call``. None when there is nothing to act on
    yet: the form was not submitted, or the form or the use case found problems, which are now
    beside their fields for the page to draw again. Other refusals pass on to the error page."""
    if not form.validate_on_submit():
        return None
    try:
        return Submission(call())
    except ValidationFailed as problems:
        attach_field_errors(form, problems.details)
        return None


def flash_outcome(call: Callable[[], object], success: str | Callable[[object], str]) -> None:
    """Run ``call``; its refusal becomes an error message (the use case has rolled back), its
    result the success message (``success`` may read the result)."""
    try:
        result = call()
    except ServiceError as refused:
        flash(refused.message, "error")
    else:
        flash(success(result) if callable(success) else success, "success")
