"""The public eligibility self-check."""
from __future__ import annotations

from dataclasses import asdict

from flask import jsonify

from ..security.access import public
from ..services import eligibility
from . import api_blueprint
from .schemas import json_object


@api_blueprint.post("/eligibility")
@public
def check_eligibility():
    return jsonify(asdict(eligibility.check(json_object())))
