"""What the platform tells its operators: a request id on every request and response, one JSON
log line per request, request metrics, and the probes (``/healthz``, ``/readyz``, ``/metrics``)."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

from ..metrics import REQUEST_SECONDS
from .logs import configure_logging
from .probes import probes

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's request id is kept only if it is short and plain, so it cannot forge log lines.
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNMATCHED_ROUTE = "unmatched"  # one label for every unknown path: no unbounded label values

request_log = logging.getLogger("housing_swap.request")


def install_telemetry(app: Flask) -> None:
    configure_logging(app)
    app.register_blueprint(probes)
    app.before_request(_start_request)
    app.after_request(_finish_request)


def current_request_id() -> str | None:
    return g.get("request_id")


def _start_request() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _ACCEPTABLE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    if "request_id" not in g:  # a request refused before the first hook ran
        _start_request()
    seconds = time.perf_counter() - g.request_started
    route = request.url_rule.rule if request.url_rule else UNMATCHED_ROUTE
    REQUEST_SECONDS.labels(route, request.method, str(response.status_code)).observe(seconds)
    response.headers[REQUEST_ID_HEADER] = g.request_id
    request_log.info("request", extra={
        "request_id": g.request_id, "user_id": _user_id(), "method": request.method, "route": route,
        "status": response.status_code, "duration_ms": round(seconds * 1000, 1)})
    return response


def _user_id() -> int | None:
    user = g.get("api_user") or current_user
    return user.id if user is not None and user.is_authenticated else None
