"""The public self-check page: enter the facts, see the decision and every reason."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ..domain.districts import ZHENGZHOU_DISTRICTS
from ..security.access import public
from ..services import eligibility
from ..services.errors import ValidationFailed

blueprint = Blueprint("eligibility", __name__)


@blueprint.route("/eligibility", methods=["GET", "POST"])
@public
def self_check():
    answer, errors, form = None, {}, request.form
    if request.method == "POST":
        new_home = ({"district_code": form.get("new_district_code"), "total_price": form.get("new_total_price")}
                    if form.get("new_total_price") else None)
        body = {"channel": form.get("channel"), "decision_date": form.get("decision_date"),
                "old_home": {"district_code": form.get("district_code"), "build_year": form.get("build_year"),
                             "area_m2": form.get("area_m2"), "seized": form.get("seized") == "true",
                             "price": form.get("price") or None},
                "new_home": new_home}
        try:
            answer = eligibility.check(body)
        except ValidationFailed as error:
            errors = error.details
    return render_template("eligibility/self_check.html", answer=answer, errors=errors, form=form,
                           districts=ZHENGZHOU_DISTRICTS), 422 if errors else 200
