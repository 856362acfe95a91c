"""Shared plumbing for pages that run one use case: a form's submission (its field problems shown
beside the fields), or an action whose refusal or result becomes the message the next page shows."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from flask import abort, flash, make_response, render_template
from flask_wtf import FlaskForm

from ..services.errors import ServiceError, ValidationFailed
from ..services.imports import ImportRejected
from ..services.spreadsheets import Upload
from .downloads import uploaded_file
from .forms import attach_field_errors

T = TypeVar("T")


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


def flash_outcome(call: Callable[[], object], success: str | Callable[[Any], str]) -> None:
    """Run ``call``; its refusal becomes an error message (the use case has rolled back; a field
    problem is told in the field's own words), its result the success message (``success`` may
    read the result)."""
    try:
        result = call()
    except ValidationFailed as problems:
        flash("；".join(m for messages in problems.details.values() for m in messages) or problems.message, "error")
    except ServiceError as refused:
        flash(refused.message, "error")
    else:
        flash(success(result) if callable(success) else success, "success")


def refuse_page(template: str, **context) -> NoReturn:
    """Answer at once with ``template`` drawn again, 422: the input was refused, nothing was written."""
    abort(make_response(render_template(template, **context), 422))


def imported(template: str, missing_file: str, run: Callable[[Upload], T],
             rejected_context: Callable[[ImportRejected], dict] = lambda rejected: {}, **context) -> T:
    """The upload flow every import page shares: no file, a file refused as a whole, or refused rows
    each answer with the same page again (422) saying why; otherwise the import's result."""
    upload = uploaded_file()
    if upload is None:
        refuse_page(template, problem=missing_file, **context)
    try:
        return run(upload)
    except ImportRejected as rejected:
        refuse_page(template, errors=rejected.row_errors, **rejected_context(rejected), **context)
    except ValidationFailed as refused:
        refuse_page(template, problem=refused.message, **context)
