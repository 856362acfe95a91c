"""Match lists a household can use: wanted districts first, a few per project, the rest one click away."""
from decimal import Decimal

from housing_swap.domain.matching import MAX_PER_BUILDING, MAX_PER_PROJECT
from housing_swap.extensions import db
from housing_swap.services import matching
from tests.test_api import assert_envelope, bearer, issue

from .helpers import community, recorded_sales, submitted_application, units_on_sale


def one_big_project_elsewhere_and_a_small_one_wanted(make):
    """Eight near-identical 二七区 rooms in one project (two buildings), one unit in wanted 金水区."""
    recorded_sales(community(), unit_price=15_000)
    big = units_on_sale(make, district="410103", prices=[1_300_000 + i * 5_000 for i in range(4)], area="125.00")
    second = units_on_sale(make, district="410103", prices=[1_310_000 + i * 5_000 for i in range(4)], area="125.00")
    second_building = second[0].building
    second_building.name, second_building.project = "2号楼", big[0].building.project
    db.session.commit()
    wanted = units_on_sale(make, district="410105", prices=(1_450_000,), area="121.00")
    return big + second, wanted[0]


def test_wanted_district_first_and_one_project_cannot_fill_the_list(make):
    crowded, wanted_unit = one_big_project_elsewhere_and_a_small_one_wanted(make)
    application, _ = submitted_application(make, min_area_m2="120")
    result = matching.new_home_matches(application)
    assert result.matches[0].unit_id == wanted_unit.id
    assert result.matches[0].in_wanted_district
    from_crowded = [m for m in result.matches if m.project_id == crowded[0].building.project_id]
    assert len(from_crowded) == MAX_PER_PROJECT
    assert max(sum(m.unit_id in {u.id for u in b.units} for m in from_crowded)
               for b in {u.building for u in crowded}) <= MAX_PER_BUILDING
    assert from_crowded[0].more_in_project == len(crowded) - MAX_PER_PROJECT
    assert result.notes == ("您首选的金水区、郑东新区有1套符合条件的新房，排在前面；其后为其他区县的房源",)

    every = matching.new_home_matches(application, project_id=crowded[0].building.project_id)
    assert sorted(m.unit_id for m in every.matches) == sorted(u.id for u in crowded)

    quality = matching.match_quality()
    assert (quality.wanted_available, quality.wanted_honoured) == (1, 1)
    assert quality.spanning == 0          # two projects only


def test_the_page_says_what_was_widened_and_links_the_rest(make, client, login):
    crowded, _ = one_big_project_elsewhere_and_a_small_one_wanted(make)
    application, household = submitted_application(make, min_area_m2="200", wanted_districts="中牟县")
    login(household.phone)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "没有面积不小于200㎡且符合预算的新房，已放宽面积和卧室数要求" in page
    assert "您首选的中牟县暂无符合条件的新房，以下为其他区县的房源" in page
    more = len(crowded) - MAX_PER_PROJECT
    project_id = crowded[0].building.project_id
    assert page.count(f"本项目还有{more}套符合条件") == 1     # once per project, not on each of its rows
    assert f"/applications/{application.id}?project={project_id}#matches" in page
    listing = client.get(f"/applications/{application.id}?project={project_id}").get_data(as_text=True)
    assert f"内为您匹配的全部新房（{len(crowded)}套）" in listing
    assert "返回为您精选的新房" in listing
    assert "本项目还有" not in listing


def test_the_api_carries_the_notes_and_the_project_list(make, client):
    """(The test client checks every answer against the OpenAPI document.)"""
    crowded, wanted_unit = one_big_project_elsewhere_and_a_small_one_wanted(make)
    application, household = submitted_application(make, min_area_m2="120")
    headers = bearer(issue(client, household.phone).get_json()["token"])
    body = client.get(f"/api/v1/applications/{application.id}/matches", headers=headers).get_json()
    assert body["widened"] == []
    assert body["notes"]
    assert body["items"][0]["unit_id"] == wanted_unit.id
    assert body["items"][0]["in_wanted_district"] is True
    project_id = crowded[0].building.project_id
    whole = client.get(f"/api/v1/applications/{application.id}/matches?project_id={project_id}", headers=headers)
    assert len(whole.get_json()["items"]) == len(crowded)
    assert {item["project_id"] for item in whole.get_json()["items"]} == {project_id}
    full_width = str(project_id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    typed_wide = client.get(f"/api/v1/applications/{application.id}/matches?project_id={full_width}", headers=headers)
    assert typed_wide.get_json()["items"] == whole.get_json()["items"]
    for bad in ("abc", "0", "１.５", "99999999999999999999999"):
        refused = client.get(f"/api/v1/applications/{application.id}/matches?project_id={bad}", headers=headers)
        assert "project_id" in assert_envelope(refused, 422)["details"], bad
    assert Decimal(body["items"][0]["area_m2"]) == Decimal("121.00")
