"""Photo uploads are checked by content and re-encoded."""
import io

import pytest
from PIL import Image

from housing_swap.services import listings as service
from housing_swap.services.errors import ValidationFailed
from housing_swap.services.files import file_store, photo_key
from housing_swap.services.photos import PhotoUpload, add_photo, photo_content
from tests.listings.helpers import listing_fields


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
        assert max(stored_thumb.size) <= 400
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
