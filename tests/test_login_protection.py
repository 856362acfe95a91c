"""Account lockout and per-address rate limiting of sign-in (shared through the database)."""
from datetime import timedelta

from sqlalchemy import select

from housing_swap.db.base import utcnow
from housing_swap.db.models import AuditEvent, User
from housing_swap.extensions import db
from housing_swap.services import rate_limits
from tests.conftest import make_test_app
from tests.factories import Factories


def sign_in(client, login, password=Factories.PASSWORD, address="10.1.1.1"):
    return client.post("/auth/login", data={"login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_repeated_failures_lock_the_account_without_saying_so(app, client, make):
    app.config["LOGIN_MAX_FAILURES"] = 3
    make.household(phone="13600005555")
    wrong = [sign_in(client, "13600005555", "Wrong-pass-2024").get_data(as_text=True) for _ in range(3)]
    locked = sign_in(client, "13600005555")  # the right password, but locked now
    assert locked.status_code == 200 and "暂时锁定" in locked.get_data(as_text=True)
    assert locked.get_data(as_text=True).replace("13600005555", "") == wrong[0].replace("13600005555", "")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.lock")) is not None
    user = db.session.scalar(select(User).where(User.phone_hash.is_not(None)))
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(client, "13600005555").status_code == 302  # the lock has expired


def test_success_resets_the_failure_count(app, client, make):
    app.config["LOGIN_MAX_FAILURES"] = 3
    make.household(phone="13600006666")
    for _ in range(2):
        sign_in(client, "13600006666", "Wrong-pass-2024")
    assert sign_in(client, "13600006666").status_code == 302
    client.post("/auth/logout")
    for _ in range(2):
        sign_in(client, "13600006666", "Wrong-pass-2024")
    assert sign_in(client, "13600006666").status_code == 302


def hold_the_clock(monkeypatch) -> None:
    """Counting windows are calendar minutes: pin the limiter's clock so a test never straddles two."""
    moment = utcnow()
    monkeypatch.setattr(rate_limits, "utcnow", lambda: moment)


def test_an_address_is_rate_limited_across_accounts(app, client, make, monkeypatch):
    hold_the_clock(monkeypatch)
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 4
    answers = [sign_in(client, f"nobody-{n}", address="10.9.9.9").status_code for n in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    assert sign_in(client, "nobody", address="10.9.9.10").status_code == 200  # another address is fine
    token = client.post("/api/v1/auth/token", json={"username": "x", "password": "y"},
                        environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert token.status_code == 429 and token.get_json()["error"]["code"] == "too_many_requests"


def test_the_limit_is_shared_by_every_worker(app, make, monkeypatch):
    """Two app instances (two workers) over one database add up to one limit."""
    hold_the_clock(monkeypatch)
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 3
    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path + "-other",
                          WTF_CSRF_ENABLED=False, LOGIN_ATTEMPTS_PER_MINUTE=3)
    codes = []
    for worker in (app, other, app, other):
        codes.append(sign_in(worker.test_client(), "nobody", address="10.7.7.7").status_code)
    with other.app_context():
        db.engine.dispose()  # the second worker's pool must not outlive the test
    assert codes == [200, 200, 200, 429]
