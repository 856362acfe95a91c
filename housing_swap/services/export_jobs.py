"""The dashboard's exports as background jobs: the page asks for one, the worker builds the file
into the file store, and the page offers it to whoever asked (and nobody else: it may carry
personal data their role may see) until it expires with the other generated files."""
from __future__ import annotations

from collections.abc import Callable

from ..db.models import JobRun, JobState, User
from ..extensions import db
from . import exports
from .audit import record_event
from .errors import Forbidden, NotFound, ValidationFailed
from .files import Generated, generated, save_generated
from .jobs import create_job, job_for_viewing
from .progress import parse_progress_filters
from .spreadsheets import MIMETYPES
from .unit_of_work import use_case

KIND = "dashboard_export"


@use_case
def queue_export(filter_args: dict[str, str], user: User, table: str | None, stall_days: int) -> JobRun:
    """What can be checked without building the file is checked now, so the page answers at once."""
    if user.role not in exports.EXPORT_ROLES:
        raise Forbidden("只有住房保障局和城发集团可以导出报表")
    if table is not None and table not in exports.SHEETS:
        raise ValidationFailed("没有这张表", {"table": ["请选择要导出的表"]})
    parse_progress_filters(filter_args)  # refused here with the page's own messages
    job = create_job(KIND, {"filters": filter_args, "table": table, "stall_days": stall_days,
                            "user_id": user.id}, user)
    record_event("export.queued", "job_run", job.id, actor=user,
                 after={"table": table or "workbook", "filters": filter_args})
    return job


def run_export(params: dict, progress: Callable[[int, int], None]) -> dict:
    """The worker's part: the export use case (audited), then the file kept for its owner."""
    user = db.session.get(User, params["user_id"])
    if user is None or user.role not in exports.EXPORT_ROLES:
        raise Forbidden("提交导出的账户已不存在或无权导出")
    table = params["table"]
    extension = _extension(table)
    progress(0, 1)
    content = exports.export(parse_progress_filters(params["filters"]), user, extension, table=table,
                             stall_days=params["stall_days"])
    token = save_generated(Generated.EXPORTS, user.id, content, extension, MIMETYPES[extension])
    progress(1, 1)
    return {"token": token, "format": extension, "bytes": len(content)}


def export_for_viewing(job_id: int, user: User) -> JobRun:
    job = job_for_viewing(job_id, user)
    if job.kind != KIND or job.requested_by_user_id != user.id:
        raise NotFound("任务不存在")
    return job


def export_file(job_id: int, user: User) -> tuple[JobRun, bytes] | None:
    """The finished export's file for the user who asked for it; None once it has expired."""
    job = export_for_viewing(job_id, user)
    if job.state != JobState.SUCCEEDED or not job.result:
        raise NotFound("导出尚未完成")
    content = generated(Generated.EXPORTS, user.id, job.result["token"], job.result["format"])
    return None if content is None else (job, content)


def file_format(job: JobRun) -> str:
    return _extension(job.params["table"])


def _extension(table: str | None) -> str:
    return "csv" if table else "xlsx"


def download_name(job: JobRun) -> str:
    table = job.params["table"]
    return exports.SHEETS[table] if table else "以旧换新进度报表"
