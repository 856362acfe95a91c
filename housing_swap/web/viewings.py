"""看房预约: a household asks to view a listing from its page; both sides follow the request on
its own page, and the owner side's list puts the soonest-due requests first."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.base import utcnow
from ..db.models import Role
from ..domain.fields import page_number
from ..domain.viewings import MAX_TIMES, Move, Side, ViewingStatus, moves_for
from ..security.access import roles
from ..services import viewings
from ..services.errors import ServiceError
from .page_actions import flash_outcome

blueprint = Blueprint("viewings", __name__)
owner_or_household = roles(Role.HOUSEHOLD, Role.AGENCY_STAFF)
SUCCESS = {Move.ACCEPT: "已确认看房时间，现在可以查看对方电话", Move.PROPOSE: "已提出新的看房时间，等待对方确认",
           Move.DECLINE: "已婉拒这条预约", Move.WITHDRAW: "已撤回预约"}


@blueprint.route("/listings/<int:listing_id>/viewing-requests", methods=["POST"])
@roles(Role.HOUSEHOLD)
def request_viewing(listing_id: int):
    try:
        viewing = viewings.request_viewing(listing_id, _form_times(), request.form.get("note", ""), current_user)
    except ServiceError as refused:
        flash(refused.message, "error")
        return redirect(url_for("listings.detail", listing_id=listing_id, _anchor="viewing-title"))
    flash("已发出看房预约，房源方答复后会通知您", "success")
    return redirect(url_for("viewings.detail", request_id=viewing.id))


@blueprint.route("/viewings")
@owner_or_household
def index():
    status = request.args.get("status", "")
    chosen = ViewingStatus(status) if status in ViewingStatus.labels() else None
    page = page_number(request.args.get("page"))
    received = viewings.requests_received_by(current_user, chosen, page)
    made = viewings.requests_made_by(current_user) if current_user.role == Role.HOUSEHOLD else None
    return render_template("viewings/index.html", received=received, made=made, chosen=chosen,
                           statuses=ViewingStatus, now=utcnow())


@blueprint.route("/viewings/<int:request_id>")
@owner_or_household
def detail(request_id: int):
    return _detail_page(request_id)


@blueprint.route("/viewings/<int:request_id>/answer", methods=["POST"])
@owner_or_household
def answer(request_id: int):
    try:
        move = Move(request.form.get("move", ""))
    except ValueError:
        move = None
    if move not in SUCCESS:
        flash("请选择要进行的操作", "error")
    else:
        flash_outcome(lambda: viewings.answer(request_id, viewings.Answer(
            move, tuple(_answer_times(move)), request.form.get("note", "")), current_user), SUCCESS[move])
    return redirect(url_for("viewings.detail", request_id=request_id))


@blueprint.route("/viewings/<int:request_id>/block", methods=["POST"])
@owner_or_household
def block(request_id: int):
    flash_outcome(lambda: viewings.block_requester(request_id, current_user),
                  "已不再接受这位预约人的看房预约")
    return redirect(url_for("viewings.detail", request_id=request_id))


@blueprint.route("/viewings/<int:request_id>/contact", methods=["POST"])
@owner_or_household
def contact(request_id: int):
    """The other side's number is drawn on this answer only (not kept in the session or a redirect)."""
    try:
        revealed = viewings.reveal_contact(request_id, current_user)
    except ServiceError as refused:
        flash(refused.message, "error")
        return redirect(url_for("viewings.detail", request_id=request_id))
    return _detail_page(request_id, contact=revealed)


def _detail_page(request_id: int, contact: viewings.Contact | None = None):
    viewing, side = viewings.viewing_for(request_id, current_user)
    return render_template("viewings/detail.html", viewing=viewing, side=side, Side=Side, Move=Move,
                           moves=moves_for(viewing.status, side), times=viewings.times_of(viewing),
                           contact=contact, max_times=MAX_TIMES)


def _form_times() -> list[datetime]:
    """The page's datetime-local fields (Beijing time); empty ones are skipped."""
    return viewings.parsed_times([request.form.get(f"time_{n}", "") for n in range(1, MAX_TIMES + 1)],
                                 naive_is_beijing=True)


def _answer_times(move: Move) -> list[datetime]:
    if move == Move.ACCEPT:  # a radio button carrying one of the proposed times, with its offset
        return viewings.parsed_times([request.form.get("time", "")], naive_is_beijing=False)
    return _form_times() if move == Move.PROPOSE else []

