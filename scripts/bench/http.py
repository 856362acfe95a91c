"""Requests per second through gunicorn, measured with wrk on 127.0.0.1."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from .common import HTTP_PORT, HTTP_SECONDS, ROOT

WARM_UP_SECONDS = 3


def http_figures(database: Path, workdir: Path) -> dict:
    """wrk against gunicorn (2 workers): first as deployed at scale (Elasticsearch search, when the
    server is there), then on the embedded SQL search."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    base = {**os.environ, "HOUSING_SWAP_DATABASE_URL": f"sqlite:///{database}",
            "HOUSING_SWAP_INSTANCE_PATH": str(workdir), "HOUSING_SWAP_SEARCH_BACKEND": "sql",
            "HOUSING_SWAP_STORAGE": "local", "HOUSING_SWAP_JOB_BROKER": "sqlite"}
    es_url = os.environ.get("HOUSING_SWAP_BENCH_ELASTICSEARCH_URL")
    sql = _http_run(wrk, base, load_test=not es_url)
    if not es_url:
        return {"backend": "sql", **sql}
    es = _http_run(wrk, {**base, "HOUSING_SWAP_SEARCH_BACKEND": "elasticsearch",
                         "HOUSING_SWAP_ELASTICSEARCH_URL": es_url, "HOUSING_SWAP_ELASTICSEARCH_INDEX_PREFIX": "hs_bench"},
                   load_test=True)
    return {"backend": "elasticsearch", **es, "sql": sql}


def _http_run(wrk: str, environment: dict, load_test: bool = False) -> dict:
    api_url = f"http://127.0.0.1:{HTTP_PORT}/api/v1/listings?q=%E8%8A%B1%E5%9B%AD&district=410105"
    page_url = f"http://127.0.0.1:{HTTP_PORT}/search?q=%E8%8A%B1%E5%9B%AD&district=410105"
    with gunicorn(environment), job_worker(environment):
        for url in (api_url, page_url):  # every thread's first requests (templates, caches) are not the figure
            run_wrk(wrk, url, seconds=WARM_UP_SECONDS)
        api = run_wrk(wrk, api_url)
        page = run_wrk(wrk, page_url)
        load = run_wrk(wrk, f"http://127.0.0.1:{HTTP_PORT}/search?q=%E8%8A%B1%E5%9B%AD", connections=100,
                       seconds=60) if load_test else None
    figures = {} if load is None else {"load_100_clients": {"rps": load["rps"], "p99_ms": load["p99_ms"],
                                                            "non_2xx": load["non_2xx"], "seconds": 60}}
    return {**figures, "search_api_rps": api["rps"], "search_api_p99_ms": api["p99_ms"], "search_api_non_2xx": api["non_2xx"],
            "search_page_rps": page["rps"], "search_page_p99_ms": page["p99_ms"], "connections": 32,
            "seconds": HTTP_SECONDS}


@contextmanager
def job_worker(environment: dict):
    """The job runner beside the app, as deployed (it polls its broker while requests are measured)."""
    worker = subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "jobs", "worker"], cwd=ROOT,
                              env={**environment, "FLASK_APP": "housing_swap"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@contextmanager
def gunicorn(environment: dict):
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "--bind",
                               f"127.0.0.1:{HTTP_PORT}", "housing_swap:create_app()"], cwd=ROOT, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", HTTP_PORT)) == 0:
                    break
            time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_wrk(wrk: str, url: str, connections: int = 32, seconds: int = HTTP_SECONDS) -> dict:
    output = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url],
                            capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p99_ms": round(float(p99.group(1)) * scale, 1),
            "non_2xx": int(errors.group(1)) if errors else 0}
