"""Listing photos: uploads checked by content and re-encoded, several at once, ordered, the
first one the cover, deleted (files swept later), and the same through the pages and the API."""
import io
from datetime import timedelta

import pytest
from PIL import Image

from housing_swap.db.base import utcnow
from housing_swap.db.models import ListingPhoto, ListingStatus, PhotoKind, Role
from housing_swap.extensions import db
from housing_swap.services import listings as service
from housing_swap.services import photos as photo_service
from housing_swap.services.errors import Forbidden, NotFound, ValidationFailed
from housing_swap.services.files import file_store, photo_key
from housing_swap.services.photos import PhotoUpload, photo_content
from housing_swap.storage.local import LocalFileStore
from tests.listings.helpers import listing_fields
from tests.listings.test_api import token_for

PHOTO = PhotoKind.PHOTO


def add_photo(listing_id, upload, user, kind=PHOTO):
    [photo] = photo_service.add_photos(listing_id, [upload], kind, user)
    return photo


def order_of(listing_id) -> list[int]:
    """The stored order, read afresh from the database."""
    db.session.expire_all()
    return list(db.session.scalars(db.select(ListingPhoto.id).where(ListingPhoto.listing_id == listing_id)
                                   .order_by(ListingPhoto.position)))


def image_bytes(size=(800, 600), file_format="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=file_format)
    return buffer.getvalue()


@pytest.fixture
def listing_and_owner(app, make):
    owner = make.household()
    return service.create_listing(listing_fields(), owner), owner


def test_a_real_photo_is_stored_reencoded_with_a_thumbnail(listing_and_owner):
    listing, owner = listing_and_owner
    photo = add_photo(listing.id, PhotoUpload("客厅.png", image_bytes(file_format="PNG")), owner)
    _, full = photo_content(photo.id, thumbnail=False)
    _, thumb = photo_content(photo.id, thumbnail=True)
    with Image.open(io.BytesIO(full)) as stored_full, Image.open(io.BytesIO(thumb)) as stored_thumb:
        assert stored_full.format == "JPEG"
        assert max(stored_thumb.size) <= photo_service.THUMB_SIZE
    assert photo.original_name == "客厅.png"
    assert file_store().stat(photo_key(photo.storage_key, thumbnail=False)).size == len(full)


def test_trailing_script_is_removed_by_reencoding(listing_and_owner):
    listing, owner = listing_and_owner
    payload = image_bytes() + b"<script>alert(document.cookie)</script>"
    photo = add_photo(listing.id, PhotoUpload("x.jpg", payload), owner)
    stored = photo_content(photo.id, thumbnail=False)[1]
    assert b"<script>" not in stored
    assert stored.startswith(b"\xff\xd8")


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(b"<?php system($_GET['c']); ?>", "不是有效的图片", id="php-script"),
    pytest.param(b"GIF89a" + b"\x00" * 100, "不是有效的图片", id="truncated-gif"),
    pytest.param(b"\x00" * (10 * 1024 * 1024 + 1), "不能超过10MB", id="over-10MB"),
])
def test_non_images_and_oversized_files_are_refused(listing_and_owner, content, message):
    listing, owner = listing_and_owner
    with pytest.raises(ValidationFailed, match=message):
        add_photo(listing.id, PhotoUpload("renamed.jpg", content), owner)


def test_huge_pixel_count_is_refused(listing_and_owner):
    listing, owner = listing_and_owner
    buffer = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(buffer, format="PNG")  # 50 MP, a small file
    with pytest.raises(ValidationFailed, match="像素过多"):
        add_photo(listing.id, PhotoUpload("big.png", buffer.getvalue()), owner)


def test_gif_is_refused_even_when_valid(listing_and_owner):
    listing, owner = listing_and_owner
    with pytest.raises(ValidationFailed, match="只支持"):
        add_photo(listing.id, PhotoUpload("a.gif", image_bytes(file_format="GIF")), owner)


def test_a_photo_below_the_minimum_resolution_is_refused_with_its_size(listing_and_owner):
    listing, owner = listing_and_owner
    with pytest.raises(ValidationFailed, match=r"分辨率过低（600×400像素）.*至少640×480"):
        add_photo(listing.id, PhotoUpload("small.jpg", image_bytes((600, 400))), owner)
    portrait = add_photo(listing.id, PhotoUpload("tall.jpg", image_bytes((480, 640))), owner)
    assert (portrait.width, portrait.height) == (480, 640)


def test_several_photos_at_once_are_all_kept_or_none(listing_and_owner):
    listing, owner = listing_and_owner
    good = [PhotoUpload(f"{n}.jpg", image_bytes()) for n in range(3)]
    with pytest.raises(ValidationFailed, match="“坏的.jpg”：文件不是有效的图片"):
        photo_service.add_photos(listing.id, [*good, PhotoUpload("坏的.jpg", b"not an image")], PHOTO, owner)
    assert order_of(listing.id) == []
    added = photo_service.add_photos(listing.id, good, PHOTO, owner)
    plan = add_photo(listing.id, PhotoUpload("户型.png", image_bytes(file_format="PNG")), owner, PhotoKind.FLOOR_PLAN)
    assert order_of(listing.id) == [*(photo.id for photo in added), plan.id]
    assert db.session.get(ListingPhoto, plan.id).kind == PhotoKind.FLOOR_PLAN


def test_the_photo_limit_counts_the_whole_batch(listing_and_owner, monkeypatch):
    listing, owner = listing_and_owner
    monkeypatch.setattr(photo_service, "MAX_PHOTOS", 3)
    add_photo(listing.id, PhotoUpload("1.jpg", image_bytes()), owner)
    with pytest.raises(ValidationFailed, match="已有1张，这次最多还能上传2张"):
        photo_service.add_photos(listing.id, [PhotoUpload(f"{n}.jpg", image_bytes()) for n in range(3)], PHOTO, owner)
    assert len(order_of(listing.id)) == 1


