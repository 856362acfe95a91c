"""An agency's listing import as a background job: the page stores the file and queues the job;
the worker imports it with progress (and can be told to stop); the page reads how it ended."""
from __future__ import annotations

import secrets
from collections.abc import Callable

from ..db.models import JobRun, Role, User
from ..extensions import db
from .audit import record_event
from .errors import Forbidden, ValidationFailed
from .files import XLSX, Generated, file_store, save_generated
from .imports import ImportRejected, RowError, error_report_frame
from .jobs import create_job
from .listing_import import ImportMode, import_listings
from .notifications import notify
from .spreadsheets import MAX_UPLOAD_BYTES, Upload, write_table
from .unit_of_work import unit_of_work, use_case

KIND = "listing_import"
ALLOWED_EXTENSIONS = ("csv", "xlsx")
LISTED_ERRORS = 200


@use_case
def queue_import(upload: Upload, user: User, mode: ImportMode) -> JobRun:
    """Checks that need no reading of the file happen now, so the page can answer at once."""
    if user.role != Role.AGENCY_STAFF:
        raise Forbidden("只有经纪机构可以批量导入房源")
    if upload.extension not in ALLOWED_EXTENSIONS:
        raise ValidationFailed("只支持 .csv 或 .xlsx 文件", {"file": ["只支持 .csv 或 .xlsx 文件"]})
    if not upload.content:
        raise ValidationFailed("上传的文件是空的", {"file": ["上传的文件是空的"]})
    if len(upload.content) > MAX_UPLOAD_BYTES:
        message = f"文件不能超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB"
        raise ValidationFailed(message, {"file": [message]})
    key = f"uploads/{user.organization_id}/{secrets.token_hex(12)}.{upload.extension}"
    file_store().put(key, upload.content, "application/octet-stream")
    job = create_job(KIND, {"file_key": key, "filename": upload.filename[:200], "mode": mode.value,
                            "user_id": user.id}, user)
    record_event("listing.import_queued", "job_run", job.id, actor=user,
                 after={"file": upload.filename[:200], "mode": mode.value, "bytes": len(upload.content)})
    return job


def run_import(params: dict, progress: Callable[[int, int], None]) -> dict:
    """The worker's part. A rejected file is a result (with its errors and report), not a failure."""
    user = db.session.get(User, params["user_id"])
    if user is None or user.organization_id is None:
        raise Forbidden("提交导入的账户已不存在或不属于经纪机构")
    upload = Upload(params["filename"], file_store().get(params["file_key"]))
    try:
        result = import_listings(upload, user, ImportMode(params["mode"]), progress=progress)
    except ImportRejected as rejected:
        outcome = {"rejected": True, "problem": rejected.message, **_errors(user, rejected.row_errors)}
    except ValidationFailed as refused:
        outcome = {"rejected": True, "problem": refused.message, "errors": [], "error_count": 0, "report": None}
    else:
        outcome = {"rejected": False, **result.as_dict(), **_errors(user, result.errors)}
    file_store().delete(params["file_key"])
    _tell_the_requester(user, params, outcome)
    return outcome


def _tell_the_requester(user: User, params: dict, outcome: dict) -> None:
    if outcome["rejected"]:
        title, body = "批量导入未完成", f"“{params['filename']}”未导入：{outcome['problem']}"
    else:
        title = "批量导入完成"
        body = (f"“{params['filename']}”：新增{outcome['created']}套，更新{outcome['updated']}套，"
                f"未变{outcome['unchanged']}套，有误{outcome['error_count']}行。")
    with unit_of_work():
        notify(user.id, "import_finished", title, body, f"/agency/import/jobs/{params['job_id']}")


def _errors(user: User, errors: list[RowError]) -> dict:
    # The page lists the first errors; the report (a spreadsheet) has every one.
    listed = [{"row": e.row, "column": e.column, "message": e.message} for e in errors[:LISTED_ERRORS]]
    report = None
    if errors:
        report = save_generated(Generated.IMPORT_REPORTS, user.organization_id or 0,
                                write_table(error_report_frame(errors), "xlsx", "错误报告"), "xlsx", XLSX)
    return {"errors": listed, "error_count": len(errors), "report": report}
