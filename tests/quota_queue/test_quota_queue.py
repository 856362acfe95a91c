"""The queue for city-group places: by submission time, or by a lottery whose seed was committed
before the draw and which anyone can re-run; positions, expected waits, refusals."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from housing_swap.db.base import utcnow
from housing_swap.db.models import AuditEvent, Role, User
from housing_swap.domain.quota_queue import Pace, commitment_of, lottery_key, lottery_order, queue_order
from housing_swap.extensions import db
from housing_swap.services import acquisitions, quota_queue
from housing_swap.services.errors import Conflict, Forbidden
from tests.factories import valid_id_number
from tests.matching.helpers import submitted_application
from tests.reservations.helpers import set_rule
from tests.test_api import assert_envelope, bearer, issue


def waiting_households(make, count: int, start: int = 7700):
    found = []
    for index in range(count):
        household = make.household(id_number=valid_id_number(start + index))
        application, _ = submitted_application(make, household=household, channel_preference="城发集团收购")
        application.submitted_at = utcnow() - timedelta(days=count - index)   # the first is the oldest
        found.append(application)
    db.session.commit()
    return found


def test_the_lottery_is_reproducible_from_the_published_seed():
    seed = "a" * 64
    order = lottery_order(seed, [5, 3, 9, 1])
    assert sorted(order) == [1, 3, 5, 9]
    assert order == sorted([5, 3, 9, 1], key=lambda number: lottery_key(seed, number))
    assert order == lottery_order(seed, [1, 9, 3, 5])           # the entrants' order does not matter
    assert queue_order([4, 2, 7, 8], [7, 9, 4]) == [7, 4, 2, 8]  # drawn first, then newcomers by time


def test_the_pace_gives_the_expected_wait():
    assert Pace(14).expected_wait_days(3) == 6
    assert Pace(0).expected_wait_days(1) is None
    assert "暂无法估计" in Pace(0).text()


def test_by_submission_time_the_oldest_is_first_and_an_intake_moves_everyone_up(make):
    first, second, third = waiting_households(make, 3)
    assert [quota_queue.position_of(a).position for a in (first, second, third)] == [1, 2, 3]
    assert quota_queue.position_of(third).expected_wait_days is None      # no intakes yet: no pace
    officer = make.staff(Role.CITY_GROUP_OFFICER)
    acquisitions.take_in(first.id, officer)
    assert quota_queue.position_of(third).position == 2
    assert quota_queue.position_of(third).expected_wait_days == 56          # one intake in 28 days
    with pytest.raises(Conflict, match="已由城发集团受理"):
        quota_queue.position_of(first)


def test_a_market_only_household_is_not_in_the_queue(make):
    application, _ = submitted_application(make, channel_preference="市场交易")
    with pytest.raises(Conflict, match="不参与收购名额排队"):
        quota_queue.position_of(application)


def test_a_lottery_commits_first_and_orders_the_queue_once_drawn(make):
    applications = waiting_households(make, 4)
    bureau = make.staff(Role.BUREAU_ADMIN)
    with pytest.raises(Conflict, match="按完整提交时间排序"):
        quota_queue.commit_draw(bureau)
    set_rule(queue_by_lottery=True)
    with pytest.raises(Forbidden):
        quota_queue.commit_draw(make.staff(Role.CITY_GROUP_OFFICER))
    draw = quota_queue.commit_draw(bureau)
    assert draw.published_seed is None
    assert draw.entrants == [a.id for a in applications]
    with pytest.raises(Conflict, match="尚未抽签"):
        quota_queue.commit_draw(bureau)
    assert quota_queue.queue_state().order == [a.id for a in applications]   # not drawn yet: by time
    late = waiting_households(make, 1, start=7790)[0]
    quota_queue.draw_lottery(draw.id, bureau)
    assert commitment_of(draw.published_seed) == draw.commitment
    assert draw.drawn_order == lottery_order(draw.published_seed, [a.id for a in applications])
    state = quota_queue.queue_state()
    assert state.order == [*draw.drawn_order, late.id]
    assert quota_queue.position_of(late).position == 5
    with pytest.raises(Conflict, match="结果不能改变"):
        quota_queue.draw_lottery(draw.id, bureau)
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "queue_draw")))
    assert actions == ["queue.commit", "queue.draw"]


def test_the_household_sees_its_position_on_its_page_and_over_the_api(make, client, login):
    first, second = waiting_households(make, 2)
    household = db.session.get(User, second.household_user_id)
    login(household.phone)
    page = client.get(f"/applications/{second.id}").get_data(as_text=True)
    assert "第2位" in page
    assert "共2户等待受理" in page
    token = issue(client, household.phone).get_json()["token"]
    body = client.get(f"/api/v1/applications/{second.id}/queue-position", headers=bearer(token)).get_json()
    assert (body["position"], body["total"], body["expected_wait_days"]) == (2, 2, None)
    refused = client.get(f"/api/v1/applications/{first.id}/queue-position", headers=bearer(token))
    assert_envelope(refused, 404)                                  # another household's application


def test_the_bureau_runs_a_lottery_from_its_page_and_anyone_reads_the_result(make, client, login):
    applications = waiting_households(make, 3)
    set_rule(queue_by_lottery=True)
    bureau = make.staff(Role.BUREAU_ADMIN)
    login(bureau.username)
    page = client.get("/bureau/quota-queue").get_data(as_text=True)
    assert "公布摇号承诺值" in page
    assert f"申请{applications[0].id}" in page
    committed = client.post("/bureau/quota-queue/commit", follow_redirects=True).get_data(as_text=True)
    assert "共3户参与" in committed
    draw = quota_queue.draws()[0]
    assert draw.commitment in client.get(f"/queue/draws/{draw.id}").get_data(as_text=True)
    drawn = client.post(f"/bureau/quota-queue/draws/{draw.id}/draw", follow_redirects=True).get_data(as_text=True)
    assert "种子和排序结果已公布" in drawn
    client.post("/auth/logout")
    public = client.get(f"/api/v1/queue-draws/{draw.id}").get_json()   # no login
    assert commitment_of(public["seed"]) == public["commitment"]
    assert [place["application_id"] for place in public["drawn_order"]] == lottery_order(
        public["seed"], public["entrants"])
    assert_envelope(client.get("/api/v1/queue-draws/999999"), 404)
