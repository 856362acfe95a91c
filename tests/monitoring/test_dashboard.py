"""The bureau's dashboard against a hand-computed ledger; exports equal the dashboard; personal
data in exports is masked by role and every export is audited; the public page is cached."""
import io
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import select

from housing_swap.db.models import (
    AcquisitionEvent,
    AuditEvent,
    Channel,
    GoalLedgerEntry,
    JobState,
    Role,
    SwapApplication,
)
from housing_swap.domain.timezones import beijing_today
from housing_swap.extensions import db
from housing_swap.services import acquisitions, files, jobs, monitoring
from housing_swap.services.progress import ProgressFilters
from tests.acquisitions.helpers import Cast, drive_to, reverse_by_two
from tests.matching.helpers import submitted_application
from tests.monitoring.exports import exported
from tests.test_api import assert_envelope, bearer, issue
from tests.test_progress_api import ledger  # noqa: F401  (the hand-made ledger fixture)


def test_dashboard_figures_match_the_hand_computed_ledger(ledger):  # noqa: F811
    board = monitoring.dashboard(ProgressFilters(program_year=2024), today=date(2024, 7, 14))
    assert board.report["completed"] == {"total": 4, "city_group": 3, "market": 1, "pilot": 2}
    by_week = {point.week_start: point.cumulative for point in board.weekly}
    assert by_week[date(2024, 4, 15)] == 1          # 04-20, the pilot's first day
    assert by_week[date(2024, 5, 13)] == 2          # 05-15 and 05-20 count, then 05-20 is reversed
    assert by_week[date(2024, 7, 8)] == 4
    assert board.weekly[0].planned == 10000 * 7 / 366
    # Forecast: 2 net completions in the 28 days to 07-14 (06-30, 07-01), 170 days left: 4 + round(2/28×170).
    assert (board.forecast.done, board.forecast.days_left, board.forecast.year_end_total) == (4, 170, 16)
    assert board.forecast.reaches_target is False
    pilot_only = monitoring.dashboard(ProgressFilters(program_year=2024, district="410190"), today=date(2024, 7, 14))
    assert pilot_only.report["completed"] == {"total": 1, "city_group": 1, "market": 0, "pilot": 1}


def test_the_funnel_counts_stages_and_rates(make):
    submitted_application(make, channel_preference="城发集团收购")
    market, _ = submitted_application(make, channel_preference="市场交易")
    submitted_application(make, channel_preference="城发集团收购", area_m2="150.00")  # too big: ineligible
    cast = Cast(make)
    acquisitions.take_in(cast.application.id, cast.officer)
    stages = {stage.key: stage for stage in monitoring.funnel(ProgressFilters())}
    assert [stages[k].count for k in ("submitted", "eligible", "matched", "in_progress", "completed")] == [4, 3, 1, 1, 0]
    assert stages["eligible"].rate_from_previous == 75.0
    assert stages["in_progress"].median_days == 0.0
    market_only = {s.key: s.count for s in monitoring.funnel(ProgressFilters(channel=Channel.MARKET))}
    assert market_only["submitted"] == 1
    assert market.channel_preference.value == "market"


def stalled_acquisition(make) -> Cast:
    cast = Cast(make)
    acquisition = acquisitions.take_in(cast.application.id, cast.officer)
    for event in db.session.scalars(select(AcquisitionEvent).where(AcquisitionEvent.acquisition_id == acquisition.id)):
        event.at = event.at - timedelta(days=30)
    db.session.commit()
    return cast


def test_stalled_work_is_listed_with_what_it_waits_for(make):
    cast = stalled_acquisition(make)
    cases = monitoring.stalled_cases(ProgressFilters(), 14, beijing_today())
    assert [(c.kind, c.waiting_for, c.days) for c in cases] == [("acquisition", "安排查勘", 30)]
    assert monitoring.stalled_cases(ProgressFilters(), 31, beijing_today()) == []
    assert cases[0].household_name == cast.household.real_name


