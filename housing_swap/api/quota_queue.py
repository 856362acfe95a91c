"""The queue for city-group places over the API: a household's position, and a published lottery
(public: anyone may re-run it from the seed and the entrants)."""
from __future__ import annotations

from flask import g

from ..db.models import QueueDraw, Role
from ..domain.quota_queue import ALGORITHM, lottery_key
from ..security.access import public, roles
from ..services import applications, quota_queue
from . import api_blueprint, responses
from .responses import respond


@api_blueprint.get("/applications/<int:application_id>/queue-position")
@roles(Role.HOUSEHOLD, Role.CITY_GROUP_OFFICER, Role.BUREAU_ADMIN)
def application_queue_position(application_id: int):
    position = quota_queue.position_of(applications.application_for_viewing(application_id, g.api_user))
    return respond(responses.QueuePosition, {
        "position": position.position, "total": position.total, "basis": position.basis,
        "draw_id": position.draw_id, "expected_wait_days": position.expected_wait_days,
        "pace_note": position.pace_note, "estimate": True})


@api_blueprint.get("/queue-draws/<int:draw_id>")
@public
def get_queue_draw(draw_id: int):
    return respond(responses.QueueDraw, draw_json(quota_queue.draw_for_public(draw_id)))


def draw_json(draw: QueueDraw) -> dict:
    seed = draw.published_seed
    return {
        "id": draw.id, "program_year": draw.program_year, "commitment": draw.commitment,
        "committed_at": draw.committed_at.isoformat(), "entrants": list(draw.entrants),
        "drawn_at": draw.drawn_at.isoformat() if draw.drawn_at else None, "seed": seed, "algorithm": ALGORITHM,
        "drawn_order": ([{"application_id": number, "key": lottery_key(seed, number)} for number in draw.drawn_order]
                        if seed is not None and draw.drawn_order is not None else None),
    }
