"""Security headers on every response (OWASP ASVS V14.4)."""
from __future__ import annotations

from flask import Flask, request

from ..config import tile_origin


def content_security_policy(tile_url: str = "") -> str:
    """Everything from this site only; map tiles also from the deployment's tile service."""
    images = "img-src 'self' data:" + (f" {tile_origin(tile_url)}" if tile_url else "")
    return "; ".join((
        "default-src 'self'",
        images,
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ))


def install_security_headers(app: Flask) -> None:
    policy = content_security_policy(app.config.get("MAP_TILE_URL", ""))

    @app.after_request
    def add_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
