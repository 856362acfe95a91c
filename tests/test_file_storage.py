"""The file store: one contract for the local folder and the S3-compatible object store, photos
shared between app machines, import reports that expire, and files inside backups."""
from __future__ import annotations

import io
import os
import uuid
from datetime import timedelta

import pytest
from PIL import Image

from housing_swap.db.base import utcnow
from housing_swap.db.models import ListingStatus, PhotoKind
from housing_swap.extensions import db
from housing_swap.services import files, readiness
from housing_swap.services import listings as listing_service
from housing_swap.services.photos import PhotoUpload, add_photos
from housing_swap.storage import FileMissing, StorageUnavailable
from housing_swap.storage.local import LocalFileStore
from housing_swap.storage.s3 import S3FileStore, S3Settings
from tests.conftest import make_test_app, server_url
from tests.listings.helpers import listing_fields


def s3_store(prefix: str) -> S3FileStore:
    return S3FileStore(S3Settings(
        endpoint_url=server_url("HOUSING_SWAP_TEST_S3_ENDPOINT_URL", "an S3-compatible object store"),
        bucket=os.environ["HOUSING_SWAP_TEST_S3_BUCKET"],
        access_key_id=os.environ["HOUSING_SWAP_TEST_S3_ACCESS_KEY_ID"],
        secret_access_key=os.environ["HOUSING_SWAP_TEST_S3_SECRET_ACCESS_KEY"], prefix=prefix))


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalFileStore(tmp_path / "files")
    return s3_store(f"contract-{uuid.uuid4().hex[:8]}/")


def test_a_stored_file_can_be_read_listed_and_deleted(store):
    store.put("reports/1/a.xlsx", b"first", "application/octet-stream")
    store.put("reports/1/a.xlsx", b"second", "application/octet-stream")  # replaced whole
    store.put("photos/b.jpg", b"\xff\xd8jpeg", "image/jpeg")
    assert store.get("reports/1/a.xlsx") == b"second"
    assert store.stat("photos/b.jpg").size == 6
    assert abs(store.stat("photos/b.jpg").modified_at - utcnow()) < timedelta(minutes=5)
    assert [stored.key for stored in store.list("reports/")] == ["reports/1/a.xlsx"]
    store.delete("reports/1/a.xlsx")
    with pytest.raises(FileMissing):
        store.get("reports/1/a.xlsx")
    with pytest.raises(FileMissing):
        store.stat("reports/1/a.xlsx")
    store.delete("photos/b.jpg")
    assert list(store.list()) == []
    store.check(write=True)
    store.check(write=False)
    assert list(store.list()) == []  # the probe file is not one of the app's files


@pytest.mark.parametrize("key", ["../escape", "/absolute", "a//b", "a/./b", "a\\b", ""])
def test_unsafe_keys_are_refused(store, key):
    with pytest.raises(ValueError, match="unsafe storage key"):
        store.put(key, b"x", "text/plain")


def test_an_unreachable_object_store_says_so_and_readyz_fails(app, client):
    app.extensions["file_store"] = S3FileStore(S3Settings(
        endpoint_url="http://127.0.0.1:1", bucket="nowhere", access_key_id="x", secret_access_key="y"))
    with pytest.raises(StorageUnavailable):
        files.file_store().get("listing-photos/x.jpg")
    for _ in range(2):  # the write probe and, after it, the answer-only check both see it
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.get_json()["checks"]["storage"]["ok"] is False


class CountingStore:
    """The real store, counting the checks that write a probe file."""

    def __init__(self, store):
        self.store, self.writes = store, 0

    def __getattr__(self, name):
        return getattr(self.store, name)

    def check(self, write):
        self.writes += write
        self.store.check(write=write)


def test_readiness_polls_write_a_probe_file_at_most_once_a_minute(app, client, monkeypatch):
    counting = CountingStore(files.file_store())
    app.extensions["file_store"] = counting
    for _ in range(5):
        assert client.get("/readyz").status_code == 200
    assert counting.writes == 1
    started = readiness.time.monotonic()
    monkeypatch.setattr(readiness.time, "monotonic", lambda: started + readiness.WRITE_PROBE_EVERY_S + 1)
    assert client.get("/readyz").status_code == 200
    assert counting.writes == 2


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_photo_uploaded_through_one_machine_is_served_by_another(app, make, client, tmp_path):
    """Two app machines with their own instance folders share only the database and the store."""
    shared = f"machines-{uuid.uuid4().hex[:8]}/"
    app.extensions["file_store"] = s3_store(shared)
    owner = make.household()
    listing = listing_service.create_listing(listing_fields(), owner)
    [photo] = add_photos(listing.id, [PhotoUpload("客厅.jpg", photo_bytes())], PhotoKind.PHOTO, owner)
    listing.status, listing.listed_at = ListingStatus.ACTIVE, listing.created_at
    db.session.commit()
    machine_b = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "machine-b")
    machine_b.extensions["file_store"] = s3_store(shared)
    served = machine_b.test_client().get(f"/photos/{photo.id}/thumb")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(served.data)).size[0] <= 400
    with machine_b.app_context():
        db.engine.dispose()


def test_reports_and_exports_are_kept_for_their_days_then_expire(app, monkeypatch):
    reports = files.Generated.IMPORT_REPORTS
    token = files.save_generated(reports, 7, b"report", "xlsx", files.XLSX)
    export = files.save_generated(files.Generated.EXPORTS, 3, b"export", "csv", "text/csv")
    assert files.generated(reports, 7, token, "xlsx") == b"report"
    assert files.generated(reports, 8, token, "xlsx") is None  # another organization's report is not there
    assert files.generated(reports, 7, "../../etc", "xlsx") is None
    later = utcnow() + timedelta(days=app.config["IMPORT_REPORT_DAYS"], minutes=1)
    monkeypatch.setattr(files, "utcnow", lambda: later)
    assert files.generated(reports, 7, token, "xlsx") is None  # past its days, even before the sweep
    assert files.generated(files.Generated.EXPORTS, 3, export, "csv") is None
    kept = [stored.key for kind in files.Generated.ALL for stored in files.file_store().list(f"{kind}/")]
    # The suite's object store may hold other tests' files too (CI's server run): all of them are old now.
    assert files.expire_generated() == len(kept) >= 2
    monkeypatch.undo()
    assert [stored.key for kind in files.Generated.ALL for stored in files.file_store().list(f"{kind}/")] == []
    assert files.generated(reports, 7, token, "xlsx") is None
