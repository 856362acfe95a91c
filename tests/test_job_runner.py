"""The job runner for real: `flask jobs worker` processes on the queue file (embedded default) or
Redis (CI's server run), an import queued through the page, progress, cancel, failures and a
worker killed in the middle of an import."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from housing_swap.db.models import JobRun, JobState, Listing, Role
from housing_swap.extensions import db
from housing_swap.jobs import JOB_KINDS, dispatch
from housing_swap.jobs.execution import execute
from housing_swap.jobs.kinds import JobKind
from housing_swap.services import jobs
from housing_swap.services.exclusive_runs import held_elsewhere
from tests.conftest import TEST_DATA_KEY, make_test_app, server_url
from tests.listings.helpers import listing_fields
from tests.listings.test_pages import agency_file

FLASK = str(Path(sys.executable).parent / "flask")


@pytest.fixture
def queued_app(app, tmp_path):
    """The suite's app, but queuing on the real broker of this run instead of running jobs inline."""
    server = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    if server:
        app.config.update(JOB_BROKER="redis", REDIS_URL=server_url("HOUSING_SWAP_TEST_REDIS_URL", "Redis"))
    else:
        app.config["JOB_BROKER"] = "sqlite"
    queued = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path),
                           JOB_BROKER=app.config["JOB_BROKER"], REDIS_URL=app.config.get("REDIS_URL", ""),
                           WTF_CSRF_ENABLED=False)
    if server:
        queued.extensions["huey"].flush()  # a queue of this test's own
    yield queued
    with queued.app_context():
        db.engine.dispose()


def worker_environment(app) -> dict:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("HOUSING_SWAP_")}
    environment.update({
        "FLASK_APP": "housing_swap", "HOUSING_SWAP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HOUSING_SWAP_INSTANCE_PATH": app.instance_path, "HOUSING_SWAP_SECRET_KEY": app.config["SECRET_KEY"],
        "HOUSING_SWAP_DATA_KEY": TEST_DATA_KEY, "HOUSING_SWAP_JOB_BROKER": app.config["JOB_BROKER"],
        "HOUSING_SWAP_SEARCH_BACKEND": app.config["SEARCH_BACKEND"], "HOUSING_SWAP_LOG_LEVEL": "WARNING",
        "HOUSING_SWAP_ELASTICSEARCH_URL": app.config["ELASTICSEARCH_URL"],
        "HOUSING_SWAP_ELASTICSEARCH_INDEX_PREFIX": app.config["ELASTICSEARCH_INDEX_PREFIX"],
    })
    if app.config["JOB_BROKER"] == "redis":
        environment["HOUSING_SWAP_REDIS_URL"] = app.config["REDIS_URL"]
    if app.config["STORAGE_BACKEND"] == "s3":
        environment.update({"HOUSING_SWAP_STORAGE": "s3", "HOUSING_SWAP_S3_ENDPOINT_URL": app.config["S3_ENDPOINT_URL"],
                            "HOUSING_SWAP_S3_BUCKET": app.config["S3_BUCKET"],
                            "HOUSING_SWAP_S3_ACCESS_KEY_ID": app.config["S3_ACCESS_KEY_ID"],
                            "HOUSING_SWAP_S3_SECRET_ACCESS_KEY": app.config["S3_SECRET_ACCESS_KEY"],
                            "HOUSING_SWAP_S3_PREFIX": app.config["S3_PREFIX"]})
    return environment


def start_worker(app) -> subprocess.Popen:
    log = Path(app.instance_path) / "worker.log"
    with log.open("ab") as output:  # the child keeps its own copy of the handle
        return subprocess.Popen([FLASK, "jobs", "worker", "--workers", "1", "--no-periodic"],
                                env=worker_environment(app), stdout=output, stderr=subprocess.STDOUT)


def stop(worker: subprocess.Popen, kill: bool = False) -> None:
    worker.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    worker.wait(timeout=30)


def wait_for(condition, timeout_s: float = 60.0, what: str = "the job", log: Path | None = None,
             every_s: float = 0.2):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        db.session.expire_all()
        value = condition()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"timed out waiting for {what}" + (f"; worker said: {log.read_text()[-3000:]}"
                                                             if log and log.exists() else ""))


def run_worker_until(queued_app, job_id: int, state: JobState, timeout_s: float = 60.0) -> None:
    worker = start_worker(queued_app)
    try:
        wait_for(lambda: job_state(job_id) == state, timeout_s=timeout_s,
                 log=Path(queued_app.instance_path) / "worker.log")
    finally:
        stop(worker)


def post_import(queued_app, rows, mode="all_or_nothing"):
    client = queued_app.test_client()
    login = client.post("/auth/login", data={"login": "agent-q", "password": "Zz-test-pass-2024"})
    assert login.status_code == 302
    answer = client.post("/agency/import", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(agency_file(rows)), "房源.xlsx"), "mode": mode})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    job_page = answer.headers["Location"]
    return client, job_page, int(job_page.rstrip("/").split("/")[-1])


def job_state(job_id: int) -> JobState:
    return db.session.get(JobRun, job_id).state


