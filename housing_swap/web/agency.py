"""Agency tools: bulk import with an error report, export, and the import template."""
from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user

from ..db.models import Role
from ..security.access import roles
from ..services import files, listing_import
from ..services.imports import error_report_frame
from ..services.spreadsheets import FORMATS, write_table
from .downloads import spreadsheet_response
from .page_actions import imported, refuse_page

blueprint = Blueprint("agency", __name__, url_prefix="/agency")
agency_only = roles(Role.AGENCY_STAFF)


@blueprint.route("/import", methods=["GET", "POST"])
@agency_only
def import_listings():
    if request.method == "GET":
        return render_template("agency/import.html")
    mode = request.form.get("mode", listing_import.ImportMode.ALL_OR_NOTHING.value)
    if mode not in tuple(listing_import.ImportMode):
        refuse_page("agency/import.html", problem="请选择导入方式")
    result = imported("agency/import.html", "请选择要导入的CSV或XLSX文件",
                      lambda upload: listing_import.import_listings(upload, current_user, listing_import.ImportMode(mode)),
                      rejected_context=lambda rejected: {"report": _save_report(rejected.row_errors), "rejected": True})
    report = _save_report(result.errors) if result.errors else None
    return render_template("agency/import.html", result=result, errors=result.errors, report=report)


def _save_report(errors) -> str:
    """Keep the error report for this organization; the token names the file."""
    return files.save_import_report(current_user.organization_id,
                                    write_table(error_report_frame(errors), "xlsx", "错误报告"))


@blueprint.route("/import/report/<token>.xlsx")
@agency_only
def import_report(token: str):
    content = files.import_report(current_user.organization_id, token)
    if content is None:
        abort(404)
    return send_file(io.BytesIO(content), mimetype=files.XLSX, as_attachment=True,
                     download_name="导入错误报告.xlsx")


@blueprint.route("/export.<file_format>")
@agency_only
def export(file_format: str):
    if file_format not in FORMATS:
        abort(404)
    return spreadsheet_response(listing_import.export_listings(current_user, file_format), "房源导出", file_format)


@blueprint.route("/template.<file_format>")
@agency_only
def template(file_format: str):
    if file_format not in FORMATS:
        abort(404)
    return spreadsheet_response(listing_import.import_template(file_format), "房源导入模板", file_format)
