"""``flask jobs worker|status|run|enqueue``: the job runner from the command line."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..db.models import JobState
from ..jobs import JOB_KINDS, dispatch
from ..jobs.broker import broker_of
from ..jobs.execution import run_periodic
from ..services import jobs

jobs_group = AppGroup("jobs", help="Background jobs (huey; HOUSING_SWAP_JOB_BROKER).")
KIND_CHOICE = click.Choice(sorted(JOB_KINDS))


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@click.option("--no-periodic", is_flag=True, help="Do not fire the periodic schedules from this worker.")
def worker(workers: int, no_periodic: bool) -> None:
    """Run jobs until stopped (Ctrl-C or SIGTERM finishes the jobs in hand first)."""
    huey = broker_of(current_app)
    click.echo(f"job worker: {workers} thread(s) on {type(huey).__name__}"
               f"{'' if no_periodic else ', firing the periodic schedules'}")
    # Poll an idle queue at least every second (huey's default backs off to 10 s): an agency
    # waiting on its import should not wait on the poll.
    huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic,
                         initial_delay=0.1, backoff=1.15, max_delay=1.0, check_worker_health=True).run()


@jobs_group.command("status")
def status() -> None:
    """Queue depth, running jobs and the latest failures."""
    figures = jobs.queue_figures()
    click.echo(f"queued {figures.queued} (oldest {figures.oldest_queued_age_s:.0f} s), "
               f"running {figures.running}, failed {figures.failed}")
    for job in jobs.recent_jobs(limit=10, state=JobState.FAILED):
        click.echo(f"  failed #{job.id} {job.kind} at {job.finished_at:%Y-%m-%d %H:%M} UTC: {job.error}")


@jobs_group.command("run")
@click.argument("kind", type=KIND_CHOICE)
def run_now(kind: str) -> None:
    """Run a job here and now (recorded like a scheduled one)."""
    run_periodic(current_app._get_current_object(), kind)  # type: ignore[attr-defined]
    job = jobs.recent_jobs(limit=1)[0]
    click.echo(f"job #{job.id} {kind}: {job.state.value}; {job.result or job.error or ''}")
    if job.state == JobState.FAILED:
        raise SystemExit(1)


@jobs_group.command("enqueue")
@click.argument("kind", type=KIND_CHOICE)
def enqueue(kind: str) -> None:
    """Queue a job for the workers."""
    job = jobs.queue_job(kind, {})
    dispatch(job)
    click.echo(f"job #{job.id} {kind} queued")
