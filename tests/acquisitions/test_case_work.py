"""Officers' case work: search by application number or household name, their own cases, handing a
case to another officer, and each officer's workload."""
import pytest

from housing_swap.db.models import Role
from housing_swap.extensions import db
from housing_swap.services import acquisitions
from housing_swap.services.errors import ValidationFailed
from tests.test_api import assert_envelope, bearer, issue

from .helpers import Cast


def found(**filters) -> list[int]:
    return [row.application.id for row in acquisitions.work_queue(acquisitions.QueueFilters(**filters)).items]


def test_the_queue_finds_an_application_by_number_however_typed_or_by_name(make):
    cast, other = Cast(make), Cast(make)
    number = cast.application.id
    for typed in (str(number), f"申请{number}", f"申请{str(number).translate(str.maketrans('0123456789', '０１２３４５６７８９'))}"):
        assert found(q=typed) == [number]
    assert set(found(q="张")) >= {cast.application.id, other.application.id}     # the factories' 张三
    assert found(q="不存在的名字") == []
    assert found(q="%") == []                                                     # a wildcard is a character


def test_a_case_is_handed_to_another_officer_and_the_workload_follows(make, client):
    cast = Cast(make)
    acquisition = acquisitions.take_in(cast.application.id, cast.officer)
    colleague = make.staff(Role.CITY_GROUP_OFFICER)
    assert found(officer_id=cast.officer.id) == [cast.application.id]
    acquisitions.assign_officer(acquisition.id, colleague.id, cast.officer)
    assert found(officer_id=cast.officer.id) == []
    assert found(officer_id=colleague.id) == [cast.application.id]
    assert "案件转交" in acquisition.events[-1].note
    load = {row.officer.id: row.open_cases for row in acquisitions.officer_workload()}
    assert (load[colleague.id], load[cast.officer.id]) == (1, 0)
    with pytest.raises(ValidationFailed):
        acquisitions.assign_officer(acquisition.id, cast.household.id, cast.officer)   # not an officer
    db.session.commit()
    token = issue(client, colleague.username).get_json()["token"]
    body = client.post(f"/api/v1/acquisitions/{acquisition.id}/assignment", json={"officer_user_id": cast.officer.id},
                       headers=bearer(token))
    assert body.status_code == 200
    queue = client.get(f"/api/v1/acquisition-queue?officer_id={cast.officer.id}&q=申请{cast.application.id}",
                       headers=bearer(token)).get_json()
    assert [item["application_id"] for item in queue["items"]] == [cast.application.id]
    assert_envelope(client.get("/api/v1/acquisition-queue?q=" + "x" * 61, headers=bearer(token)), 422)


def test_the_queue_page_searches_and_shows_the_workload(make, client, login):
    cast = Cast(make)
    acquisitions.take_in(cast.application.id, cast.officer)
    db.session.commit()
    login(cast.officer.username)
    page = client.get(f"/city-group/queue?q=申请{cast.application.id}&mine=1").get_data(as_text=True)
    assert f'href="/applications/{cast.application.id}"' in page
    assert "经办人工作量" in page
