"""Service deadlines (办理时限): each acquisition step's deadline from the rules, overdue cases
marked in the officers' queue and on the case, time per step and the on-time share on the dashboard."""
import re
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from housing_swap.db.models import AcquisitionEvent, Role
from housing_swap.domain.acquisitions import DeadlineState, step_due_on
from housing_swap.domain.monitoring import StepTime, timeliness
from housing_swap.domain.rules import ProgramRules, rule_form_values
from housing_swap.extensions import db
from housing_swap.services import acquisitions, rules
from housing_swap.services.exports import export_tables
from housing_swap.services.progress import ProgressFilters
from tests.reservations.helpers import set_rule

from .helpers import TODAY, Cast, drive_to


def back_date(acquisition, days: int) -> None:
    """Move the acquisition's timeline back by ``days`` (as if its steps were taken then)."""
    for event in db.session.scalars(select(AcquisitionEvent).where(AcquisitionEvent.acquisition_id == acquisition.id)):
        event.at -= timedelta(days=days)
    db.session.commit()


def test_the_deadline_follows_the_rule_and_open_offers_have_none():
    rules = ProgramRules(deadline_intake_days=4)
    assert step_due_on("intake", TODAY, rules) == TODAY + timedelta(days=4)
    assert step_due_on("offer_made", TODAY, rules) is None
    assert step_due_on("completed", TODAY, rules) is None


def test_the_queue_marks_a_case_past_its_deadline(make, client, login):
    set_rule(deadline_intake_days=3)
    cast = Cast(make)
    acquisition = acquisitions.take_in(cast.application.id, cast.officer)
    db.session.commit()
    row = next(r for r in acquisitions.work_queue(acquisitions.QueueFilters()).items if r.acquisition)
    assert (row.deadline.due_on, row.deadline.state) == (TODAY + timedelta(days=3), DeadlineState.ON_TIME)
    back_date(acquisition, 4)
    row = next(r for r in acquisitions.work_queue(acquisitions.QueueFilters()).items if r.acquisition)
    assert row.deadline.state == DeadlineState.OVERDUE
    login(cast.officer.username)
    page = client.get("/city-group/queue").get_data(as_text=True)
    assert 'class="row-overdue"' in page
    assert "1 件已超过办理时限" in page
    assert "已超时" in client.get(f"/acquisitions/{acquisition.id}").get_data(as_text=True)


def test_the_dashboard_shows_time_per_step_and_the_on_time_share(make, client, login):
    set_rule(deadline_intake_days=3, deadline_inspection_days=5)
    cast = Cast(make)
    acquisition = drive_to(cast, "appraised")       # intake, inspection, appraisal: all today
    events = list(db.session.scalars(select(AcquisitionEvent).where(
        AcquisitionEvent.acquisition_id == acquisition.id).order_by(AcquisitionEvent.id)))
    events[0].at -= timedelta(days=10)               # taken in 10 days ago: scheduling took 10 > 3 days
    events[1].at -= timedelta(days=2)                # inspection 2 days ago: the appraisal took 2 ≤ 5 days
    db.session.commit()
    login(make.staff(Role.BUREAU_ADMIN).username)
    page = client.get("/bureau/dashboard").get_data(as_text=True)
    section = page[page.index('id="timeliness-title"'):page.index('id="stalled-title"')]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td></tr>", section)
    assert ("安排查勘", "1", "8.0", "0.0%") in rows
    assert ("评估机构出具评估", "1", "2.0", "100.0%") in rows
    assert ("金水区", "2", "5.0", "50.0%") in rows
    sheet = export_tables(ProgressFilters(program_year=TODAY.year), cast.officer, 14).frames["timeliness"]
    assert [tuple(row) for row in sheet.itertuples(index=False)] == [
        ("步骤", "安排查勘", 1, 8.0, 0.0), ("步骤", "评估机构出具评估", 1, 2.0, 1.0), ("区县", "金水区", 2, 5.0, 0.5)]


def publish_deadlines(make, effective_from, **deadlines) -> None:
    """A new rule version from ``effective_from``: today's rules with other deadlines."""
    admin = make.staff(Role.BUREAU_ADMIN)
    values = rule_form_values(replace(rules.current_rules()[1], **deadlines))
    values.update(name="办理时限调整", effective_from=effective_from.isoformat())
    rules.publish(rules.create_draft(values, admin).id, admin)
    db.session.commit()


def test_a_step_is_timed_by_the_deadline_in_force_when_it_began(make, client, login):
    """Taken in 8 days ago under a 3-day intake deadline; 5 days ago the deadline became 20 days.
    The finished step stays late and an open case stays overdue: a later rule does not excuse it,
    and one that began under the new rule gets the new deadline."""
    set_rule(deadline_intake_days=3)
    late = Cast(make)
    finished = drive_to(late, "inspection_scheduled")
    back_date(finished, 8)
    events = list(db.session.scalars(select(AcquisitionEvent).where(
        AcquisitionEvent.acquisition_id == finished.id).order_by(AcquisitionEvent.id)))
    events[1].at += timedelta(days=8)                 # the inspection was scheduled today: 8 days after intake
    still_open = acquisitions.take_in(Cast(make).application.id, late.officer)
    db.session.commit()
    back_date(still_open, 8)
    publish_deadlines(make, TODAY - timedelta(days=5), deadline_intake_days=20)
    fresh = acquisitions.take_in(Cast(make).application.id, late.officer)
    db.session.commit()
    deadlines = acquisitions.step_deadlines([still_open, fresh])
    assert (deadlines[still_open.id].due_on, deadlines[still_open.id].state) == (
        TODAY - timedelta(days=5), DeadlineState.OVERDUE)
    assert deadlines[fresh.id].due_on == TODAY + timedelta(days=20)
    login(make.staff(Role.BUREAU_ADMIN).username)
    page = client.get("/bureau/dashboard").get_data(as_text=True)
    section = page[page.index('id="timeliness-title"'):page.index('id="stalled-title"')]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td></tr>", section)
    assert ("安排查勘", "1", "8.0", "0.0%") in rows


def test_timeliness_groups_by_any_key():
    times = [StepTime("intake", "410105", 2, 5), StepTime("intake", "410105", 9, 5), StepTime("appraised", "410102", 1, 5)]
    by_step = {row.key: row for row in timeliness(times, lambda t: t.step)}
    assert (by_step["intake"].finished, by_step["intake"].median_days, by_step["intake"].on_time_percent) == (2, 5.5, 50.0)
    assert [row.key for row in timeliness(times, lambda t: t.district)] == ["410105", "410102"]
