"""Second-hand listing pages: public detail and verification, and the owner side's management."""
from __future__ import annotations

import io

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from ..db.base import utcnow
from ..db.models import ListingStatus, PhotoKind, Role
from ..db.models.listings import ON_MARKET_STATES
from ..domain.fields import MAX_ID, display_text, optional_integer, page_number
from ..domain.listing_fields import LISTING_FIELDS
from ..domain.listing_lifecycle import STATUS_LABELS, targets_for
from ..domain.timezones import days_on_market
from ..security.access import public, roles
from ..services import favourites, listings, photos, viewings
from ..services.errors import ServiceError, ValidationFailed
from ..services.listing_import import listing_values
from .field_forms import form_class, submitted_values
from .page_actions import form_submission

blueprint = Blueprint("listings", __name__)
owner_side = roles(Role.HOUSEHOLD, Role.AGENCY_STAFF)

HouseholdListingForm = form_class("HouseholdListingForm", LISTING_FIELDS, skip=("agency_reference",))
AgencyListingForm = form_class("AgencyListingForm", LISTING_FIELDS)


def _listing_form(**kwargs):
    form_type = AgencyListingForm if current_user.role == Role.AGENCY_STAFF else HouseholdListingForm
    return form_type(**kwargs)


# ----- public pages --------------------------------------------------------------------------

@blueprint.route("/listings/<int:listing_id>")
@public
def detail(listing_id: int):
    listing = listings.listing_for_viewing(listing_id, current_user)
    actor = listings.actor_for(listing, current_user)
    agents = listings.agents_for(listing) if current_user.is_authenticated and \
        current_user.role == Role.AGENCY_STAFF and actor else []
    return render_template(
        "listings/detail.html", listing=listing, actor=actor, agents=agents,
        targets=targets_for(listing.status.value, actor) if actor else [],
        status_labels=STATUS_LABELS, saved=favourites.is_favourite(listing.id, current_user),
        market_days=days_on_market(listing.listed_at, utcnow()) if listing.status in ON_MARKET_STATES else None,
        photo_kind_labels=photos.KIND_LABELS, max_photos=photos.MAX_PHOTOS,
        open_viewing=viewings.open_request_for(listing.id, current_user),
        min_photo_size=f"{photos.MIN_LONG_SIDE}×{photos.MIN_SHORT_SIDE}")


@blueprint.route("/verify", methods=["GET"])
@public
def verify_lookup():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("listings.verify", code=code))
    return render_template("listings/verify_lookup.html")


@blueprint.route("/verify/<code>")
@public
def verify(code: str):
    try:
        listing = listings.listing_by_verification_code(code)
    except ServiceError:
        return render_template("listings/verify.html", listing=None, code=code), 404
    return render_template("listings/verify.html", listing=listing, code=code, status_labels=STATUS_LABELS)


@blueprint.route("/listings/<int:listing_id>/qr.svg")
@public
def verification_qr(listing_id: int):
    listing = listings.listing_for_viewing(listing_id, current_user)
    if not listing.verification_code:
        abort(404)
    target = url_for("listings.verify", code=listing.verification_code, _external=True)
    buffer = io.BytesIO()
    segno.make(target, error="m").save(buffer, kind="svg", scale=4, border=2)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@blueprint.route("/photos/<int:photo_id>")
@public
def photo(photo_id: int):
    return _send_photo(photo_id, thumbnail=False)


@blueprint.route("/photos/<int:photo_id>/thumb")
@public
def photo_thumbnail(photo_id: int):
    return _send_photo(photo_id, thumbnail=True)


def _send_photo(photo_id: int, thumbnail: bool):
    stored, content = photos.photo_content(photo_id, thumbnail)
    listings.listing_for_viewing(stored.listing_id, current_user)
    return send_file(io.BytesIO(content), mimetype="image/jpeg", max_age=3600,
                     etag=f"{stored.storage_key}{'-thumb' if thumbnail else ''}")


@blueprint.route("/listings/<int:listing_id>/favourite", methods=["POST"])
@roles(Role.HOUSEHOLD)
def toggle_favourite(listing_id: int):
    saved = favourites.toggle_favourite(listing_id, current_user)
    flash("已收藏" if saved else "已取消收藏", "success")
    return redirect(url_for("listings.detail", listing_id=listing_id))


@blueprint.route("/my/favourites")
@roles(Role.HOUSEHOLD)
def my_favourites():
    return render_template("listings/favourites.html", listings=favourites.favourites_of(current_user),
                           status_labels=STATUS_LABELS)


# ----- the owner side: households and agencies -------------------------------------------------

BULK_TARGETS = ["submitted", "reserved", "sold", "withdrawn"]


@blueprint.route("/my/listings")
@owner_side
def my_listings():
    return _render_my_listings()


def _render_my_listings(failures: dict | None = None):
    status_filter = request.args.get("status", "")
    status = ListingStatus(status_filter) if status_filter in STATUS_LABELS else None
    result = listings.listings_of(current_user, status, page_number(request.args.get("page")))
    return render_template("listings/mine.html", page=result, listings=result.items, status_filter=status_filter,
                           status_labels=STATUS_LABELS, failures=failures, bulk_targets=BULK_TARGETS)


