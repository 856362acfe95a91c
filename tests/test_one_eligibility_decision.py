"""One eligibility decision for the public self-check and for applications: future build years,
the new home's location whenever it is known, wanted districts outside the main urban area, and
no acquisition of a home the title registry does not know."""
import pytest

from housing_swap.db.models import ApplicationStatus, Role
from housing_swap.services import acquisitions
from housing_swap.services.errors import Conflict
from tests.matching.helpers import submitted_application

OLD_HOME = {"district_code": "410105", "build_year": 2012, "area_m2": "90.00", "seized": False}


def self_check(client, **body):
    return client.post("/api/v1/eligibility", json={"channel": "city_group", **body}).get_json()


@pytest.mark.parametrize("channel", ["city_group", "market"])
def test_a_home_not_yet_built_is_not_eligible(client, channel):
    answer = self_check(client, channel=channel, decision_date="2024-06-01", old_home={**OLD_HOME, "build_year": 2030})
    assert answer["eligible"] is False
    assert [r["rule"] for r in answer["reasons"]] == ["old_home_build_year"]


def test_the_new_homes_location_is_checked_without_the_old_homes_price(client):
    answer = self_check(client, old_home=OLD_HOME, new_home={"district_code": "410122", "total_price": 2_000_000})
    assert answer["eligible"] is False
    assert [r["rule"] for r in answer["reasons"]] == ["new_home_main_urban_only"]


def test_wanting_only_districts_outside_the_main_urban_area_rules_out_the_city_group(make):
    application, _ = submitted_application(make, wanted_districts="中牟县", channel_preference="均可")
    assert application.eligible_channels == ["market"]
    assert any(r["rule"] == "new_home_main_urban_only" and "意向区县均不在主城区" in r["message"]
               for r in application.decision_reasons)
    only_city_group, _ = submitted_application(make, wanted_districts="中牟县", channel_preference="城发集团收购")
    assert only_city_group.status == ApplicationStatus.INELIGIBLE


def test_one_wanted_district_in_the_main_urban_area_is_enough(make):
    application, _ = submitted_application(make, wanted_districts="中牟县、金水区", channel_preference="城发集团收购")
    assert application.eligible_channels == ["city_group"]


def test_the_city_group_does_not_take_a_home_missing_from_the_title_registry(make):
    application, _ = submitted_application(make, registered=False, channel_preference="城发集团收购")
    assert application.eligible_channels == ["city_group"]
    officer = make.staff(Role.CITY_GROUP_OFFICER)
    rows = acquisitions.work_queue(acquisitions.QueueFilters()).items
    assert [row.property_verified for row in rows if row.application.id == application.id] == [False]
    with pytest.raises(Conflict, match="尚未通过产权核验"):
        acquisitions.take_in(application.id, officer)


def test_the_queue_page_warns_and_refuses_intake_with_a_message(client, make, login):
    application, _ = submitted_application(make, registered=False, channel_preference="城发集团收购")
    officer = make.staff(Role.CITY_GROUP_OFFICER)
    login(officer.username)
    assert "产权未核验" in client.get("/city-group/queue").get_data(as_text=True)
    refused = client.post(f"/city-group/queue/{application.id}/take-in", follow_redirects=True)
    assert refused.status_code == 200
    assert "尚未通过产权核验" in refused.get_data(as_text=True)
