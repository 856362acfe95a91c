"""Bureau work on listings: the title registry and listings waiting for manual verification."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.models import Role
from ..security.access import roles
from ..services import listings, title_registry
from .page_actions import imported

blueprint = Blueprint("bureau", __name__, url_prefix="/bureau")
bureau_only = roles(Role.BUREAU_ADMIN)


REGISTRY_COLUMNS = {"columns": title_registry.REQUIRED_COLUMNS,
                    "optional_columns": [f.label for f in title_registry.REGISTRY_FIELDS if not f.required]}


@blueprint.route("/title-registry", methods=["GET", "POST"])
@bureau_only
def title_registry_import():
    if request.method == "GET":
        return render_template("bureau/title_registry.html", **REGISTRY_COLUMNS)
    result = imported("bureau/title_registry.html", "请选择登记簿文件",
                      lambda upload: title_registry.import_title_registry(upload, current_user), **REGISTRY_COLUMNS)
    flash(f"登记簿已导入：新增{result.added}条，更新{result.updated}条", "success")
    return redirect(url_for("bureau.title_registry_import"))


@blueprint.route("/listings/pending")
@bureau_only
def pending_listings():
    return render_template("bureau/pending.html", listings=listings.listings_awaiting_verification())


@blueprint.route("/listings/<int:listing_id>/verify", methods=["POST"])
@bureau_only
def verify_listing(listing_id: int):
    listings.verify_by_hand(listing_id, current_user, request.form.get("note", ""))
    flash("已核验通过，房源已挂牌", "success")
    return redirect(url_for("bureau.pending_listings"))
