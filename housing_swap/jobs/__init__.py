"""The job runner: huey, on a real broker.

Why huey: one small, well-kept library that gives the same task code an embedded broker on the
embedded default (``SqliteHuey``: a queue file in ``instance/``, served by ``flask jobs worker``)
and Redis at scale (``RedisHuey``, Redis from Debian), with periodic schedules defined in code,
delays for retries and a consumer with thread workers; procrastinate would need PostgreSQL even on
the embedded default, and rq/dramatiq need Redis everywhere.

Every job is a ``job_run`` row (``services/jobs.py``) first: the request that asks for one commits
the row, then :func:`dispatch` hands its id to the broker; the worker runs it and records how it
ended. A job that fails is retried with a doubling delay (``MAX_ATTEMPTS`` in all), and a job whose
worker died is found by the ``jobs_recover`` schedule and queued again; failures stay visible on the
bureau administrator's job page. Periodic work (alerts, expiry, matching, the search outbox) is a
job row too, and batch jobs take their run lock (``services/exclusive_runs``), so schedules firing
on several workers at once do the work once.

``HOUSING_SWAP_JOB_BROKER=immediate`` runs each job in the process that dispatches it (tests and
one-process development; no worker needed).
"""
from __future__ import annotations

from flask import Flask
from huey import crontab

from .broker import dispatch, make_broker
from .execution import execute, run_periodic
from .kinds import JOB_KINDS, PERIODIC


def install_jobs(app: Flask) -> None:
    huey = make_broker(app)
    app.extensions["huey"] = huey
    app.extensions["job_task"] = huey.task(name="housing_swap.run_job")(lambda job_id: execute(app, job_id))
    for name, schedule in PERIODIC.items():
        huey.periodic_task(crontab(**schedule), name=f"housing_swap.periodic.{name}")(_periodic(app, name))


def _periodic(app: Flask, name: str):
    return lambda: run_periodic(app, name)


__all__ = ["JOB_KINDS", "dispatch", "install_jobs"]
