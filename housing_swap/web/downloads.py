"""Files in and out of the pages: uploaded spreadsheets, generated downloads."""
from __future__ import annotations

import io

from flask import Response, request, send_file

from ..services.spreadsheets import MIMETYPES, Upload


def spreadsheet_response(content: bytes, base_name: str, file_format: str):
    return send_file(io.BytesIO(content), mimetype=MIMETYPES[file_format], as_attachment=True,
                     download_name=f"{base_name}.{file_format}")


def paper_download(content: bytes, content_type: str, name: str) -> Response:
    """A stored paper (its type checked by content on upload), as a private download."""
    return Response(content, mimetype=content_type, headers={
        "Content-Disposition": f"attachment; filename={name}", "Cache-Control": "private, no-store"})


def uploaded_file(field: str = "file") -> Upload | None:
    """The uploaded file of a form, or None when the user chose none."""
    uploaded = request.files.get(field)
    if uploaded is None or not uploaded.filename:
        return None
    return Upload(uploaded.filename, uploaded.read())
