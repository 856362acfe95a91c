"""Running one job in the worker: inside the app, recorded from start to end, retried on failure."""
from __future__ import annotations

import logging

from flask import Flask

from ..extensions import db
from ..services import jobs
from ..services.exclusive_runs import AlreadyRunning, exclusive_run
from ..services.unit_of_work import discard_unfinished_work
from .broker import dispatch
from .kinds import JOB_KINDS

log = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 30


def execute(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            _execute(job_id)
        finally:
            db.session.remove()


def run_periodic(app: Flask, kind: str) -> None:
    """A scheduled job is recorded like any other and run here, in the worker that fired it."""
    with app.app_context():
        try:
            job = jobs.queue_job(kind, {})
            _execute(job.id)
        finally:
            db.session.remove()


def _execute(job_id: int) -> None:
    """Under the job's run lock, taken before the job is marked running: a job marked running
    whose lock is free has lost its worker (``jobs.requeue_lost_jobs``)."""
    try:
        with exclusive_run(jobs.job_lock(job_id)):
            _run(job_id)
    except AlreadyRunning:
        log.info("job %s is being run by another worker", job_id)


def _run(job_id: int) -> None:
    job = jobs.start(job_id)
    if job is None:
        return
    kind = JOB_KINDS[job.kind]
    try:
        # A kind may name its own job (a notification linking to the job's page).
        result = kind.run({**job.params, "job_id": job.id}, lambda done, total: jobs.report_progress(job, done, total))
    except jobs.JobCancelled:
        discard_unfinished_work()
        jobs.cancelled(job_id)
    except AlreadyRunning as running:
        discard_unfinished_work()
        jobs.succeed(job_id, {"skipped": running.message})
    except Exception as error:  # noqa: BLE001 - any failure is recorded, retried, and logged
        discard_unfinished_work()
        log.exception("job %s (%s) failed", job_id, job.kind)
        retry = jobs.retries_left(job_id)
        jobs.failed(job_id, f"{type(error).__name__}: {error}", will_retry=retry)
        if retry:
            attempts = jobs.job_by_id(job_id).attempts
            dispatch(jobs.job_by_id(job_id), delay_s=RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    else:
        jobs.succeed(job_id, result)
