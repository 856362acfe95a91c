"""Background jobs as records: created with the request that asks for one, advanced by the worker.

The row in ``job_run`` is the truth every machine reads (state, result, error). While a job runs,
its live progress and a cancel request travel through the file store instead of the database
(``jobs/<id>/progress.json``, ``jobs/<id>/cancel``): a long import holds its database transaction
open until it commits (all or nothing), and on SQLite a second writer would wait on it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..db.base import utcnow
from ..db.models import JobRun, JobState, Role, User
from ..extensions import db
from ..storage import FileMissing
from .audit import record_event
from .errors import Conflict, NotFound, ServiceError
from .exclusive_runs import held_elsewhere
from .files import file_store
from .unit_of_work import use_case

STALE_AFTER = timedelta(minutes=5)  # a queued job waiting this long may never have reached the broker
MAX_ATTEMPTS = 3


class JobCancelled(ServiceError):
    http_status = 409
    code = "cancelled"

    def __init__(self):
        super().__init__("任务已取消，未保存任何数据")


@dataclass(frozen=True)
class LiveProgress:
    done: int
    total: int | None
    at: datetime | None


def create_job(kind: str, params: dict, user: User | None) -> JobRun:
    """A queued job; the calling use case commits it, then hands it to the runner."""
    job = JobRun(kind=kind, params=params, state=JobState.QUEUED,
                 requested_by_user_id=user.id if user else None,
                 organization_id=user.organization_id if user else None)
    db.session.add(job)
    db.session.flush()
    return job


@use_case
def queue_job(kind: str, params: dict, user: User | None = None) -> JobRun:
    """A job of its own (periodic work, an operator's command), committed at once."""
    return create_job(kind, params, user)


def job_by_id(job_id: int) -> JobRun:
    job = db.session.get(JobRun, job_id)
    if job is None:
        raise NotFound("任务不存在")
    return job


def job_for_viewing(job_id: int, user: User) -> JobRun:
    """A job is seen by whoever asked for it, their organization, and the bureau administrator."""
    job = db.session.get(JobRun, job_id)
    if job is None or not (user.role == Role.BUREAU_ADMIN or job.requested_by_user_id == user.id
                           or (job.organization_id is not None and job.organization_id == user.organization_id)):
        raise NotFound("任务不存在")
    return job


def recent_jobs(limit: int = 100, state: JobState | None = None) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if state is not None:
        query = query.where(JobRun.state == state)
    return list(db.session.scalars(query))


def request_cancel(job_id: int, user: User) -> JobRun:
    job = job_for_viewing(job_id, user)
    if job.finished:
        raise Conflict("任务已结束，无法取消")
    file_store().put(_cancel_key(job), b"1", "text/plain")
    return job


# ----- what the worker calls ----------------------------------------------------------------

@use_case
def start(job_id: int) -> JobRun | None:
    """Mark the job running (one more attempt); None when there is nothing to do: it has ended, or
    another worker runs it (a job handed to the broker twice runs once)."""
    job = db.session.get(JobRun, job_id, with_for_update=True)
    if job is None or job.state != JobState.QUEUED:
        return None
    if _cancel_requested(job):
        _end(job, JobState.CANCELLED, error="取消于开始之前")
        return None
    job.state, job.attempts = JobState.RUNNING, job.attempts + 1
    job.started_at = job.heartbeat_at = utcnow()
    return job


def report_progress(job: JobRun, done: int, total: int | None) -> None:
    """Publish live progress; raise JobCancelled when a cancel was asked for (the job's use case
    then rolls back whatever it had written)."""
    payload = {"done": done, "total": total, "at": utcnow().isoformat()}
    file_store().put(_progress_key(job), json.dumps(payload).encode(), "application/json")
    if _cancel_requested(job):
        raise JobCancelled()


def live_progress(job: JobRun) -> LiveProgress:
    if job.finished:
        return LiveProgress(job.progress_done, job.progress_total, job.finished_at)
    try:
        payload = json.loads(file_store().get(_progress_key(job)))
    except (FileMissing, ValueError):
        return LiveProgress(job.progress_done, job.progress_total, job.heartbeat_at)
    return LiveProgress(int(payload["done"]), payload.get("total"), datetime.fromisoformat(payload["at"]))


@use_case
def succeed(job_id: int, result: dict) -> None:
    job = _locked(job_id)
    progress = live_progress(job)
    job.progress_done, job.progress_total = progress.done, progress.total
    _end(job, JobState.SUCCEEDED, result=result)


@use_case
def cancelled(job_id: int) -> None:
    _end(_locked(job_id), JobState.CANCELLED, error="已按请求取消，未保存任何数据")


@use_case
def failed(job_id: int, error: str, will_retry: bool) -> None:
    """A failed attempt: queued again while attempts remain, else failed for good (and audited)."""
    job = _locked(job_id)
    job.error = error[:4000]
    if will_retry:
        job.state = JobState.QUEUED
        return
    _end(job, JobState.FAILED, error=job.error)
    record_event("job.failed", "job_run", job.id, outcome="failure", after={"kind": job.kind, "error": job.error[:500]})


def retries_left(job_id: int) -> bool:
    job = db.session.get(JobRun, job_id)
    return job is not None and job.attempts < MAX_ATTEMPTS


def job_lock(job_id: int) -> str:
    """The run lock a worker holds from before it starts the job until its end is committed."""
    return f"job {job_id}"


@use_case
def requeue_lost_jobs(now: datetime | None = None) -> list[int]:
    """Jobs to hand to the broker again: running ones whose run lock nobody holds lost their
    worker (the lock goes with the process, so this needs no guess at how long a job may be
    silent) and go back to the queue; queued ones waiting longer than STALE_AFTER may never have
    reached the broker (it was unreachable just after their row committed). Handing a job over
    twice is harmless: it starts only from the queued state."""
    cutoff = (now or utcnow()) - STALE_AFTER
    waiting = list(db.session.scalars(select(JobRun.id).where(JobRun.state == JobState.QUEUED,
                                                              JobRun.enqueued_at < cutoff,
                                                              JobRun.attempts == 0)))
    running = db.session.scalars(select(JobRun).where(JobRun.state == JobState.RUNNING)
                                 .with_for_update(skip_locked=True))
    lost = [job for job in running if not held_elsewhere(job_lock(job.id))]
    for job in lost:
        job.state = JobState.QUEUED if job.attempts < MAX_ATTEMPTS else JobState.FAILED
        job.error = "处理任务的进程中断，已重新排队" if job.state == JobState.QUEUED else "多次中断，已停止重试"
    return waiting + [job.id for job in lost if job.state == JobState.QUEUED]


@dataclass(frozen=True)
class QueueFigures:
    queued: int
    oldest_queued_age_s: float
    running: int
    failed: int


def queue_figures(now: datetime | None = None) -> QueueFigures:
    counts = dict(db.session.execute(select(JobRun.state, func.count()).group_by(JobRun.state)).all())
    oldest = db.session.scalar(select(func.min(JobRun.enqueued_at)).where(JobRun.state == JobState.QUEUED))
    age = max(((now or utcnow()) - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return QueueFigures(counts.get(JobState.QUEUED, 0), age, counts.get(JobState.RUNNING, 0),
                        counts.get(JobState.FAILED, 0))


def _locked(job_id: int) -> JobRun:
    job = db.session.get(JobRun, job_id, with_for_update=True)
    if job is None:
        raise NotFound("任务不存在")
    return job


def _end(job: JobRun, state: JobState, result: dict | None = None, error: str | None = None) -> None:
    job.state, job.finished_at = state, utcnow()
    for key in (_progress_key(job), _cancel_key(job)):  # the row now says how far it got
        file_store().delete(key)
    if result is not None:
        job.result = result
    if error is not None:
        job.error = error


def _cancel_requested(job: JobRun) -> bool:
    try:
        file_store().stat(_cancel_key(job))
    except FileMissing:
        return False
    return True


def _progress_key(job: JobRun) -> str:
    return f"jobs/{job.token}/progress.json"


def _cancel_key(job: JobRun) -> str:
    return f"jobs/{job.token}/cancel"
