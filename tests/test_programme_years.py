"""Programme years: a count goes to the year whose published rules cover its completion date;
a date no rules cover is refused with a public message, never counted into another year."""
from datetime import date

import pytest
from sqlalchemy import select, update

from housing_swap.db.models import GoalLedgerEntry, ProgramRuleVersion, Role, RuleVersionStatus
from housing_swap.domain.fields import FieldProblem
from housing_swap.domain.monitoring import district_progress
from housing_swap.domain.rules import (
    ProgramRules,
    parse_district_shares,
    rule_form_values,
    rule_problems,
)
from housing_swap.domain.timezones import beijing_today
from housing_swap.extensions import db
from housing_swap.services import ledger, market_swaps, rules
from housing_swap.services.errors import ValidationFailed
from housing_swap.services.rules import RulesNotPublished, current_rules, rules_of_year
from tests.acquisitions.helpers import STEP_INPUT, Cast, drive_to, swap_fields
from tests.acquisitions.test_api import token_for
from tests.factories import valid_id_number

THIS_YEAR = beijing_today().year


def unpublish(year: int) -> None:
    """As if the bureau had not published the year's rules yet (decisions may still name them)."""
    version, _ = rules_of_year(year)
    db.session.execute(update(ProgramRuleVersion).where(ProgramRuleVersion.id == version.id)
                       .values(status=RuleVersionStatus.DRAFT))
    db.session.commit()


def test_a_swap_completed_today_counts_in_this_years_programme(make):
    acquisition = drive_to(Cast(make), "completed")
    entry = ledger.live_entry_for(acquisition_id=acquisition.id)
    assert entry.program_year == THIS_YEAR == entry.completed_on.year
    assert entry.rule_version_id == rules_of_year(THIS_YEAR)[0].id


def test_no_rules_for_the_year_refuse_the_count_and_name_the_year(make):
    cast = Cast(make)
    acquisition = drive_to(cast, "title_transferred")
    unpublish(THIS_YEAR)
    with pytest.raises(RulesNotPublished) as refused:
        STEP_INPUT["completed"](cast, acquisition)
    assert f"{THIS_YEAR}年度的卖旧买新规则尚未发布" in refused.value.message
    assert "2024-01-01至2024-12-31" in refused.value.message
    assert "flask" not in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(GoalLedgerEntry.id)) is None


def test_a_market_swap_dated_in_an_uncovered_year_answers_422_for_the_public(client, make):
    unpublish(THIS_YEAR)
    household = make.household(id_number=valid_id_number(41))
    response = client.post("/api/v1/market-swaps", json=swap_fields("豫(2016)郑州市不动产权第0000041号", 41),
                           headers=token_for(client, household))
    body = response.get_json()
    assert response.status_code == 422
    assert body["error"]["code"] == "rules_not_published"
    assert f"{THIS_YEAR}年度" in body["error"]["message"]
    assert "reference" not in body["error"]["message"]


def test_the_self_check_answers_422_not_404_for_a_date_no_rules_cover(client):
    response = client.post("/api/v1/eligibility", json={
        "channel": "city_group", "decision_date": "2023-06-01",
        "old_home": {"district_code": "410105", "build_year": 2010, "area_m2": "90", "seized": False}})
    assert response.status_code == 422
    assert "2023年度" in response.get_json()["error"]["message"]


def test_rules_of_a_year_must_take_effect_inside_it(make):
    values = {**rule_form_values(current_rules()[1]), "name": "跨年", "effective_from": f"{THIS_YEAR - 1}-12-01"}
    with pytest.raises(ValidationFailed) as refused:
        rules.create_draft(values, make.staff(Role.BUREAU_ADMIN))
    assert f"生效日期应在{THIS_YEAR}年内" in refused.value.details["effective_from"][0]


def test_verify_names_a_count_filed_under_another_programme_year(make):
    acquisition = drive_to(Cast(make), "completed")
    entry = ledger.live_entry_for(acquisition_id=acquisition.id)
    db.session.execute(update(GoalLedgerEntry).where(GoalLedgerEntry.id == entry.id).values(program_year=2024))
    db.session.commit()
    problems = [str(v) for v in ledger.verify()]
    assert f"ledger entry {entry.id}: completed on {entry.completed_on.isoformat()} but counted in programme " \
           "year 2024" in problems


def test_recording_before_the_years_rules_take_effect_is_refused(make):
    household = make.household(id_number=valid_id_number(42))
    first_version, _ = rules_of_year(THIS_YEAR)
    first_version.effective_from = beijing_today()
    db.session.commit()
    early = date(THIS_YEAR, 1, 1) if beijing_today() != date(THIS_YEAR, 1, 1) else None
    if early is None:
        pytest.skip("today is the first day of the year")
    fields = swap_fields("豫(2016)郑州市不动产权第0000042号", 42, old_sale_on=early.isoformat(),
                         new_purchase_on=early.isoformat())
    with pytest.raises(RulesNotPublished):
        market_swaps.record_swap(fields, household)


def test_district_shares_are_a_rule_the_dashboard_map_measures_against():
    shares = parse_district_shares("金水区:15，郑东新区：12、410102:5")
    assert shares == (("410105", 15), ("410190", 12), ("410102", 5))
    rules = ProgramRules(district_shares=shares)
    assert rules.district_target("410105") == 1500
    assert rules.district_target("410106") is None
    assert ProgramRules.from_document(rules.to_document()) == rules
    assert rule_form_values(rules)["district_shares"] == "金水区:15，郑东新区:12，中原区:5"
    assert rule_problems(ProgramRules(district_shares=(("410105", 60), ("410190", 50))))["district_shares"]
    for bad, message in (("金水区15", "应写成"), ("金水区:15,410105:3", "写了两次"), ("火星区:3", "区县")):
        with pytest.raises(FieldProblem, match=message):
            parse_district_shares(bad)
    rows = district_progress({"410105": 300}, dict(shares), 10_000, ["410105", "410106"])
    assert [(r.completed, r.target, r.share) for r in rows] == [(300, 1500, 0.2), (0, None, None)]
