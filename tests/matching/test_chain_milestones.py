"""Chain milestones: every link's steps against the expected days of the rules, red/amber/green,
the late link named, recorded by each household for itself, overdue steps told once."""
import itertools
from datetime import timedelta

import pytest

from housing_swap.db.base import utcnow
from housing_swap.db.models import ChainLink, ChainProposal, ChainStatus, LinkDecision, Notification, Role
from housing_swap.domain.milestones import Rag
from housing_swap.domain.timezones import beijing_date
from housing_swap.extensions import db
from housing_swap.services import chain_milestones
from housing_swap.services.errors import Conflict, NotFound, ValidationFailed
from tests.factories import valid_id_number
from tests.test_api import assert_envelope, bearer, issue

from .helpers import submitted_application

TODAY = beijing_date(utcnow())


_serials = itertools.count(6601)


def agreed_chain(make, days_ago: int = 10, status=ChainStatus.AGREED):
    first, one = submitted_application(make, household=make.household(id_number=valid_id_number(next(_serials))))
    second, two = submitted_application(make, household=make.household(id_number=valid_id_number(next(_serials))))
    proposal = ChainProposal(kind="chain", starter="city_group", status=status,
                             decided_at=utcnow() - timedelta(days=days_ago))
    proposal.links = [ChainLink(position=1, application_id=first.id, buys_from_application_id=second.id,
                                decision=LinkDecision.ACCEPTED),
                      ChainLink(position=2, application_id=second.id, decision=LinkDecision.ACCEPTED)]
    db.session.add(proposal)
    db.session.commit()
    return proposal, one, two


def test_each_link_is_red_amber_or_green_and_the_late_link_is_named(make):
    proposal, first, second = agreed_chain(make, days_ago=10)       # offers were due on day 7
    found = chain_milestones.milestones_of(proposal.id, first)
    assert [link.states[0].rag for link in found.links] == [Rag.RED, Rag.RED]
    assert found.links[0].states[1].rag == Rag.GREEN                # the contract is due on day 21
    chain_milestones.record_milestone(proposal.id, {"milestone": "offer", "done_on": TODAY.isoformat()}, first)
    found = chain_milestones.milestones_of(proposal.id, second)
    assert found.links[0].states[0].rag == Rag.DONE
    assert found.late_position == 2
    assert (found.links[0].yours, found.links[1].yours) == (False, True)


def test_only_a_household_of_the_chain_records_its_own_steps_within_the_chains_days(make):
    proposal, first, _ = agreed_chain(make, days_ago=5)
    with pytest.raises(ValidationFailed) as refused:
        chain_milestones.record_milestone(proposal.id, {"milestone": "offer",
                                                        "done_on": (TODAY + timedelta(days=1)).isoformat()}, first)
    assert "连环单成立" in refused.value.details["done_on"][0]
    with pytest.raises(ValidationFailed):
        chain_milestones.record_milestone(proposal.id, {"milestone": "party", "done_on": "2026-13-01"}, first)
    with pytest.raises(NotFound):
        chain_milestones.milestones_of(proposal.id, make.household(id_number=valid_id_number(6599)))
    undecided, one, _ = agreed_chain(make, status=ChainStatus.PROPOSED)
    with pytest.raises(Conflict):
        chain_milestones.milestones_of(undecided.id, one)


def test_overdue_steps_are_told_once_and_the_api_serves_the_milestones(make, client):
    proposal, first, second = agreed_chain(make, days_ago=30)      # offers (7) and contracts (21) overdue
    assert chain_milestones.notify_overdue() == 4
    assert chain_milestones.notify_overdue() == 0
    assert db.session.query(Notification).filter_by(user_id=first.id, kind="chain_milestone_overdue").count() == 2
    token = bearer(issue(client, first.phone).get_json()["token"])
    body = client.get(f"/api/v1/chains/{proposal.id}/milestones", headers=token).get_json()
    assert body["late_position"] == 1
    assert [m["state"] for m in body["links"][0]["milestones"][:3]] == ["red", "red", "green"]
    recorded = client.post(f"/api/v1/chains/{proposal.id}/milestones", headers=token,
                           json={"milestone": "contract", "done_on": TODAY.isoformat()}).get_json()
    assert recorded["links"][0]["milestones"][1]["state"] == "done"
    assert_envelope(client.post(f"/api/v1/chains/{proposal.id}/milestones", headers=token, json={}), 422)
    bureau = bearer(issue(client, make.staff(Role.BUREAU_ADMIN).username).get_json()["token"])
    assert client.get(f"/api/v1/chains/{proposal.id}/milestones", headers=bureau).status_code == 200


def test_the_chains_page_shows_the_progress_and_records_a_step(make, client, login):
    proposal, first, _ = agreed_chain(make, days_ago=10)
    login(first.phone)
    page = client.get("/chains").get_data(as_text=True)
    assert "已逾期" in page
    assert "第1户（您）" in page
    answer = client.post(f"/chains/{proposal.id}/milestones", data={"milestone": "offer", "done_on": TODAY.isoformat()},
                         follow_redirects=True).get_data(as_text=True)
    assert "已登记进度" in answer
    assert f"完成于{TODAY.isoformat()}" in answer