@blueprint.route("/my/listings/new", methods=["GET", "POST"])
@owner_side
def new_listing():
    form = _listing_form()
    if submission := form_submission(form, lambda: listings.create_listing(submitted_values(form, LISTING_FIELDS), current_user)):
        flash("房源草稿已保存。上传照片后，提交核验即可挂牌。", "success")
        return redirect(url_for("listings.detail", listing_id=submission.result.id))
    return render_template("listings/form.html", form=form, listing=None)


@blueprint.route("/my/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@owner_side
def edit_listing(listing_id: int):
    listing, _ = listings.listing_for_changing(listing_id, current_user)
    form = _listing_form(data={name: display_text(value) for name, value in listing_values(listing).items()})
    if form_submission(form, lambda: listings.update_listing(listing.id, submitted_values(form, LISTING_FIELDS), current_user)):
        flash("房源已更新", "success")
        return redirect(url_for("listings.detail", listing_id=listing.id))
    return render_template("listings/form.html", form=form, listing=listing)


@blueprint.route("/my/listings/<int:listing_id>/status", methods=["POST"])
@roles(Role.HOUSEHOLD, Role.AGENCY_STAFF, Role.BUREAU_ADMIN)
def change_status(listing_id: int):
    change = _status_change_from_form()
    listing = listings.change_status(listing_id, change, current_user)
    flash(f"房源状态：{STATUS_LABELS[listing.status.value]}" +
          (f"（{listing.verification_note}）" if listing.status == ListingStatus.SUBMITTED else ""), "success")
    return redirect(url_for("listings.detail", listing_id=listing.id))


@blueprint.route("/my/listings/bulk-status", methods=["POST"])
@owner_side
def bulk_status():
    ids = [number for value in request.form.getlist("listing_ids")
           if (number := optional_integer(value, 1, MAX_ID)) is not None]
    if not ids:
        flash("请先勾选要操作的房源", "error")
        return redirect(url_for("listings.my_listings"))
    results = listings.bulk_change_status(ids, _status_change_from_form(), current_user)
    failed = {listing_id: message for listing_id, message in results.items() if message}
    flash(f"已处理{len(results) - len(failed)}条房源" + (f"，{len(failed)}条未能变更" if failed else ""),
          "success" if not failed else "error")
    return _render_my_listings(failed)


def _status_change_from_form() -> listings.StatusChange:
    try:
        target = ListingStatus(request.form.get("target", ""))
    except ValueError:
        raise ValidationFailed("请选择有效的目标状态", {"target": ["请选择有效的目标状态"]}) from None
    return listings.StatusChange(target, request.form.get("reason", "").strip() or None)


@blueprint.route("/my/listings/<int:listing_id>/agent", methods=["POST"])
@roles(Role.AGENCY_STAFF)
def assign_agent(listing_id: int):
    agent_id = optional_integer(request.form.get("agent_id"), 1, MAX_ID)
    if agent_id is None:
        raise ValidationFailed("请选择经纪人", {"agent_id": ["请选择经纪人"]})
    listings.assign_agent(listing_id, agent_id, current_user)
    flash("已指派经纪人", "success")
    return redirect(url_for("listings.detail", listing_id=listing_id))


@blueprint.route("/my/listings/<int:listing_id>/photos", methods=["POST"])
@owner_side
def upload_photos(listing_id: int):
    uploads = [photos.PhotoUpload(file.filename, file.read())
               for file in request.files.getlist("photos") if file and file.filename]
    kind = PhotoKind.FLOOR_PLAN if request.form.get("kind") == PhotoKind.FLOOR_PLAN.value else PhotoKind.PHOTO
    try:
        added = photos.add_photos(listing_id, uploads, kind, current_user)
    except ValidationFailed as error:
        flash(error.message, "error")
    else:
        flash(f"已上传{len(added)}张{photos.KIND_LABELS[kind]}", "success")
    return _back_to_photos(listing_id)


@blueprint.route("/my/listings/<int:listing_id>/photos/<int:photo_id>", methods=["POST"])
@owner_side
def change_photo(listing_id: int, photo_id: int):
    """One form per photo: 设为封面, 前移, 后移 or 删除, named by the button pressed."""
    action = request.form.get("action")
    if action == "cover":
        photos.make_cover(listing_id, photo_id, current_user)
        flash("已设为封面", "success")
    elif action in ("earlier", "later"):
        photos.move_photo(listing_id, photo_id, -1 if action == "earlier" else 1, current_user)
        flash("照片顺序已调整", "success")
    elif action == "delete":
        photos.delete_photo(listing_id, photo_id, current_user)
        flash("照片已删除", "success")
    else:
        flash("请选择要对照片做的操作", "error")
    return _back_to_photos(listing_id)


def _back_to_photos(listing_id: int):
    return redirect(url_for("listings.detail", listing_id=listing_id, _anchor="photos-title"))
