"""The bureau's dashboard, its exports and drill-downs, and the public transparency page."""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from flask_login import current_user

from ..db.models import Role
from ..domain.applications import STATUS_LABELS
from ..domain.districts import ZHENGZHOU_DISTRICTS
from ..domain.fields import optional_integer, page_number
from ..security.access import public, roles
from ..services import exports, monitoring
from ..services.errors import ValidationFailed
from ..services.progress import ProgressFilters, parse_progress_filters, progress_report
from . import charts
from .downloads import spreadsheet_response

blueprint = Blueprint("dashboard", __name__)
bureau_only = roles(Role.BUREAU_ADMIN)
TRANSPARENCY_CACHE_SECONDS = 300


def _filters() -> tuple[ProgressFilters, dict[str, list[str]]]:
    """The page's filters; bad ones are reported and ignored rather than failing the page."""
    try:
        return parse_progress_filters(request.args.to_dict()), {}
    except ValidationFailed as error:
        return ProgressFilters(), error.details


def _stall_days() -> int:
    return optional_integer(request.args.get("stall_days"), 1, 365) or monitoring.DEFAULT_STALL_DAYS


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
                           query=request.args.to_dict(), tables=exports.SHEETS)


@blueprint.route("/bureau/dashboard/export.xlsx")
@roles(*exports.EXPORT_ROLES)
def export_workbook():
    filters, _ = _filters()
    content = exports.export(filters, current_user, "xlsx", stall_days=_stall_days())
    return spreadsheet_response(content, "以旧换新进度报表", "xlsx")


@blueprint.route("/bureau/dashboard/export/<any(summary, years, by_district, by_month, funnel, absorption, ledger, stalled):table>.csv")
@roles(*exports.EXPORT_ROLES)
def export_table(table: str):
    filters, _ = _filters()
    content = exports.export(filters, current_user, "csv", table=table, stall_days=_stall_days())
    return spreadsheet_response(content, exports.SHEETS[table], "csv")


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
