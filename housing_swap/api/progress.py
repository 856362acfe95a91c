"""Public progress against the program targets (aggregates only, from the goal ledger)."""
from __future__ import annotations

from flask import request

from ..security.access import public
from ..services.progress import parse_progress_filters, progress_report
from . import api_blueprint, responses
from .responses import respond

PUBLIC_CACHE_SECONDS = 60


@api_blueprint.get("/progress")
@public
def progress():
    response, _ = respond(responses.Progress, progress_report(parse_progress_filters(request.args.to_dict())))
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_CACHE_SECONDS}"
    return response
