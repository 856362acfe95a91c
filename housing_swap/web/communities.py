"""The public community page (小区): its listings, prices as aggregates, swap projects nearby."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..db.base import utcnow
from ..domain.listing_lifecycle import STATUS_LABELS
from ..domain.timezones import beijing_date
from ..security.access import public
from ..services import communities

blueprint = Blueprint("communities", __name__)


@blueprint.route("/communities/<int:community_id>")
@public
def detail(community_id: int):
    profile = communities.community_profile(community_id, beijing_date(utcnow()))
    return render_template("communities/detail.html", profile=profile, community=profile.community,
                           status_labels=STATUS_LABELS, min_public_sales=communities.MIN_PUBLIC_SALES,
                           sales_months=communities.SALES_MONTHS, nearby_km=communities.NEARBY_KM)
