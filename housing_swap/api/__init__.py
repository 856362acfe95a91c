"""The JSON API, version 1, under /api/v1. Authenticated by bearer tokens only."""
from flask import Blueprint

api_blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

from . import applications, auth, eligibility, listings, openapi, organizations, progress, projects, search  # noqa: E402,F401,I001
from . import acquisitions, ledger, market_swaps, monitoring, notifications, openapi_swaps, viewings  # noqa: E402,F401,I001
from . import openapi_reservations, quota_queue, reservations  # noqa: E402,F401,I001
