"""Swap application pages: apply, follow the timeline, see the valuation, matches and cash gap."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.models import Channel, Role
from ..domain.acquisitions import STATUS_LABELS as ACQUISITION_LABELS
from ..domain.applications import APPLICATION_FIELDS, CHANNEL_LABELS, STATUS_LABELS
from ..domain.fields import MAX_ID, optional_integer
from ..domain.milestones import Milestone
from ..domain.rules import district_list_text
from ..security.access import roles
from ..services import (
    acquisitions,
    applications,
    chain_milestones,
    chains,
    joined_homes,
    matching,
    net_proceeds,
    quota_queue,
    reservations,
    valuation,
)
from ..services.errors import Conflict
from .field_forms import form_class, submitted_values
from .page_actions import flash_outcome, form_submission

blueprint = Blueprint("applications", __name__)
household = roles(Role.HOUSEHOLD)
ApplicationForm = form_class("ApplicationForm", APPLICATION_FIELDS)


@blueprint.route("/applications")
@household
def mine():
    return render_template("applications/mine.html", applications=applications.applications_of(current_user),
                           status_labels=STATUS_LABELS)


@blueprint.route("/applications/new", methods=["GET", "POST"])
@household
def new_application():
    listing_id = optional_integer(request.values.get("listing_id"), 1, MAX_ID)
    prefill = applications.prefill_from_listing(listing_id, current_user) \
        if listing_id is not None and request.method == "GET" else {}
    form = ApplicationForm(data=prefill or None)
    if submission := form_submission(form, lambda: applications.create_application(
            {**submitted_values(form, APPLICATION_FIELDS), "listing_id": listing_id}, current_user)):
        flash("申请草稿已保存，核对无误后请提交。", "success")
        return redirect(url_for("applications.detail", application_id=submission.result.id))
    return render_template("applications/form.html", form=form, application=None, listing_id=listing_id)


@blueprint.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@household
def edit_application(application_id: int):
    application = applications.application_for_changing(application_id, current_user)
    form = ApplicationForm(data=_form_values(application))
    if form_submission(form, lambda: applications.update_application(application.id, submitted_values(form, APPLICATION_FIELDS), current_user)):
        flash("申请已更新", "success")
        return redirect(url_for("applications.detail", application_id=application.id))
    return render_template("applications/form.html", form=form, application=application, listing_id="")


def _form_values(application) -> dict[str, str]:
    yes_no = lambda value: "是" if value else "否"  # noqa: E731
    money = lambda value: "" if value is None else str(value)  # noqa: E731
    return {"community": application.old_community_name, "district_code": application.old_district_code,
            "area_m2": str(application.old_area_m2), "build_year": str(application.old_build_year),
            "bedrooms": str(application.old_bedrooms), "floor": str(application.old_floor),
            "total_floors": str(application.old_total_floors), "has_elevator": yes_no(application.old_has_elevator),
            "certificate_number": application.old_certificate_number, "seized": yes_no(application.old_seized),
            "remaining_mortgage": money(application.remaining_mortgage), "savings": money(application.savings),
            "max_loan": money(application.max_loan),
            "wanted_districts": district_list_text(tuple(application.wanted_districts or ())),
            "min_area_m2": money(application.min_area_m2), "min_bedrooms": money(application.min_bedrooms),
            "budget_max": money(application.budget_max),
            "move_in_by": application.move_in_by.isoformat() if application.move_in_by else "",
            "needs_elevator": yes_no(application.needs_elevator),
            "channel_preference": CHANNEL_LABELS[application.channel_preference]}


@blueprint.route("/applications/<int:application_id>")
@roles(Role.HOUSEHOLD, Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)
def detail(application_id: int):
    application = applications.application_for_viewing(application_id, current_user)
    context = {"application": application, "status_labels": STATUS_LABELS, "channel_labels": CHANNEL_LABELS,
               "acquisition": acquisitions.live_acquisition_of(application), "acquisition_labels": ACQUISITION_LABELS,
               "valuation": None, "matches": None, "match_project": None, "buyers": None, "gap": None, "chosen_unit": None,
               **_joined_context(application)}
    if application.status in matching.MATCHABLE:
        context["valuation"] = valuation.valuation_or_none(application)
        project = optional_integer(request.args.get("project"), 1, MAX_ID)
        context["matches"] = matching.new_home_matches(application, project_id=project)
        context["match_project"] = project
        context["buyers"] = matching.old_home_buyers(application, context["valuation"])
        context.update(_reservation_context(application, context["valuation"]))
        context["queue_position"] = quota_queue.waiting_position(application)
        chosen = optional_integer(request.args.get("unit"), 1, MAX_ID)
        if chosen is not None:
            context["chosen_unit"] = chosen
            context["gap"] = matching.cash_gap_for_unit(application, chosen)
    return render_template("applications/detail.html", **context)


def _joined_context(application) -> dict:
    """The bundle this home belongs to (lead first), and the household's other applications it may join."""
    bundle = joined_homes.bundle_of(application)
    return {"bundle": bundle if len(bundle) > 1 else [],
            "join_choices": [] if len(bundle) > 1 or current_user.id != application.household_user_id
            else joined_homes.join_choices(application)}


