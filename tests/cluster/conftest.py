"""The platform as several machines (CI's third run): two app instances, one job worker, a shared
PostgreSQL, object store and Redis, and a two-node Elasticsearch cluster, started by
``scripts/cluster.sh up``. These tests talk to the machines over HTTP as clients would, and stop or
kill parts of the cluster through the same script. They run only when that script's variables are
set (``make test-cluster``); the rest of the suite never collects them.
"""
from __future__ import annotations

import io
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import pandas as pd
import pytest
import requests

from housing_swap.domain.listing_fields import LISTING_FIELDS
from tests.listings.helpers import listing_fields

DEMO_PASSWORD = "demo-pass-2024"
RUN = random.randint(100, 999)  # this run's own certificate numbers, names and references
T = TypeVar("T")


@dataclass
class Machine:
    """One app machine, as a browser (a session with its cookies) or an API client sees it."""
    name: str
    url: str
    web: requests.Session = field(default_factory=requests.Session)

    def api(self, method: str, path: str, token: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def page(self, path: str) -> requests.Response:
        return self.web.get(self.url + path, timeout=30)

    def form(self, path: str, data: dict, files: dict | None = None, csrf_from: str | None = None) -> requests.Response:
        """POST a form the way the browser does: with the CSRF token of a page of this session."""
        token = csrf_token(self.page(csrf_from or path).text)
        return self.web.post(self.url + path, data={**data, "csrf_token": token}, files=files,
                             allow_redirects=False, timeout=60)


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def signed_in(machine: Machine, username: str) -> Machine:
    answer = machine.form("/auth/login", {"login": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 302, answer.text[:500]
    return machine


def token(machine: Machine, username: str) -> str:
    answer = requests.post(machine.url + "/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD},
                           timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def control(action: str) -> None:
    """Stop or start a part of the cluster (scripts/cluster.sh)."""
    done = subprocess.run(["bash", os.environ["HOUSING_SWAP_CLUSTER_CONTROL"], action], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"cluster.sh {action} failed: {(done.stdout + done.stderr)[-3000:]}"


def flask(*args: str) -> subprocess.CompletedProcess:
    """An operator command on the cluster's database (the environment is the cluster's)."""
    return subprocess.run([sys.executable, "-m", "flask", *args], capture_output=True, text=True, timeout=600)


def eventually(check: Callable[[], T], what: str, timeout_s: float = 30.0, every_s: float = 0.2) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(every_s)


_serial = iter(range(1, 10_000))


def next_serial() -> int:
    return next(_serial)


def cluster_listing(**changes) -> dict:
    """Listing fields unique to this run (certificate, community, reference)."""
    serial = next_serial()
    return listing_fields(**{
        "agency_reference": f"CL{RUN}-{serial:05d}", "community": f"集群测试小区{RUN}",
        "room_no": f"{serial:05d}", "certificate_number": f"豫(2016)郑州市不动产权第{RUN:03d}{serial:04d}号",
        **changes})


def listing_file(rows: list[dict]) -> bytes:
    frame = pd.DataFrame([[row[f.name] for f in LISTING_FIELDS] for row in rows],
                         columns=[f.label for f in LISTING_FIELDS])
    return frame.to_csv(index=False).encode("utf-8")


def upload(name: str, content: bytes) -> dict:
    return {"file": (name, io.BytesIO(content), "application/octet-stream")}


@pytest.fixture
def browser() -> requests.Session:
    """One browser for the test: its cookies go to both machines (same host, other port), as
    they would to one address behind a load balancer."""
    return requests.Session()


@pytest.fixture
def machine_a(browser) -> Machine:
    return Machine("A", os.environ["HOUSING_SWAP_CLUSTER_A"], browser)


@pytest.fixture
def machine_b(browser) -> Machine:
    return Machine("B", os.environ["HOUSING_SWAP_CLUSTER_B"], browser)
