"""What every background job's page polls while the job runs (static/js/app.js reloads the page
once it has ended)."""
from __future__ import annotations

from collections.abc import Callable

from flask import Response, jsonify

from ..db.models import JobRun, JobState
from ..services import jobs


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
