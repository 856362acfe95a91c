"""The public eligibility self-check."""
from __future__ import annotations

from dataclasses import asdict

from ..security.access import public
from ..services import eligibility
from . import api_blueprint, responses
from .responses import respond
from .schemas import json_object


@api_blueprint.post("/eligibility")
@public
def check_eligibility():
    return respond(responses.EligibilityAnswer, asdict(eligibility.check(json_object())))
