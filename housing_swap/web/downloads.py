"""Download responses for generated spreadsheets."""
from __future__ import annotations

import io

from flask import send_file

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def spreadsheet_response(content: bytes, base_name: str, file_format: str):
    return send_file(io.BytesIO(content), mimetype=MIMETYPES[file_format], as_attachment=True,
                     download_name=f"{base_name}.{file_format}")
