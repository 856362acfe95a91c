"""Logs as one JSON object per line (``HOUSING_SWAP_LOG_FORMAT=json``, the default), so a log
pipeline can index them by request id, user, route and status; ``text`` for a terminal."""
from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_app_context

# Fields a log call may pass through ``extra=``; anything else on the record is logging's own.
CONTEXT_FIELDS = ("request_id", "user_id", "method", "route", "status", "duration_ms")
_HANDLER_NAME = "housing_swap"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if "request_id" not in entry and has_app_context() and g.get("request_id"):
            entry["request_id"] = g.request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """One handler on the package's loggers (replaced, not added, when several apps are built)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.name = _HANDLER_NAME
    if app.config.get("LOG_FORMAT", "json") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    package_logger = logging.getLogger("housing_swap")
    package_logger.handlers = [h for h in package_logger.handlers if h.name != _HANDLER_NAME] + [handler]
    package_logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