def test_reorder_cover_move_and_delete(listing_and_owner):
    listing, owner = listing_and_owner
    a, b, c = (photo.id for photo in photo_service.add_photos(
        listing.id, [PhotoUpload(f"{n}.jpg", image_bytes()) for n in "abc"], PHOTO, owner))
    photo_service.make_cover(listing.id, c, owner)
    assert order_of(listing.id) == [c, a, b]
    photo_service.move_photo(listing.id, c, 1, owner)
    assert order_of(listing.id) == [a, c, b]
    photo_service.move_photo(listing.id, a, -1, owner)  # already first: stays
    assert order_of(listing.id) == [a, c, b]
    photo_service.reorder_photos(listing.id, [b, a, c], owner)
    assert order_of(listing.id) == [b, a, c]
    photo_service.delete_photo(listing.id, a, owner)
    assert order_of(listing.id) == [b, c]
    positions = db.session.scalars(db.select(ListingPhoto.position).where(ListingPhoto.listing_id == listing.id))
    assert sorted(positions) == [0, 1]


@pytest.mark.parametrize("order", ["none", "one", "duplicate", "foreign"])
def test_a_reorder_must_name_every_photo_once(listing_and_owner, make, order):
    listing, owner = listing_and_owner
    a, b = (photo.id for photo in photo_service.add_photos(
        listing.id, [PhotoUpload(f"{n}.jpg", image_bytes()) for n in "ab"], PHOTO, owner))
    other_owner = make.household()
    other = service.create_listing(listing_fields(), other_owner)
    foreign = add_photo(other.id, PhotoUpload("x.jpg", image_bytes()), other_owner).id
    named = {"none": [], "one": [b], "duplicate": [a, a], "foreign": [a, foreign]}[order]
    with pytest.raises(ValidationFailed, match="每张照片"):
        photo_service.reorder_photos(listing.id, named, owner)
    assert order_of(listing.id) == [a, b]
    with pytest.raises(NotFound):
        photo_service.delete_photo(listing.id, foreign, owner)


def test_only_the_owner_side_manages_photos(listing_and_owner, make):
    listing, owner = listing_and_owner
    photo = add_photo(listing.id, PhotoUpload("1.jpg", image_bytes()), owner)
    with pytest.raises(NotFound):
        photo_service.delete_photo(listing.id, photo.id, make.household())
    with pytest.raises(Forbidden):
        photo_service.delete_photo(listing.id, photo.id, make.staff(Role.BUREAU_ADMIN))
    assert order_of(listing.id) == [photo.id]


def test_files_no_photo_names_are_swept_after_the_grace(app, listing_and_owner, tmp_path):
    listing, owner = listing_and_owner
    # A store of its own: the suite's shared bucket holds other tests' files, whose rows are gone.
    app.extensions["file_store"] = LocalFileStore(tmp_path / "files")
    kept, deleted = photo_service.add_photos(
        listing.id, [PhotoUpload(f"{n}.jpg", image_bytes()) for n in "ab"], PHOTO, owner)
    kept_key, deleted_key = kept.storage_key, deleted.storage_key
    photo_service.delete_photo(listing.id, deleted.id, owner)
    store = file_store()
    assert photo_service.remove_unreferenced_files() == 0  # within the grace: an upload may be in flight
    assert photo_service.remove_unreferenced_files(utcnow() + timedelta(hours=2)) == 2
    for thumbnail in (False, True):
        assert store.stat(photo_key(kept_key, thumbnail)).size > 0
        with pytest.raises(Exception, match="."):
            store.get(photo_key(deleted_key, thumbnail))


def test_listing_json_carries_photos_cover_first_and_days_on_market(app, client, make):
    agent = make.staff(Role.AGENCY_STAFF, username="photo-agent")
    headers = token_for(client, "photo-agent")
    listing = service.create_listing(listing_fields(), agent)
    answer = client.post(f"/api/v1/listings/{listing.id}/photos", headers=headers, content_type="multipart/form-data",
                         data={"photos": [(io.BytesIO(image_bytes()), "a.jpg"), (io.BytesIO(image_bytes()), "b.jpg")],
                               "kind": "photo"})
    assert answer.status_code == 201
    first, second = (photo["id"] for photo in answer.get_json()["photos"])
    reordered = client.put(f"/api/v1/listings/{listing.id}/photos/order", headers=headers,
                           json={"photo_ids": [second, first]}).get_json()
    assert [photo["id"] for photo in reordered["photos"]] == [second, first]
    assert reordered["cover_photo_url"] == f"/photos/{second}"
    assert reordered["photos"][0]["thumbnail_url"] == f"/photos/{second}/thumb"
    assert reordered["days_on_market"] is None  # a draft is not on the market
    bad_kind = client.post(f"/api/v1/listings/{listing.id}/photos", headers=headers, content_type="multipart/form-data",
                           data={"photos": [(io.BytesIO(image_bytes()), "c.jpg")], "kind": "selfie"})
    assert bad_kind.status_code == 422
    deleted = client.delete(f"/api/v1/listings/{listing.id}/photos/{second}", headers=headers).get_json()
    assert deleted["cover_photo_url"] == f"/photos/{first}"
    listed = db.session.get(type(listing), listing.id)
    listed.status, listed.listed_at = ListingStatus.ACTIVE, utcnow() - timedelta(days=3)
    db.session.commit()
    public = client.get(f"/api/v1/listings/{listing.id}").get_json()
    assert public["days_on_market"] == 3
    assert public["listed_at"].startswith((utcnow() - timedelta(days=3)).date().isoformat()[:4])
