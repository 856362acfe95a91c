"""Listing photos: checked by content, re-encoded, stored under generated names.

Re-encoding through Pillow keeps only the pixels: metadata, trailing bytes and anything
smuggled after the image data are dropped. Files live in the shared file store (never the
static folder) and are served by a view that checks the listing may be seen and sets their
type itself. The files are written before the photo's row commits, so a committed photo always
has its files; a refused upload may leave unreferenced files under random names, never a row
without its file. Deleting a photo deletes its row only: the daily sweep
(:func:`remove_unreferenced_files`) removes files no row names, so a rolled-back delete never
loses a file.
"""
from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from ..db.base import utcnow
from ..db.models import Listing, ListingPhoto, PhotoKind, User
from ..domain.listing_lifecycle import Actor
from ..domain.text import printable
from ..extensions import db
from ..storage import FileMissing
from .audit import record_event
from .errors import Forbidden, NotFound, ValidationFailed
from .files import PHOTO_FOLDER, file_store, photo_key, storage_key_of
from .listings import listing_for_changing
from .unit_of_work import use_case

MAX_PHOTOS = 20
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Below this a photo is too small to show a room on a listing page; portrait photos count too.
MIN_LONG_SIDE, MIN_SHORT_SIDE = 640, 480
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
FULL_SIZE = 1600
THUMB_SIZE = 320  # cards show 160×120 CSS pixels: 2× for sharp screens, light pages
JPEG = "image/jpeg"
# A file written for an upload whose row never committed is removed after this long (the wait
# covers an upload still in flight: its files are written before its row commits).
UNREFERENCED_GRACE = timedelta(hours=1)
KIND_LABELS = {PhotoKind.PHOTO: "实景照片", PhotoKind.FLOOR_PLAN: "户型图"}


@dataclass(frozen=True)
class PhotoUpload:
    filename: str
    content: bytes


@use_case
def add_photos(listing_id: int, uploads: list[PhotoUpload], kind: PhotoKind, user: User) -> list[ListingPhoto]:
    """Add several photos at once, after the last ones; all are checked before any is kept."""
    listing = _listing_for_photos(listing_id, user)
    if not uploads:
        raise _photo_error("请选择要上传的照片")
    if len(listing.photos) + len(uploads) > MAX_PHOTOS:
        raise _photo_error(f"每条房源最多{MAX_PHOTOS}张照片，已有{len(listing.photos)}张，"
                           f"这次最多还能上传{MAX_PHOTOS - len(listing.photos)}张")
    images = [_named_check(upload) for upload in uploads]
    added = []
    for upload, image in zip(uploads, images, strict=True):
        photo = stored_photo(image, kind, printable(upload.filename)[:255], position=len(listing.photos))
        photo.uploaded_by_user_id = user.id
        listing.photos.append(photo)
        added.append(photo)
    db.session.flush()
    record_event("listing.photo_add", "listing", listing.id, actor=user,
                 after={"photo_ids": [photo.id for photo in added], "kind": kind.value})
    return added


@use_case
def reorder_photos(listing_id: int, photo_ids: list[int], user: User) -> list[ListingPhoto]:
    """Put the listing's photos in the given order; the first becomes the cover."""
    listing = _listing_for_photos(listing_id, user)
    current = [photo.id for photo in listing.photos]
    if sorted(photo_ids) != sorted(current):
        raise ValidationFailed("照片顺序须包含这条房源的每张照片，且每张只出现一次",
                               {"photo_ids": ["须列出这条房源的全部照片，不多不少"]})
    _put_in_order(listing, photo_ids, user, current)
    return listing.photos


@use_case
def move_photo(listing_id: int, photo_id: int, steps: int, user: User) -> None:
    """Move a photo ``steps`` places (negative: towards the cover), stopping at either end."""
    listing = _listing_for_photos(listing_id, user)
    order = [photo.id for photo in listing.photos]
    index = _index_of(order, photo_id)
    order.insert(max(0, min(len(order) - 1, index + steps)), order.pop(index))
    _put_in_order(listing, order, user, [photo.id for photo in listing.photos])