@blueprint.route("/applications/<int:application_id>/join", methods=["POST"])
@household
def join(application_id: int):
    flash_outcome(lambda: joined_homes.join(application_id, request.form.to_dict(), current_user),
                  lambda home: f"已并入申请{home.joined_to_id}：两套旧房合并购买一套新房，新房匹配与资金测算见主申请")
    return redirect(url_for("applications.detail", application_id=application_id))


@blueprint.route("/applications/<int:application_id>/leave", methods=["POST"])
@household
def leave(application_id: int):
    flash_outcome(lambda: joined_homes.leave(application_id, current_user), "已解除合并，两份申请各自办理")
    return redirect(url_for("applications.detail", application_id=application_id))


def _reservation_context(application, valuation) -> dict:
    """The backstop floor shown up front, and whether the household may reserve a matched unit."""
    holding = reservations.holding_of(application.id)
    return {"backstop_floor": reservations.backstop_offer(application, valuation), "reservation": holding,
            "reservation_unit": reservations.unit_label(holding.unit) if holding else None,
            "may_reserve": holding is None and current_user.role == Role.HOUSEHOLD
            and Channel.MARKET.value in (application.eligible_channels or [])}


@blueprint.route("/applications/<int:application_id>/net-proceeds")
@roles(Role.HOUSEHOLD, Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)
def net_proceeds_page(application_id: int):
    """Selling to the city group or on the market, side by side; a case not ready yet says why on the page."""
    application = applications.application_for_viewing(application_id, current_user)
    try:
        result, problem = net_proceeds.net_proceeds(application), None
    except Conflict as refused:
        result, problem = None, refused.message
    return render_template("applications/net_proceeds.html", application=application, result=result,
                           problem=problem, channel_labels=CHANNEL_LABELS)


@blueprint.route("/applications/<int:application_id>/submit", methods=["POST"])
@household
def submit(application_id: int):
    application = applications.submit_application(application_id, current_user)
    flash("申请已提交并完成资格审核。" if application.eligible_channels else
          "申请已提交，但暂不符合条件，原因见下方。", "success" if application.eligible_channels else "error")
    return redirect(url_for("applications.detail", application_id=application_id))


@blueprint.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@household
def withdraw(application_id: int):
    applications.withdraw_application(application_id, current_user)
    flash("申请已撤回", "success")
    return redirect(url_for("applications.detail", application_id=application_id))


@blueprint.route("/chains")
@household
def my_chains():
    proposals = chains.proposals_for(current_user)
    milestones = {p.id: chain_milestones.milestones_of(p.id, current_user) for p in proposals
                  if p.status.value == "agreed"}
    return render_template("applications/chains.html", proposals=proposals, milestones=milestones,
                           milestone_kinds=Milestone)


@blueprint.route("/chains/<int:proposal_id>/milestones", methods=["POST"])
@household
def record_milestone(proposal_id: int):
    flash_outcome(lambda: chain_milestones.record_milestone(proposal_id, request.form.to_dict(), current_user),
                  "已登记进度")
    return redirect(url_for("applications.my_chains", _anchor=f"chain-{proposal_id}"))


@blueprint.route("/chains/<int:proposal_id>/<any(accept, decline):answer>", methods=["POST"])
@household
def answer_chain(proposal_id: int, answer: str):
    chains.decide_link(proposal_id, current_user, accept=answer == "accept")
    flash("已确认参加连环单" if answer == "accept" else "已拒绝该连环单", "success")
    return redirect(url_for("applications.my_chains"))
