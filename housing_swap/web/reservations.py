"""锁房保留: a household reserves a matched unit from its application; the three parties follow the
agreement on its own page; each party's list shows its agreements by state."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.models import Role
from ..domain.fields import MAX_ID, optional_integer
from ..domain.reservations import Move, Party, ReservationStatus, terms_from
from ..security.access import roles
from ..services import applications, reservations
from ..services.errors import ServiceError, ValidationFailed
from ..services.rules import latest_rules
from .page_actions import flash_outcome

blueprint = Blueprint("reservations", __name__)
parties_and_readers = roles(Role.HOUSEHOLD, Role.DEVELOPER_STAFF, Role.AGENCY_STAFF, Role.BUREAU_ADMIN,
                            Role.CITY_GROUP_OFFICER)
SUCCESS = {Move.ACCEPT: "已确认锁房保留协议", Move.WITHDRAW: "协议已撤回，定金全额退还，房屋恢复可售",
           Move.END: "保留已提前结束，定金按约定退还，房屋恢复可售",
           Move.CITY_GROUP: "已转由城发集团收购旧房，新房继续为您保留；城发集团报价不低于保底价（以评估为准）"}


@blueprint.route("/reservations/new", methods=["GET", "POST"])
@roles(Role.HOUSEHOLD)
def new_reservation():
    application_id = optional_integer(request.values.get("application_id"), 1, MAX_ID)
    unit_id = optional_integer(request.values.get("unit_id"), 1, MAX_ID)
    if application_id is None or unit_id is None:
        abort(404)
    unit = reservations.unit_to_reserve(unit_id)
    application = applications.application_for_changing(application_id, current_user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            reservation = reservations.propose(request.form.to_dict(), current_user)
        except ValidationFailed as problems:
            errors = problems.details
        except ServiceError as refused:
            flash(refused.message, "error")
            return redirect(url_for("applications.detail", application_id=application.id, _anchor="matches"))
        else:
            flash("锁房保留协议已提出，房屋已为您保留；开发企业和经纪机构确认后保留期开始", "success")
            return redirect(url_for("reservations.detail", reservation_id=reservation.id))
    _, rules = latest_rules()
    return render_template("reservations/new.html", application=application, unit=unit,
                           unit_label=reservations.unit_label(unit), agencies=reservations.operational_agencies(),
                           terms=terms_from(rules, rules.reservation_deposit_min), rules=rules,
                           floor=reservations.backstop_offer(application), errors=errors, form=request.form), \
        422 if errors else 200


@blueprint.route("/reservations")
@parties_and_readers
def index():
    status = request.args.get("status", "")
    chosen = ReservationStatus(status) if status in ReservationStatus.labels() else None
    return render_template("reservations/index.html", items=reservations.reservations_for(current_user, chosen),
                           chosen=chosen, statuses=ReservationStatus, unit_label=reservations.unit_label)


@blueprint.route("/reservations/<int:reservation_id>")
@parties_and_readers
def detail(reservation_id: int):
    view = reservations.reservation_for(reservation_id, current_user)
    return render_template("reservations/detail.html", view=view, reservation=view.reservation, Move=Move,
                           Party=Party, unit_label=reservations.unit_label(view.reservation.unit),
                           accepted=reservations.accepted_parties(view.reservation))


@blueprint.route("/reservations/<int:reservation_id>/<any(accept, withdraw, end, city_group):move>", methods=["POST"])
@parties_and_readers
def act(reservation_id: int, move: str):
    chosen = Move(move)
    flash_outcome(lambda: reservations.act(reservation_id, chosen, current_user, request.form.get("note", "")),
                  SUCCESS[chosen])
    return redirect(url_for("reservations.detail", reservation_id=reservation_id))
