"""gunicorn settings for every app machine: ``gunicorn -c gunicorn.conf.py 'housing_swap:create_app()'``.

The app mostly waits on PostgreSQL and Elasticsearch, so each worker process runs several
threads (gthread). Override any figure with the environment variables read below.
"""
import os
import shutil
import tempfile

bind = os.environ.get("HOUSING_SWAP_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("HOUSING_SWAP_THREADS", "4"))
timeout = 60               # a worker silent this long is restarted (no request should take it)
graceful_timeout = 30      # on restart, requests in flight get this long to finish
keepalive = 5              # behind a load balancer that reuses connections
# Recycle workers now and then, so a slow leak never grows large, and not all at once. A worker
# leaving closes its idle keep-alive connections, so a client may see one reset then (the load
# balancer retries it); a fuzzing run sets HOUSING_SWAP_MAX_REQUESTS=0 to keep its own
# connections stable.
max_requests = int(os.environ.get("HOUSING_SWAP_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
accesslog = None           # the app writes one JSON line per request (housing_swap.telemetry)
# Build the app once in the master, before forking: a recycled or restarted worker is then a fork
# of a process that has imported everything and is ready at once. Loaded in each worker, a new
# worker spent its first seconds importing while the others took every connection, which was the
# search API's p99 (docs/performance.md). Set HOUSING_SWAP_PRELOAD=0 to load in each worker.
preload_app = os.environ.get("HOUSING_SWAP_PRELOAD", "1") != "0"
errorlog = "-"

# Prometheus multiprocess mode: each worker writes its counters to files in one folder that
# GET /metrics adds up. The variable must be set before prometheus_client is first imported
# (it picks its storage then), and the folder must exist, empty, before the first worker starts.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="housing_swap-metrics-")

from prometheus_client import multiprocess  # noqa: E402 - after the variable, see above


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def post_fork(server, worker):
    """A worker opens database connections of its own: drop (without closing, they are the
    master's) any pooled connection the master opened while building the app."""
    if not server.cfg.preload_app:
        return
    from housing_swap.extensions import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