def test_the_workbook_equals_the_dashboard_and_is_audited(ledger, client, make, login):  # noqa: F811
    bureau = make.staff(Role.BUREAU_ADMIN)
    login(bureau.username)
    page = client.get("/bureau/dashboard?program_year=2024").get_data(as_text=True)
    assert "以旧换新监测看板" in page
    assert "<svg" in page
    response = exported(client, program_year="2024")
    assert response.status_code == 200
    workbook = pd.read_excel(io.BytesIO(response.data), sheet_name=None, header=4)
    board = monitoring.dashboard(ProgressFilters(program_year=2024))
    summary = workbook["汇总"].set_index("指标")
    assert summary.loc["合计", "已完成（套）"] == board.report["completed"]["total"] == 4
    assert summary.loc["城发集团收购", "已完成（套）"] == 3
    assert summary.loc["试点（金水区、郑东新区）", "已完成（套）"] == 2
    districts = workbook["分区县"]
    assert list(zip(districts["区县"], districts["合计"], strict=True)) == [(r["name"], r["total"]) for r in board.report["by_district"]]
    assert list(workbook["分月"]["合计"]) == [r["total"] for r in board.report["by_month"]]
    assert len(workbook["台账明细"]) == 6
    assert list(workbook["台账明细"]["类型"]).count("撤销") == 1
    top = pd.read_excel(io.BytesIO(response.data), sheet_name="汇总", header=None).iloc[:3, 0]
    assert top.iloc[0] == "郑州市卖旧买新监测报表 · 汇总"
    heading = "；".join(top.iloc[1:])
    assert "项目规则第1版" in heading
    assert "生成时间" in heading
    assert "北京时间" in heading
    assert "2024年度" in heading
    years = workbook["各年度"].set_index("项目年度")
    assert years.loc["2024年", "合计完成（套）"] == 4
    assert years.loc["2027年", "规则版本"] == "尚未发布"
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.dashboard")).one()
    assert audit.actor_user_id == bureau.id
    assert audit.after["table"] == "workbook"