@use_case
def make_cover(listing_id: int, photo_id: int, user: User) -> None:
    listing = _listing_for_photos(listing_id, user)
    order = [photo.id for photo in listing.photos]
    order.insert(0, order.pop(_index_of(order, photo_id)))
    _put_in_order(listing, order, user, [photo.id for photo in listing.photos])


@use_case
def delete_photo(listing_id: int, photo_id: int, user: User) -> None:
    """Remove a photo from the listing; its files go with the next sweep of unreferenced files."""
    listing = _listing_for_photos(listing_id, user)
    photo = listing.photos[_index_of([p.id for p in listing.photos], photo_id)]
    listing.photos.remove(photo)
    db.session.delete(photo)
    for position, remaining in enumerate(listing.photos):
        remaining.position = position
    record_event("listing.photo_delete", "listing", listing.id, actor=user,
                 before={"photo_id": photo.id, "kind": photo.kind.value})


def remove_unreferenced_files(now: datetime | None = None) -> int:
    """Delete photo files no photo row names (refused or deleted uploads), once past the grace."""
    store = file_store()
    cutoff = (now or utcnow()) - UNREFERENCED_GRACE
    stale = [stored.key for stored in store.list(PHOTO_FOLDER) if stored.modified_at < cutoff]
    named = _storage_keys_in_use({storage_key_of(key) for key in stale})
    removed = 0
    for key in stale:
        if storage_key_of(key) not in named:
            store.delete(key)
            removed += 1
    return removed


def _storage_keys_in_use(candidates: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(candidates)
    for start in range(0, len(ordered), 500):
        found.update(db.session.scalars(select(ListingPhoto.storage_key).where(
            ListingPhoto.storage_key.in_(ordered[start:start + 500]))))
    return found


def _listing_for_photos(listing_id: int, user: User) -> Listing:
    """The listing, locked so that two uploads or reorders at once cannot interleave positions."""
    listing, actor = listing_for_changing(listing_id, user)
    if actor != Actor.OWNER_SIDE:
        raise Forbidden("只有房主或其经纪机构可以管理房源照片")
    db.session.refresh(listing, with_for_update=True)
    return listing


def _index_of(order: list[int], photo_id: int) -> int:
    try:
        return order.index(photo_id)
    except ValueError:
        raise NotFound("照片不存在，或不属于这条房源") from None


def _put_in_order(listing: Listing, order: list[int], user: User, before: list[int]) -> None:
    by_id = {photo.id: photo for photo in listing.photos}
    for position, photo_id in enumerate(order):
        by_id[photo_id].position = position
    listing.photos.sort(key=lambda photo: photo.position)
    if order != before:
        record_event("listing.photo_order", "listing", listing.id, actor=user,
                     before={"photo_ids": before}, after={"photo_ids": order})


def _named_check(upload: PhotoUpload) -> Image.Image:
    """Check one upload; a refusal names the file, since several are checked together."""
    try:
        return _checked_image(upload.content)
    except ValidationFailed as refused:
        message = f"“{printable(upload.filename)[:60]}”：{refused.message}"
        raise _photo_error(message) from None


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
    upright = ImageOps.exif_transpose(image)
    if max(upright.size) < MIN_LONG_SIDE or min(upright.size) < MIN_SHORT_SIDE:
        raise _photo_error(f"照片分辨率过低（{upright.width}×{upright.height}像素），"
                           f"请上传至少{MIN_LONG_SIDE}×{MIN_SHORT_SIDE}像素的照片")
    return upright


def stored_photo(image: Image.Image, kind: PhotoKind, name: str, position: int) -> ListingPhoto:
    """Write a checked image's full size and thumbnail to the file store; the row that names
    them, for the caller to add to a listing."""
    key = secrets.token_hex(16)
    full, thumb = _reencode(image, FULL_SIZE), _reencode(image, THUMB_SIZE)
    _write(key, full, thumb)
    return ListingPhoto(storage_key=key, original_name=name, width=image.width, height=image.height,
                        byte_size=len(full), kind=kind, position=position)


def _reencode(image: Image.Image, longest_side: int) -> bytes:
    copy = image.convert("RGB")
    copy.thumbnail((longest_side, longest_side))
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=85 if longest_side > THUMB_SIZE else 72, optimize=True,
              progressive=longest_side > THUMB_SIZE)
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
