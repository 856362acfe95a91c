"""The one JSON error envelope: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

from flask import jsonify


def error_response(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="housing_swap"'
    return response
