"""GET /api/v1/progress against a hand-computed ledger, reversals and pilot edges included."""
from datetime import date

import pytest
from sqlalchemy import select

from housing_swap.db.models import (
    Acquisition,
    Channel,
    GoalLedgerEntry,
    LedgerEntryType,
    ProgramRuleVersion,
    Role,
    SwapApplication,
)
from housing_swap.domain.timezones import beijing_today
from housing_swap.extensions import db


@pytest.fixture
def ledger(app, make):
    """Five counts and one reversal, written directly: the ledger service is a later issue."""
    household = make.household()
    version = db.session.scalar(select(ProgramRuleVersion))
    application = SwapApplication(household_user_id=household.id, old_district_code="410105",
                                  old_community_name="x", old_area_m2=90, old_build_year=2010,
                                  old_certificate_number="豫(2016)郑州市不动产权第0000001号", old_property_key="h")
    db.session.add(application)
    db.session.flush()
    acquisition = Acquisition(application_id=application.id, rule_version_id=version.id)
    db.session.add(acquisition)
    db.session.flush()
    rows = [  # (district, channel, completed_on, pilot)
        ("410105", Channel.CITY_GROUP, date(2024, 4, 20), True),   # first day of the pilot window
        ("410190", Channel.CITY_GROUP, date(2024, 6, 30), True),   # last day
        ("410105", Channel.CITY_GROUP, date(2024, 7, 1), False),   # a day after: not pilot
        ("410102", Channel.MARKET, date(2024, 5, 15), False),
        ("410102", Channel.MARKET, date(2024, 5, 20), False),
    ]
    entries = []
    for number, (district, channel, completed_on, pilot) in enumerate(rows):
        entry = GoalLedgerEntry(entry_type=LedgerEntryType.COUNT, channel=channel, program_year=2024,
                                property_hash=f"p{number}", district_code=district, completed_on=completed_on,
                                pilot=pilot, acquisition_id=acquisition.id, rule_version_id=version.id)
        db.session.add(entry)
        entries.append(entry)
    db.session.flush()
    db.session.add(GoalLedgerEntry(entry_type=LedgerEntryType.REVERSAL, channel=Channel.MARKET, program_year=2024,
                                   property_hash="p4", district_code="410102", completed_on=date(2024, 5, 20),
                                   pilot=False, acquisition_id=acquisition.id, reverses_entry_id=entries[4].id,
                                   reason="合同撤销", rule_version_id=version.id))
    db.session.commit()
    assert make.staff(Role.BUREAU_ADMIN)  # unrelated rows must not disturb the counts


def test_progress_counts_with_reversals_and_pilot_edges(ledger, client):
    response = client.get("/api/v1/progress?program_year=2024")
    body = response.get_json()
    assert body["program_year"] == 2024
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert body["targets"] == {"total": 10000, "city_group": 5000, "market": 5000, "pilot": 500}
    assert body["completed"] == {"total": 4, "city_group": 3, "market": 1, "pilot": 2}
    assert body["by_district"] == [
        {"code": "410105", "name": "金水区", "city_group": 2, "market": 0, "total": 2},
        {"code": "410102", "name": "中原区", "city_group": 0, "market": 1, "total": 1},
        {"code": "410190", "name": "郑东新区", "city_group": 1, "market": 0, "total": 1},
    ]
    assert [(m["month"], m["total"]) for m in body["by_month"]] == [("2024-04", 1), ("2024-05", 1), ("2024-06", 1),
                                                                     ("2024-07", 1)]


def test_progress_filters(ledger, client):
    june = client.get("/api/v1/progress", query_string={"program_year": "2024", "from": "2024-06-01",
                                                        "to": "2024-07-31"}).get_json()
    assert june["completed"] == {"total": 2, "city_group": 2, "market": 0, "pilot": 1}
    market = client.get("/api/v1/progress", query_string={"program_year": "2024", "channel": "market"}).get_json()
    assert market["completed"]["total"] == 1
    jinshui = client.get("/api/v1/progress", query_string={"program_year": "2024", "district": "410105"}).get_json()
    assert jinshui["completed"]["total"] == 2
    assert len(jinshui["by_district"]) == 1


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "May"}, "from"), ({"district": "999"}, "district"), ({"channel": "both"}, "channel"),
    ({"from": "2024-06-01", "to": "2024-05-01"}, "to"), ({"program_year": "2023"}, "program_year"),
    ({"program_year": "2028"}, "program_year"), ({"program_year": "12214854572776188018688"}, "program_year"),
    ({"from": "2024-05-01T99:99"}, "from"), ({"from": "2024-05-01 junk"}, "from"), ({"from": "20240501"}, "from"),
])
def test_bad_filters_answer_422(app, client, params, field):
    response = client.get("/api/v1/progress", query_string=params)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]


def test_progress_matches_the_home_page_figure(ledger, client):
    body = client.get("/api/v1/progress").get_json()
    home = client.get("/").get_data(as_text=True)
    assert f"<strong>{body['completed']['total']}</strong> / {body['targets']['total']}" in home
    assert f"{body['program_year']}年度目标进度" in home


def test_each_programme_year_shows_its_own_counts_and_the_summary_lists_all_four(ledger, client, make):
    """A swap completed in the current year counts there, never inside 2024's totals."""
    this_year = beijing_today().year
    version = db.session.scalar(select(ProgramRuleVersion).order_by(ProgramRuleVersion.version.desc()))
    acquisition_id = db.session.scalar(select(Acquisition.id))
    db.session.add(GoalLedgerEntry(entry_type=LedgerEntryType.COUNT, channel=Channel.CITY_GROUP, program_year=this_year,
                                   property_hash="now", district_code="410105", completed_on=beijing_today(),
                                   pilot=False, acquisition_id=acquisition_id, rule_version_id=version.id))
    db.session.commit()
    current = client.get("/api/v1/progress").get_json()
    assert current["program_year"] == this_year
    assert current["completed"]["total"] == 1
    assert [row["month"] for row in current["by_month"]] == [f"{beijing_today():%Y-%m}"]
    earlier = client.get("/api/v1/progress?program_year=2024").get_json()
    assert earlier["completed"]["total"] == 4
    assert all(m["month"].startswith("2024") for m in earlier["by_month"])
    years = {row["program_year"]: row for row in current["years"]}
    assert list(years) == [2024, 2025, 2026, 2027]
    assert years[2024]["completed"]["total"] == 4
    assert years[this_year]["completed"]["total"] == 1
    assert years[2027]["targets"] is None
    assert years[2027]["rule_version"] is None
    page = client.get("/progress?program_year=2024").get_data(as_text=True)
    assert "2024年度" in page
    assert "2024—2027年各年度完成情况" in page
    assert "该年度规则与目标尚未发布" in page
