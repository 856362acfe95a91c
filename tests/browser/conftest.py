"""Browser journeys: a real gunicorn server on 127.0.0.1 with the small demo data set, driven by
Playwright through Debian's Chromium, every key page checked with axe-core and at phone width.

Set-up comes from `scripts/browser_setup.sh` (the Makefile's `make test` runs it). Without
Chromium or axe-core these tests skip, and fail under CI=true.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import sync_playwright

from housing_swap.search.es_client import make_client
from tests.browser.journey import AXE_SCRIPT, Journey
from tests.conftest import IN_CI, SEARCH_BACKEND, SUITE_INDEX_PREFIX

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "build" / "browser-screenshots"
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "demo-pass-2024"


def _missing_tools() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing"
    if not AXE_SCRIPT.exists():
        return f"{AXE_SCRIPT} is missing"
    return None


def _server_environment(work: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOUSING_SWAP_")}
    env.update({"FLASK_APP": "housing_swap", "HOUSING_SWAP_INSTANCE_PATH": str(work),
                "HOUSING_SWAP_DATABASE_URL": f"sqlite:///{work / 'journeys.sqlite3'}",
                "HOUSING_SWAP_SEARCH_BACKEND": SEARCH_BACKEND, "HOUSING_SWAP_LOG_LEVEL": "WARNING",
                # Every journey signs in from the one loopback address.
                "HOUSING_SWAP_LOGIN_ATTEMPTS_PER_MINUTE": "10000"})
    if SEARCH_BACKEND == "elasticsearch":
        env["HOUSING_SWAP_ELASTICSEARCH_URL"] = os.environ["HOUSING_SWAP_TEST_ELASTICSEARCH_URL"]
        env["HOUSING_SWAP_ELASTICSEARCH_INDEX_PREFIX"] = f"{SUITE_INDEX_PREFIX}_browser"
    return env


def _prepare_data(env: dict) -> None:
    commands = [["db", "upgrade"], ["demo", "seed", "--scale", "small"], ["match", "run"],
                ["acquisitions", "expire-offers"]]
    if SEARCH_BACKEND == "elasticsearch":
        commands.append(["search", "reindex"])
    for command in commands:
        subprocess.run([str(BIN / "flask"), *command], env=env, cwd=ROOT, check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within 30 s")


class Mailbox:
    """A real local SMTP server the live server sends its notification mail to."""

    def __init__(self):
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@dataclass
class ServerSide:
    """What a journey may do on the server's machine: read its mail, run one of its commands."""
    mailbox: Mailbox
    env: dict

    def flask(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "flask"), *args], env=self.env, cwd=ROOT, check=True,
                              capture_output=True, text=True)
        return done.stdout


_SERVER_SIDE: list[ServerSide] = []


@pytest.fixture
def server_side(live_server) -> ServerSide:
    return _SERVER_SIDE[0]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    missing = _missing_tools()
    if missing:
        message = f"browser journeys need Chromium and axe-core ({missing}); run scripts/browser_setup.sh"
        if IN_CI:
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    work = tmp_path_factory.mktemp("browser-server")
    env = _server_environment(work)
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    env.update({"HOUSING_SWAP_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
                "HOUSING_SWAP_MAIL_FROM": "noreply@zz-housing.example"})
    _SERVER_SIDE[:] = [ServerSide(mailbox, env)]
    _prepare_data(env)
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "housing_swap:create_app()"], env=env, cwd=ROOT)
    # As `make run` does: a job worker beside the web server (imports run there).
    worker = subprocess.Popen([str(BIN / "flask"), "jobs", "worker", "--no-periodic"], env=env, cwd=ROOT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base_url}/progress", server)
        yield base_url
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)
        smtp.stop()
        _delete_browser_indices(env)


def _delete_browser_indices(env: dict) -> None:
    if SEARCH_BACKEND != "elasticsearch":
        return
    client = make_client(env["HOUSING_SWAP_ELASTICSEARCH_URL"])
    names = list(client.indices.get(index=f"{env['HOUSING_SWAP_ELASTICSEARCH_INDEX_PREFIX']}_*",
                                    allow_no_indices=True))
    if names:
        client.indices.delete(index=",".join(names))


@pytest.fixture(scope="session")
def browser(live_server):
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.journey_failed = report.failed
    return report


@pytest.fixture
def new_page(browser, live_server, request):
    """Pages in fresh browser contexts (one per person in a journey), closed afterwards; when
    the journey fails, each page's last state is saved next to the screenshots."""
    contexts, journeys = [], []

    def open_page(journey_name: str) -> Journey:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                      accept_downloads=True, base_url=live_server,
                                      bypass_csp=True)  # lets the test inject axe-core; the app keeps its CSP
        context.set_default_timeout(15_000)
        contexts.append(context)
        journeys.append(Journey(context.new_page(), journey_name, SCREENSHOTS))
        return journeys[-1]

    yield open_page
    if getattr(request.node, "journey_failed", False):
        for journey in journeys:
            journey.save_failure()
    for context in contexts:
        context.close()
