"""Static files (styles, scripts, the map's libraries and outlines) go out compressed, gzip or
brotli as the browser accepts. Only static files: pages and API answers hold secrets (CSRF and
bearer tokens) beside text a visitor can make the page repeat, which compression would leak
(BREACH), and the pages are small anyway."""
from __future__ import annotations

from flask import Flask
from flask_compress import Compress

STATIC_TEXT = ["text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml"]

compress = Compress()


def install_static_compression(app: Flask) -> None:
    app.config.setdefault("COMPRESS_REGISTER", False)  # not every response: see above
    app.config.setdefault("COMPRESS_MIMETYPES", STATIC_TEXT)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    compress.init_app(app)
    app.view_functions["static"] = compress.compressed()(app.view_functions["static"])
