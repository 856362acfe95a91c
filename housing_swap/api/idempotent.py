"""Idempotent state-changing API calls.

Every state-changing call of the acquisition, market-swap and ledger APIs takes an optional
``Idempotency-Key`` header: a retry with the same key gets the first answer back and writes
nothing new.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from flask import Response, g, jsonify, request

from ..services import idempotency


def idempotent(operation: str, values: dict, files: dict[str, bytes],
               call: Callable[[], tuple[int, dict]]) -> tuple[Response, int]:
    """Run ``call`` once per Idempotency-Key (when the client sends one)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        status, body = call()
    else:
        canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str).encode()
        digests = [hashlib.sha256(content).digest() for _, content in sorted(files.items())]
        status, body = idempotency.run_once(g.api_user, key, idempotency.fingerprint(
            operation.encode(), request.path.encode(), canonical, *digests), call)
    return jsonify(body), status

