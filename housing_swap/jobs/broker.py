"""The broker behind the job runner, from ``HOUSING_SWAP_JOB_BROKER``."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from ..db.models import JobRun

HUEY_NAME = "housing_swap"


def make_broker(app: Flask) -> Huey:
    broker = app.config.get("JOB_BROKER", "sqlite")
    if broker == "redis":
        return RedisHuey(HUEY_NAME, url=app.config["REDIS_URL"], utc=True)
    if broker == "immediate":
        return MemoryHuey(HUEY_NAME, immediate=True, utc=True)
    return SqliteHuey(HUEY_NAME, filename=str(Path(app.instance_path) / "jobs.sqlite3"), utc=True)


def dispatch(job: JobRun, delay_s: int = 0) -> None:
    """Hand a committed job to the broker (after its row is committed: the worker reads it)."""
    task = current_app.extensions["job_task"]
    if delay_s:
        task.schedule((job.id,), delay=delay_s)
    else:
        task(job.id)


def broker_of(app: Flask) -> Huey:
    return app.extensions["huey"]
