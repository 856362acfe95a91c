"""Listing photos: checked by content, re-encoded, stored under generated names.

Re-encoding through Pillow keeps only the pixels: metadata, trailing bytes and anything
smuggled after the image data are dropped. Files live in the shared file store (never the
static folder) and are served by a view that checks the listing may be seen and sets their
type itself. The files are written before the photo's row commits, so a committed photo always
has its files; a refused upload may leave unreferenced files under random names, never a row
without its file.
"""
from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ..db.models import ListingPhoto, User
from ..extensions import db
from ..storage import FileMissing
from .audit import record_event
from .errors import NotFound, ValidationFailed
from .files import file_store, photo_key
from .listings import listing_for_changing
from .unit_of_work import use_case

MAX_PHOTOS = 20
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
FULL_SIZE = 1600
THUMB_SIZE = 400
JPEG = "image/jpeg"


@dataclass(frozen=True)
class PhotoUpload:
    filename: str
    content: bytes


@use_case
def add_photo(listing_id: int, upload: PhotoUpload, user: User) -> ListingPhoto:
    listing, _ = listing_for_changing(listing_id, user)
    if len(listing.photos) >= MAX_PHOTOS:
        raise _photo_error(f"每条房源最多{MAX_PHOTOS}张照片")
    image = _checked_image(upload.content)
    key = secrets.token_hex(16)
    full, thumb = _reencode(image, FULL_SIZE), _reencode(image, THUMB_SIZE)
    photo = ListingPhoto(listing_id=listing.id, storage_key=key, original_name=upload.filename[:255],
                         width=image.width, height=image.height, byte_size=len(full),
                         position=len(listing.photos), uploaded_by_user_id=user.id)
    db.session.add(photo)
    db.session.flush()
    _write(key, full, thumb)
    record_event("listing.photo_add", "listing", listing.id, actor=user,
                 after={"photo_id": photo.id, "bytes": len(full)})
    return photo


def _checked_image(content: bytes) -> Image.Image:
    if len(content) > MAX_BYTES:
        raise _photo_error(f"照片不能超过{MAX_BYTES // 1024 // 1024}MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(content))
            if probe.format not in ALLOWED_FORMATS:
                raise _photo_error("只支持JPEG、PNG或WebP格式的照片")
            if probe.width * probe.height > MAX_PIXELS:
                raise _photo_error("照片像素过多（超过4000万像素），请缩小后再上传")
            probe.verify()
            image = Image.open(io.BytesIO(content))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError):
        raise _photo_error("文件不是有效的图片，或图片已损坏") from None
    return ImageOps.exif_transpose(image)


def _reencode(image: Image.Image, longest_side: int) -> bytes:
    copy = image.convert("RGB")
    copy.thumbnail((longest_side, longest_side))
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def _write(key: str, full: bytes, thumb: bytes) -> None:
    store = file_store()
    store.put(photo_key(key, thumbnail=False), full, JPEG)
    store.put(photo_key(key, thumbnail=True), thumb, JPEG)


def photo_content(photo_id: int, thumbnail: bool) -> tuple[ListingPhoto, bytes]:
    photo = db.session.get(ListingPhoto, photo_id)
    if photo is None:
        raise NotFound("照片不存在")
    try:
        return photo, file_store().get(photo_key(photo.storage_key, thumbnail))
    except FileMissing:
        raise NotFound("照片文件不存在") from None


def _photo_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"photo": [message]})
