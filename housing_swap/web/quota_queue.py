"""名额排队: the bureau's whole queue for city-group places and its lotteries; each lottery's public page."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..db.models import Role
from ..domain.quota_queue import ALGORITHM, lottery_key
from ..security.access import public, roles
from ..services import quota_queue
from ..services.rules import latest_rules
from .page_actions import flash_outcome

blueprint = Blueprint("quota_queue", __name__)
SHOWN = 500


@blueprint.route("/bureau/quota-queue")
@roles(Role.BUREAU_ADMIN, Role.CITY_GROUP_OFFICER)
def index():
    state = quota_queue.queue_state()
    return render_template("quota_queue/index.html", state=state, shown=SHOWN,
                           rows=quota_queue.queued_applications(state.order, SHOWN), draws=quota_queue.draws(),
                           by_lottery=latest_rules()[1].queue_by_lottery)


@blueprint.route("/bureau/quota-queue/commit", methods=["POST"])
@roles(Role.BUREAU_ADMIN)
def commit():
    flash_outcome(lambda: quota_queue.commit_draw(current_user),
                  lambda draw: f"已公布摇号承诺值，共{len(draw.entrants)}户参与；抽签后公布种子和排序")
    return redirect(url_for("quota_queue.index"))


@blueprint.route("/bureau/quota-queue/draws/<int:draw_id>/draw", methods=["POST"])
@roles(Role.BUREAU_ADMIN)
def draw(draw_id: int):
    flash_outcome(lambda: quota_queue.draw_lottery(draw_id, current_user), "已抽签，种子和排序结果已公布")
    return redirect(url_for("quota_queue.public_draw", draw_id=draw_id))


@blueprint.route("/queue/draws/<int:draw_id>")
@public
def public_draw(draw_id: int):
    return render_template("quota_queue/draw.html", draw=quota_queue.draw_for_public(draw_id), algorithm=ALGORITHM,
                           key=lottery_key)
