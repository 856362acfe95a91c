"""Applications: real-name gate, the decision on submit with its rule version, timeline, withdrawal."""
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from housing_swap.db.models import ApplicationStatus, AuditEvent, ProgramRuleVersion, RuleVersionStatus
from housing_swap.domain.rules import ProgramRules, rule_form_values
from housing_swap.domain.timezones import beijing_today
from housing_swap.extensions import db
from housing_swap.services import applications, rules
from housing_swap.services.errors import Conflict, Forbidden, ValidationFailed
from tests.factories import valid_id_number

from .helpers import application_fields, submitted_application


def test_household_without_real_name_cannot_apply(make):
    household = make.household()
    with pytest.raises(Forbidden, match="实名认证"):
        applications.create_application(application_fields(), household)


def test_bad_fields_are_all_reported(make):
    household = make.household(id_number=valid_id_number(801))
    with pytest.raises(ValidationFailed) as refused:
        applications.create_application(application_fields(area_m2="九十", floor="30", wanted_districts="火星区",
                                                            channel_preference="随便"), household)
    assert set(refused.value.details) == {"area_m2", "floor", "wanted_districts", "channel_preference"}
    assert db.session.scalar(select(func.count()).select_from(applications.SwapApplication)) == 0


def test_submit_decides_with_every_reason_and_the_rule_version(make):
    application, _ = submitted_application(make, build_year="1995", area_m2="130.00")
    assert application.status == ApplicationStatus.ELIGIBLE          # the market channel still takes it
    assert application.eligible_channels == ["market"]
    rules_named = {reason["rule"] for reason in application.decision_reasons}
    assert rules_named == {"old_home_max_age_years", "old_home_max_area_m2"}
    assert all(reason["message"].startswith("城发集团收购：") for reason in application.decision_reasons)
    assert application.decision_rule_version_id == rules.current_rules()[0].id   # the version covering today
    assert [e.status for e in application.events] == [ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED,
                                                       ApplicationStatus.ELIGIBLE]


def test_city_group_only_application_can_be_ineligible_and_resubmitted_after_a_fix(make):
    application, household = submitted_application(make, build_year="1995", channel_preference="城发集团收购")
    assert application.status == ApplicationStatus.INELIGIBLE
    assert application.eligible_channels == []
    applications.update_application(application.id, {"build_year": "2010"}, household)
    again = applications.submit_application(application.id, household)
    assert again.status == ApplicationStatus.ELIGIBLE
    assert again.eligible_channels == ["city_group"]


def test_pilot_is_recorded_from_district_and_date(make):
    application, _ = submitted_application(make)
    window = ProgramRules.from_document(db.session.get(ProgramRuleVersion, application.decision_rule_version_id)
                                        .document)
    in_window = window.pilot_start <= beijing_today() <= window.pilot_end
    assert application.counts_toward_pilot is in_window


def test_old_decisions_keep_their_rule_version_when_rules_change(make):
    earlier, _ = submitted_application(make, area_m2="119.50", channel_preference="城发集团收购")
    assert earlier.status == ApplicationStatus.ELIGIBLE
    admin = make.staff(applications.Role.BUREAU_ADMIN)
    in_force, current_rules = rules.current_rules()
    values = rule_form_values(replace(current_rules, old_home_max_area_m2=Decimal("100.00")))
    values.update(name="收紧面积", effective_from=beijing_today().isoformat())
    draft = rules.create_draft(values, admin)
    impact = rules.what_if(draft.id)
    assert [(row.district_code, row.channel, row.gained, row.lost) for row in impact] == [
        ("410105", "city_group", 0, 1)]
    rules.publish(draft.id, admin)
    db.session.refresh(earlier)
    assert earlier.decision_rule_version_id == in_force.id
    assert earlier.eligible_channels == ["city_group"]
    later, _ = submitted_application(make, area_m2="119.50", channel_preference="城发集团收购")
    assert later.status == ApplicationStatus.INELIGIBLE
    assert later.decision_rule_version_id == draft.id
    assert db.session.scalar(select(ProgramRuleVersion.status).where(ProgramRuleVersion.id == draft.id)) \
        == RuleVersionStatus.PUBLISHED


def test_published_rules_cannot_be_edited(make):
    admin = make.staff(applications.Role.BUREAU_ADMIN)
    current, current_rules = rules.current_rules()
    values = {**rule_form_values(current_rules), "name": "x", "effective_from": "2024-01-01"}
    with pytest.raises(Conflict):
        rules.update_draft(current.id, values, admin)


def test_rule_editor_checks_across_fields(make):
    admin = make.staff(applications.Role.BUREAU_ADMIN)
    _, current_rules = rules.current_rules()
    values = {**rule_form_values(current_rules), "name": "坏规则", "effective_from": f"{beijing_today().year}-01-01",
              "pilot_end": "2024-01-01", "targets.market": "100"}
    with pytest.raises(ValidationFailed) as refused:
        rules.create_draft(values, admin)
    assert set(refused.value.details) == {"pilot_end", "targets.total"}


def test_one_live_application_per_home_and_withdrawal_is_final(make):
    application, household = submitted_application(make)
    duplicate = applications.create_application(
        application_fields(certificate_number=application.old_certificate_number), household)
    with pytest.raises(Conflict, match="进行中"):
        applications.submit_application(duplicate.id, household)
    applications.withdraw_application(application.id, household)
    with pytest.raises(Conflict):
        applications.withdraw_application(application.id, household)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"application.create", "application.submit", "application.withdraw"} <= actions


def test_another_household_cannot_see_or_change_it(make):
    application, _ = submitted_application(make)
    stranger = make.household(id_number=valid_id_number(901))
    with pytest.raises(applications.NotFound):
        applications.application_for_viewing(application.id, stranger)
    with pytest.raises(applications.NotFound):
        applications.withdraw_application(application.id, stranger)
    assert db.session.get(applications.SwapApplication, application.id).status == ApplicationStatus.ELIGIBLE
