"""The bureau's dashboard, its exports and drill-downs, and the public transparency page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ..db.models import JobState, Role
from ..domain.acquisitions import WAITING_FOR
from ..domain.applications import STATUS_LABELS
from ..domain.districts import ZHENGZHOU_DISTRICTS
from ..domain.fields import optional_integer, page_number
from ..security.access import public, roles
from ..services import export_jobs, exports, monitoring
from ..services.errors import ServiceError, ValidationFailed
from ..services.progress import PROGRESS_FILTER_FIELDS, ProgressFilters, parse_progress_filters, progress_report
from . import charts
from .downloads import spreadsheet_response
from .job_pages import progress_answer, started

blueprint = Blueprint("dashboard", __name__)
bureau_only = roles(Role.BUREAU_ADMIN)
exporters = roles(*exports.EXPORT_ROLES)
FILTER_NAMES = frozenset(field.name for field in PROGRESS_FILTER_FIELDS)
TRANSPARENCY_CACHE_SECONDS = 300


def _filters() -> tuple[ProgressFilters, dict[str, list[str]]]:
    """The page's filters; bad ones are reported and ignored rather than failing the page."""
    try:
        return parse_progress_filters(request.args.to_dict()), {}
    except ValidationFailed as error:
        return ProgressFilters(), error.details


def _stall_days(source=None) -> int:
    return (optional_integer((source or request.args).get("stall_days"), 1, 365)
            or monitoring.DEFAULT_STALL_DAYS)


@blueprint.route("/bureau/dashboard")
@bureau_only
def index():
    filters, errors = _filters()
    board = monitoring.dashboard(filters, _stall_days())
    weekly = charts.line_chart("按周累计完成与目标进度", [f"{p.week_start:%m-%d}" for p in board.weekly],
                               [p.cumulative for p in board.weekly], [p.planned for p in board.weekly])
    districts = charts.bar_chart("各区县完成量（城发集团收购 / 市场交易）", [
        (row["name"], row["city_group"], row["market"]) for row in board.report["by_district"]])
    return render_template("dashboard/index.html", board=board, filters=filters, errors=errors,
                           weekly_chart=weekly, district_chart=districts, districts=ZHENGZHOU_DISTRICTS,
                           query=request.args.to_dict(), tables=exports.SHEETS, waiting_for=WAITING_FOR)


@blueprint.route("/bureau/dashboard/exports", methods=["POST"])
@exporters
def queue_export():
    """The workbook, or one table as CSV (``table``), built by the job worker for the page's filters."""
    filter_args = {name: value for name, value in request.form.items() if name in FILTER_NAMES and value}
    try:
        job = export_jobs.queue_export(filter_args, current_user, request.form.get("table") or None,
                                       _stall_days(request.form))
    except ServiceError as refused:
        details = [message for messages in refused.details.values() for message in messages]
        flash("：".join([refused.message, "；".join(details)]) if details else refused.message, "error")
        return redirect(url_for("dashboard.index", **filter_args), code=303)
    return started(job, "dashboard.export_job")


@blueprint.route("/exports/<int:job_id>")
@exporters
def export_job(job_id: int):
    job = export_jobs.export_for_viewing(job_id, current_user)
    return render_template("dashboard/export_job.html", job=job, name=export_jobs.download_name(job),
                           expired=job.state == JobState.SUCCEEDED
                           and export_jobs.export_file(job_id, current_user) is None)


@blueprint.route("/exports/<int:job_id>/progress")
@exporters
def export_job_progress(job_id: int):
    return progress_answer(export_jobs.export_for_viewing(job_id, current_user),
                           lambda progress: "正在生成报表…", "正在生成报表…")


@blueprint.route("/exports/<int:job_id>/file")
@exporters
def export_download(job_id: int):
    found = export_jobs.export_file(job_id, current_user)
    if found is None:
        abort(404)
    job, content = found
    return spreadsheet_response(content, export_jobs.download_name(job), export_jobs.file_format(job))


@blueprint.route("/bureau/applications")
@bureau_only
def applications():
    """The applications behind a funnel figure."""
    filters, errors = _filters()
    stage = request.args.get("stage", "submitted")
    stage = stage if stage in dict(monitoring.FUNNEL_LABELS) else "submitted"
    page = page_number(request.args.get("page"))
    found = monitoring.applications_at_stage(stage, filters, page)
    return render_template("dashboard/applications.html", rows=found.items, total=found.total, page=found.page,
                           pages=found.pages, stage=stage, stages=monitoring.FUNNEL_LABELS,
                           status_labels=STATUS_LABELS, errors=errors, query=request.args.to_dict())


@blueprint.route("/progress")
@public
def transparency():
    """Aggregate progress for the public: no personal data, linkable, cached for a few minutes."""
    filters, errors = _filters()
    report = progress_report(filters)
    chart = charts.bar_chart("各区县完成量（城发集团收购 / 市场交易）", [
        (row["name"], row["city_group"], row["market"]) for row in report["by_district"]])
    response = make_response(render_template("dashboard/transparency.html", report=report, filters=filters,
                                             errors=errors, district_chart=chart, districts=ZHENGZHOU_DISTRICTS))
    # Shared caches may keep the anonymous page; a signed-in page carries the user's name in its header.
    response.headers["Cache-Control"] = "private, no-cache" if current_user.is_authenticated else \
        f"public, max-age={TRANSPARENCY_CACHE_SECONDS}"
    response.vary.add("Cookie")
    return response