def test_personal_data_in_exports_is_masked_by_role(client, make, login):
    cast = stalled_acquisition(make)
    name, phone = cast.household.real_name, cast.household.phone
    bureau = make.staff(Role.BUREAU_ADMIN)
    login(bureau.username)
    masked = exported(client, "stalled").data.decode("utf-8-sig")
    assert name not in masked
    assert phone not in masked
    assert phone[:3] in masked
    client.post("/auth/logout")
    login(cast.officer.username)
    unmasked = exported(client, "stalled").data.decode("utf-8-sig")
    assert name in unmasked
    assert phone in unmasked
    flags = [e.after["personal_data_masked"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.dashboard").order_by(AuditEvent.id))]
    assert flags == [True, False]
    assert client.get("/bureau/dashboard").status_code == 403


def test_the_public_page_shows_aggregates_and_is_cacheable(ledger, client, make, login):  # noqa: F811
    page = client.get("/progress?program_year=2024")
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "public, max-age=300"
    assert "4 / 10000 套" in text
    assert "中原区" in text
    assert "豫(2016)" not in text
    household = make.household()
    login(household.phone)
    assert client.get("/progress").headers["Cache-Control"] == "private, no-cache"


def test_exports_and_the_audit_log_over_the_api(ledger, client, make):  # noqa: F811
    bureau = make.staff(Role.BUREAU_ADMIN)
    headers = bearer(issue(client, bureau.username).get_json()["token"])
    workbook = client.get("/api/v1/exports/progress?program_year=2024", headers=headers)
    assert workbook.status_code == 200
    assert workbook.mimetype.endswith("spreadsheetml.sheet")
    summary = pd.read_excel(io.BytesIO(workbook.data), sheet_name="汇总", header=4).set_index("指标")
    assert summary.loc["合计", "已完成（套）"] == 4
    months = client.get("/api/v1/exports/progress?format=csv&table=by_month", headers=headers)
    assert months.data.decode("utf-8-sig").splitlines()[0] == "月份,城发集团收购,市场交易,合计"
    assert_envelope(client.get("/api/v1/exports/progress?format=csv", headers=headers), 422, "validation_failed")
    household = make.household()
    assert_envelope(client.get("/api/v1/exports/progress", headers=bearer(issue(client, household.phone)
                                                                           .get_json()["token"])), 403)
    events = client.get("/api/v1/audit-events?action=export.", headers=headers).get_json()
    assert events["total"] == 2
    assert {e["after"]["table"] for e in events["items"]} == {"workbook", "by_month"}
    one = client.get(f"/api/v1/audit-events/{events['items'][0]['id']}", headers=headers).get_json()
    assert one["actor_username"] == bureau.username
    assert_envelope(client.get("/api/v1/audit-events?from=soon", headers=headers), 422)


def test_absorption_counts_live_swaps_per_project_and_drills_down_to_them(make, client, login):
    first, second = Cast(make, unit_price=1_500_000), Cast(make, unit_price=1_600_000)
    drive_to(first, "completed")
    drive_to(second, "completed")
    bureau = make.staff(Role.BUREAU_ADMIN)
    reversed_entry = db.session.scalar(select(GoalLedgerEntry).where(GoalLedgerEntry.new_unit_id == second.unit.id))
    reverse_by_two(make, reversed_entry.id)
    rows = {row.project_id: row for row in monitoring.absorption(ProgressFilters())}
    first_project, second_project = first.unit.building.project_id, second.unit.building.project_id
    assert rows[first_project].sold_through_program == 1
    assert rows[second_project].sold_through_program == 0  # the reversal took it back
    login(bureau.username)
    page = client.get("/bureau/dashboard").get_data(as_text=True)
    assert f"project={first_project}" in page
    for project, expected in ((first_project, 1), (second_project, 0)):
        drill_down = client.get("/bureau/ledger", query_string={"project": project}).get_data(as_text=True)
        assert f"共 {expected} 条" in drill_down
    refused = client.get("/bureau/ledger", query_string={"project": "abc"}).get_data(as_text=True)
    assert 'role="alert"' in refused
    assert "楼盘" in refused.split('role="alert"')[1].split("</div>")[0]


def test_an_export_is_a_job_whose_file_only_its_requester_downloads(client, make, login, app, monkeypatch):
    cast = stalled_acquisition(make)
    login(cast.officer.username)
    download = exported(client, "stalled")
    assert download.status_code == 200
    assert cast.household.phone in download.data.decode("utf-8-sig")
    job = jobs.recent_jobs(limit=1)[0]
    assert (job.kind, job.state, job.requested_by_user_id) == ("dashboard_export", JobState.SUCCEEDED, cast.officer.id)
    # Another officer of the same group, or the bureau, cannot fetch it (it shows personal data).
    for other in (make.staff(Role.CITY_GROUP_OFFICER, organization=cast.officer.organization),
                  make.staff(Role.BUREAU_ADMIN)):
        client.post("/auth/logout")
        login(other.username)
        assert client.get(f"/exports/{job.id}").status_code == 404
        assert client.get(f"/exports/{job.id}/file").status_code == 404
    client.post("/auth/logout")
    login(cast.officer.username)
    later = files.utcnow() + timedelta(days=app.config["IMPORT_REPORT_DAYS"], minutes=1)
    monkeypatch.setattr(files, "utcnow", lambda: later)
    assert "已过保留期限" in client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert client.get(f"/exports/{job.id}/file").status_code == 404


def test_an_export_with_bad_filters_is_refused_on_the_page(client, make, login):
    login(make.staff(Role.BUREAU_ADMIN).username)
    refused = client.post("/bureau/dashboard/exports", data={"from": "2024-05-01", "to": "2024-04-01"})
    assert refused.status_code == 303
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "结束日期不能早于开始日期" in page
    assert jobs.recent_jobs(limit=1) == []
    unknown = client.post("/bureau/dashboard/exports", data={"table": "users"})
    assert "请选择要导出的表" in client.get(unknown.headers["Location"]).get_data(as_text=True)


def test_csv_exports_name_districts_and_write_whole_numbers_and_percentages(ledger, client, make, login):  # noqa: F811
    login(make.staff(Role.BUREAU_ADMIN).username)
    rows = exported(client, "ledger", program_year="2024").data.decode("utf-8-sig").splitlines()
    assert rows[0].split(",")[:4] == ["记录编号", "类型", "渠道", "区县"]
    assert not [row for row in rows if ".0," in row or row.endswith(".0")]  # ids with gaps stay whole
    assert any(",中原区," in row for row in rows)
    districts = exported(client, "by_district", program_year="2024").data.decode("utf-8-sig").splitlines()
    assert districts[0] == "区县,城发集团收购,市场交易,合计,目标份额（套）,完成率"
    assert "410105" not in "".join(districts)
    summary = exported(client, "summary", program_year="2024").data.decode("utf-8-sig")
    assert "合计,10000,4,0.0%" in summary


def test_a_date_filter_means_the_beijing_day(make):
    """Submitted at 17:00 UTC on 3 December, which is 01:00 on 4 December in Zhengzhou."""
    application, _ = submitted_application(make)
    application.submitted_at = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    db.session.commit()

    def found(day_from: date, day_to: date) -> bool:
        query = monitoring.application_filter(select(SwapApplication.id), ProgressFilters(date_from=day_from,
                                                                                          date_to=day_to))
        return application.id in db.session.scalars(query).all()

    assert found(date(2026, 12, 4), date(2026, 12, 4))
    assert not found(date(2026, 12, 3), date(2026, 12, 3))
