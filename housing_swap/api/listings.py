"""Second-hand listings over the API (the collection search lives with the search feature)."""
from __future__ import annotations

from flask import g, jsonify, request

from ..db.models import ListingStatus, PhotoKind, Role
from ..security.access import public, roles
from ..services import idempotency, listing_import, listings, photos
from ..services.errors import ValidationFailed
from ..services.spreadsheets import Upload
from . import api_blueprint, responses
from .responses import shaped
from .schemas import json_object
from .serializers import listing_json

owner_side = roles(Role.HOUSEHOLD, Role.AGENCY_STAFF)


@api_blueprint.post("/listings")
@owner_side
def create_listing():
    listing = listings.create_listing(json_object(), g.api_user)
    return jsonify(listing_json(listing, owner_view=True)), 201


@api_blueprint.get("/listings/<int:listing_id>")
@public
def get_listing(listing_id: int):
    listing = listings.listing_for_viewing(listing_id, g.api_user)
    return jsonify(listing_json(listing, owner_view=listings.actor_for(listing, g.api_user) is not None))


@api_blueprint.patch("/listings/<int:listing_id>")
@owner_side
def update_listing(listing_id: int):
    listing = listings.update_listing(listing_id, json_object(), g.api_user)
    return jsonify(listing_json(listing, owner_view=True))


@api_blueprint.post("/listings/<int:listing_id>/status")
@roles(Role.HOUSEHOLD, Role.AGENCY_STAFF, Role.BUREAU_ADMIN)
def change_listing_status(listing_id: int):
    body = json_object()
    try:
        target = ListingStatus(body.get("status"))
    except ValueError:
        raise ValidationFailed("status 取值无效", {"status": [f"应为 {', '.join(s.value for s in ListingStatus)} 之一"]}) from None
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed("reason 应为字符串", {"reason": ["应为字符串"]})
    listing = listings.change_status(listing_id, listings.StatusChange(target, reason), g.api_user)
    return jsonify(listing_json(listing, owner_view=True))


@api_blueprint.post("/listings/import")
@roles(Role.AGENCY_STAFF)
def import_listings():
    uploaded = request.files.get("file")
    if uploaded is None or not uploaded.filename:
        raise ValidationFailed("请以 multipart 字段 file 上传CSV或XLSX文件", {"file": ["必填"]})
    mode_value = request.form.get("mode", listing_import.ImportMode.ALL_OR_NOTHING.value)
    if mode_value not in tuple(listing_import.ImportMode):
        raise ValidationFailed("mode 取值无效", {"mode": ["应为 all_or_nothing 或 valid_rows"]})
    upload = Upload(uploaded.filename, uploaded.read())
    mode = listing_import.ImportMode(mode_value)

    def run() -> tuple[int, dict]:
        return 200, shaped(responses.ImportResult, listing_import.import_listings(upload, g.api_user, mode).as_dict())

    status, body = idempotency.run_once(
        g.api_user, request.headers.get("Idempotency-Key"),
        idempotency.fingerprint(b"listings.import", mode.value.encode(), upload.content), run)
    return jsonify(body), status


@api_blueprint.post("/listings/<int:listing_id>/photos")
@owner_side
def add_listing_photos(listing_id: int):
    uploads = [photos.PhotoUpload(file.filename or "photo", file.read())
               for file in request.files.getlist("photos") if file]
    if not uploads:
        raise ValidationFailed("请以 multipart 字段 photos 上传一张或多张照片", {"photos": ["必填"]})
    try:
        kind = PhotoKind(request.form.get("kind", PhotoKind.PHOTO.value))
    except ValueError:
        raise ValidationFailed("kind 取值无效", {"kind": [f"应为 {', '.join(k.value for k in PhotoKind)} 之一"]}) from None
    photos.add_photos(listing_id, uploads, kind, g.api_user)
    return jsonify(listing_json(listings.listing_for_viewing(listing_id, g.api_user), owner_view=True)), 201


@api_blueprint.put("/listings/<int:listing_id>/photos/order")
@owner_side
def order_listing_photos(listing_id: int):
    photo_ids = json_object().get("photo_ids")
    if not isinstance(photo_ids, list) or not all(type(item) is int for item in photo_ids):
        raise ValidationFailed("photo_ids 应为照片编号的数组", {"photo_ids": ["应为整数数组"]})
    photos.reorder_photos(listing_id, photo_ids, g.api_user)
    return jsonify(listing_json(listings.listing_for_viewing(listing_id, g.api_user), owner_view=True))


@api_blueprint.delete("/listings/<int:listing_id>/photos/<int:photo_id>")
@owner_side
def delete_listing_photo(listing_id: int, photo_id: int):
    photos.delete_photo(listing_id, photo_id, g.api_user)
    return jsonify(listing_json(listings.listing_for_viewing(listing_id, g.api_user), owner_view=True))
