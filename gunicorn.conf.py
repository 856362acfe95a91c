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


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
