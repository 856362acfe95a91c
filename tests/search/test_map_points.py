"""The map beside the search results: its points are the page's own query, and the outlines it
draws cover every district."""
import json
from pathlib import Path

from housing_swap.domain.districts import ZHENGZHOU_DISTRICTS
from housing_swap.services import search as search_service

OUTLINES = Path(__file__).resolve().parents[2] / "static" / "geo" / "zhengzhou-districts.json"
JINSHUI_BOX = "113.60,34.74,113.75,34.85"


def test_the_maps_points_are_the_searchs_matches_with_a_link_each(seeded, client):
    listed = client.get("/api/v1/listings", query_string={"bbox": JINSHUI_BOX, "per_page": 50}).get_json()
    points = client.get("/search/points.json", query_string={"bbox": JINSHUI_BOX, "page": 3}).get_json()
    assert points["total"] == listed["total"] > 0
    assert [p["id"] for p in points["points"]][:50] == [item["id"] for item in listed["items"]]  # same order
    first = points["points"][0]
    assert first["url"] == f"/listings/{first['id']}"
    assert first["price"].endswith("万元")
    assert points["capped"] is (listed["total"] > len(points["points"]))


def test_more_matches_than_the_map_shows_are_said_to_be_capped(seeded, client, monkeypatch):
    monkeypatch.setattr(search_service, "MAP_POINTS", 5)
    points = client.get("/search/points.json").get_json()
    assert len(points["points"]) == 5
    assert points["capped"] is True


def test_unit_points_name_the_project_and_room(seeded, client):
    points = client.get("/search/units/points.json", query_string={"program": "true"}).get_json()
    assert points["points"]
    assert all(p["url"].startswith("/projects/") for p in points["points"])


def test_the_outlines_cover_every_district_and_mark_the_functional_zones_approximate():
    features = {f["properties"]["code"]: f["properties"] for f in json.loads(OUTLINES.read_text())["features"]}
    assert set(features) == {d.code for d in ZHENGZHOU_DISTRICTS}
    for district in ZHENGZHOU_DISTRICTS:
        assert features[district.code]["name"] == district.name
        assert features[district.code]["approximate"] is district.approximate_centre


def test_search_pages_carry_the_map_and_keep_its_area_in_the_form(seeded, client):
    page = client.get("/search", query_string={"bbox": JINSHUI_BOX}).get_data(as_text=True)
    assert 'data-map="results"' in page
    assert f'<input type="hidden" name="bbox" value="{JINSHUI_BOX}">' in page
    assert "不限地图范围" in page
