"""Agency tools: bulk import with an error report, export, and the import template."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..db.models import Role
from ..security.access import roles
from ..services import files, import_jobs, jobs, listing_import
from ..services.errors import ServiceError
from ..services.spreadsheets import FORMATS
from .downloads import spreadsheet_response
from .job_pages import progress_answer, started
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
    job = imported("agency/import.html", "请选择要导入的CSV或XLSX文件",
                   lambda upload: import_jobs.queue_import(upload, current_user, listing_import.ImportMode(mode)))
    return started(job, "agency.import_job")


@blueprint.route("/import/jobs/<int:job_id>")
@agency_only
def import_job(job_id: int):
    """The import's progress while it runs (the page refreshes itself), then how it ended."""
    job = jobs.job_for_viewing(job_id, current_user)
    return render_template("agency/import_job.html", job=job, progress=jobs.live_progress(job),
                           result=job.result or {})


@blueprint.route("/import/jobs/<int:job_id>/progress")
@agency_only
def import_job_progress(job_id: int):
    """What the job page polls while the import runs."""
    return progress_answer(jobs.job_for_viewing(job_id, current_user),
                           lambda progress: f"已写入 {progress.done} / {progress.total} 行", "正在校验文件…")


@blueprint.route("/import/jobs/<int:job_id>/cancel", methods=["POST"])
@agency_only
def cancel_import_job(job_id: int):
    try:
        jobs.request_cancel(job_id, current_user)
    except ServiceError as refused:
        flash(refused.message, "error")
    else:
        flash("已请求取消：导入将停止，已处理的数据不会保存", "success")
    return redirect(url_for("agency.import_job", job_id=job_id), code=303)


@blueprint.route("/import/report/<token>.xlsx")
@agency_only
def import_report(token: str):
    content = files.generated(files.Generated.IMPORT_REPORTS, current_user.organization_id, token, "xlsx")
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
