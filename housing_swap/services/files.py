"""The app's file store (``storage/``), chosen by ``HOUSING_SWAP_STORAGE``, and the file kinds
kept in it: listing photos, and generated files (import error reports, exports) that expire."""
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


PHOTO_FOLDER = "listing-photos/"


def photo_key(storage_key: str, thumbnail: bool) -> str:
    return f"{PHOTO_FOLDER}{storage_key}{'_thumb' if thumbnail else ''}.jpg"


def storage_key_of(file_key: str) -> str:
    """The photo's storage key a file belongs to (the inverse of :func:`photo_key`)."""
    name = file_key.removeprefix(PHOTO_FOLDER).removesuffix(".jpg")
    return name.removesuffix("_thumb")


# ----- generated files that expire: import error reports, exports ------------------------------

class Generated:
    """A kind of generated file: kept under its folder, per owner, for IMPORT_REPORT_DAYS."""
    IMPORT_REPORTS = "import-reports"  # owner: the agency's organization
    EXPORTS = "exports"                # owner: the user who asked for the export
    ALL = (IMPORT_REPORTS, EXPORTS)


def save_generated(kind: str, owner_id: int, content: bytes, extension: str, content_type: str) -> str:
    """Keep a generated file for its owner; the returned token names it."""
    token = secrets.token_hex(12)
    file_store().put(_generated_key(kind, owner_id, token, extension), content, content_type)
    return token


def generated(kind: str, owner_id: int, token: str, extension: str) -> bytes | None:
    """The owner's file, or None when there is none (another owner's, or past its days)."""
    if not token.isalnum():
        return None
    key = _generated_key(kind, owner_id, token, extension)
    try:
        if file_store().stat(key).modified_at < _keeping_cutoff():
            return None
        return file_store().get(key)
    except FileMissing:
        return None


def expire_generated() -> int:
    """Delete generated files past their keeping time; the count deleted."""
    store, cutoff = file_store(), _keeping_cutoff()
    expired = [stored.key for kind in Generated.ALL for stored in store.list(f"{kind}/")
               if stored.modified_at < cutoff]
    for key in expired:
        store.delete(key)
    return len(expired)


def _generated_key(kind: str, owner_id: int, token: str, extension: str) -> str:
    return f"{kind}/{owner_id}/{token}.{extension}"


def _keeping_cutoff():
    return utcnow() - timedelta(days=current_app.config.get("IMPORT_REPORT_DAYS", 7))