def test_an_import_queued_by_the_page_is_done_by_a_worker_process(queued_app, make):
    make.staff(Role.AGENCY_STAFF, username="agent-q")
    client, job_page, job_id = post_import(queued_app, [listing_fields() for _ in range(30)])
    assert job_state(job_id) == JobState.QUEUED  # the request did not do the work
    waiting = client.get(job_page).get_data(as_text=True)
    assert "排队中" in waiting
    assert "data-job-progress" in waiting  # the page polls the job while it waits
    polled = client.get(f"{job_page}/progress").get_json()
    assert polled == {"finished": False, "state": "queued", "done": 0, "total": None, "text": "等待处理…"}
    run_worker_until(queued_app, job_id, JobState.SUCCEEDED)
    assert db.session.scalar(select(func.count(Listing.id))) == 30
    done = client.get(job_page).get_data(as_text=True)
    assert "新增 30 条" in done
    assert "data-job-progress" not in done
    assert client.get(f"{job_page}/progress").get_json()["finished"] is True


def test_a_worker_killed_mid_import_is_recovered_and_writes_each_row_once(queued_app, make):
    make.staff(Role.AGENCY_STAFF, username="agent-q")
    rows = [listing_fields() for _ in range(1500)]
    _, _, job_id = post_import(queued_app, rows)
    worker = start_worker(queued_app)
    try:
        # Killed as soon as it has marked the job running: reading, checking and writing 1,500
        # rows takes it about a second, so the kill lands well inside the import's transaction
        # (watching for progress instead came too late once the writes got fast).
        wait_for(lambda: job_state(job_id) == JobState.RUNNING, what="the job to start", every_s=0.01)
        with queued_app.app_context():
            assert jobs.requeue_lost_jobs() == []  # its worker is alive and holds the job's lock
    finally:
        stop(worker, kill=True)  # mid-import: its transaction and its lock die with it
    assert db.session.scalar(select(func.count(Listing.id))) == 0
    assert job_state(job_id) == JobState.RUNNING
    with queued_app.app_context():
        # PostgreSQL ends a killed client's session (and frees its run lock) once it notices the
        # closed socket, at the end of the statement it was running: a moment, not a timeout.
        wait_for(lambda: not held_elsewhere(jobs.job_lock(job_id)), timeout_s=30, what="the dead worker's lock")
        assert jobs.requeue_lost_jobs() == [job_id]  # no waiting for the job to look silent
        dispatch(jobs.job_by_id(job_id))
    run_worker_until(queued_app, job_id, JobState.SUCCEEDED, timeout_s=120)
    assert db.session.scalar(select(func.count(Listing.id))) == 1500
    assert db.session.get(JobRun, job_id).attempts == 2


def test_a_cancelled_import_saves_nothing(queued_app, make):
    make.staff(Role.AGENCY_STAFF, username="agent-q")
    client, job_page, job_id = post_import(queued_app, [listing_fields() for _ in range(20)])
    assert client.post(f"{job_page}/cancel").status_code == 303
    run_worker_until(queued_app, job_id, JobState.CANCELLED)
    assert db.session.scalar(select(func.count(Listing.id))) == 0
    assert "导入已取消，没有保存任何数据" in client.get(job_page).get_data(as_text=True)
    assert client.post(f"{job_page}/cancel", follow_redirects=True).status_code == 200  # ended: said so


def test_a_job_failing_every_attempt_is_failed_for_good_and_shown_to_the_administrator(
        app, make, login, client, runner, monkeypatch):
    def broken(params, progress):
        raise RuntimeError("对象存储拒绝访问")
    monkeypatch.setitem(JOB_KINDS, "files_expire", JobKind("清理过期错误报告", broken))
    result = runner.invoke(args=["jobs", "run", "files_expire"])
    assert "queued" in result.output  # failed once, queued again with a delay
    job = jobs.recent_jobs(limit=1)[0]
    for _ in range(jobs.MAX_ATTEMPTS - 1):
        execute(app, job.id)
    db.session.expire_all()
    job = db.session.get(JobRun, job.id)
    assert (job.state, job.attempts) == (JobState.FAILED, jobs.MAX_ATTEMPTS)
    assert "对象存储拒绝访问" in job.error
    make.staff(Role.BUREAU_ADMIN, username="bureau-jobs")
    login("bureau-jobs")
    page = client.get("/admin/jobs?state=failed").get_data(as_text=True)
    assert "清理过期错误报告" in page
    assert "失败" in page
    assert "对象存储拒绝访问" in page


def test_a_job_that_never_reached_the_broker_is_handed_over_again_and_runs_once(app, monkeypatch):
    """Its row committed but the broker was unreachable: the recovery schedule finds it waiting."""
    job = jobs.queue_job("files_expire", {})  # committed, never dispatched
    later = jobs.utcnow() + jobs.STALE_AFTER * 2
    assert job.id in jobs.requeue_lost_jobs(now=later)
    monkeypatch.setattr(jobs, "utcnow", lambda: later)
    JOB_KINDS["jobs_recover"].run({}, lambda done, total: None)  # dispatches it: run here (immediate)
    monkeypatch.undo()
    execute(app, job.id)  # handed over a second time: nothing more happens
    db.session.expire_all()
    done = db.session.get(JobRun, job.id)
    assert (done.state, done.attempts) == (JobState.SUCCEEDED, 1)
