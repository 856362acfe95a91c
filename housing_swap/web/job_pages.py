"""Background jobs asked for by a page: starting one, and what its page polls while it runs
(static/js/app.js reloads the page once the job has ended)."""
from __future__ import annotations

from collections.abc import Callable

from flask import Response, jsonify, redirect, url_for

from ..db.models import JobRun, JobState
from ..jobs import dispatch
from ..services import jobs


def started(job: JobRun, page_endpoint: str):
    """Hand the committed job to the runner and send the browser to the job's page."""
    dispatch(job)
    return redirect(url_for(page_endpoint, job_id=job.id), code=303)


def progress_answer(job: JobRun, counted: Callable[[jobs.LiveProgress], str], starting: str) -> Response:
    progress = jobs.live_progress(job)
    if job.finished:
        text = job.state.label
    elif progress.total:
        text = counted(progress)
    else:
        text = starting if job.state == JobState.RUNNING else "等待处理…"
    return jsonify(finished=job.finished, state=job.state.value, done=progress.done, total=progress.total,
                   text=text)
