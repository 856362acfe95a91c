"""The app's file store (``storage/``), chosen by ``HOUSING_SWAP_STORAGE``, and the file kinds
kept in it: listing photos and import error reports (which expire)."""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app

from ..db.base import utcnow
from ..storage import FileMissing, FileStore
from ..storage.local import LocalFileStore
from ..storage.s3 import S3FileStore, S3Settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORTS = "import-reports"


def file_store() -> FileStore:
    extensions = current_app.extensions
    if "file_store" not in extensions:
        extensions["file_store"] = _configured_store(current_app.config)
    return extensions["file_store"]


def _configured_store(config) -> FileStore:
    if config.get("STORAGE_BACKEND", "local") == "s3":
        return S3FileStore(S3Settings(
            endpoint_url=config["S3_ENDPOINT_URL"], bucket=config["S3_BUCKET"],
            access_key_id=config["S3_ACCESS_KEY_ID"], secret_access_key=config["S3_SECRET_ACCESS_KEY"],
            region=config.get("S3_REGION", "us-east-1"), prefix=config.get("S3_PREFIX", "")))
    return LocalFileStore(Path(current_app.instance_path) / "files")


def photo_key(storage_key: str, thumbnail: bool) -> str:
    return f"listing-photos/{storage_key}{'_thumb' if thumbnail else ''}.jpg"


# ----- import error reports ------------------------------------------------------------------

def save_import_report(organization_id: int, content: bytes) -> str:
    """Keep an error report for the organization; the returned token names it."""
    token = secrets.token_hex(12)
    file_store().put(_report_key(organization_id, token), content, XLSX)
    return token


def import_report(organization_id: int, token: str) -> bytes | None:
    """The organization's report, or None when there is none (or it has expired)."""
    if not token.isalnum():
        return None
    key = _report_key(organization_id, token)
    try:
        if file_store().stat(key).modified_at < _report_cutoff():
            return None
        return file_store().get(key)
    except FileMissing:
        return None


def expire_import_reports() -> int:
    """Delete reports past their keeping time; the count deleted."""
    store, cutoff = file_store(), _report_cutoff()
    expired = [stored.key for stored in store.list(f"{REPORTS}/") if stored.modified_at < cutoff]
    for key in expired:
        store.delete(key)
    return len(expired)


def _report_key(organization_id: int, token: str) -> str:
    return f"{REPORTS}/{organization_id}/{token}.xlsx"


def _report_cutoff():
    return utcnow() - timedelta(days=current_app.config.get("IMPORT_REPORT_DAYS", 7))
