"""Account lockout and per-address rate limiting of sign-in (shared through the database)."""
from datetime import timedelta

from sqlalchemy import select

from housing_swap.db.base import utcnow
from housing_swap.db.models import AuditEvent, LoginFailure, Notification, Role
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
    assert locked.status_code == 200
    assert "暂时锁定" in locked.get_data(as_text=True)
    assert locked.get_data(as_text=True).replace("13600005555", "") == wrong[0].replace("13600005555", "")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.lock")) is not None
    failure = db.session.scalar(select(LoginFailure))
    failure.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(client, "13600005555").status_code == 302  # the lock has expired


def test_a_stranger_locks_only_their_own_address_and_the_owner_is_told(app, client, make):
    app.config["LOGIN_MAX_FAILURES"] = 3
    owner = make.household(phone="13600007777")
    for _ in range(3):
        sign_in(client, "13600007777", "Wrong-pass-2024", address="203.0.113.9")
    assert "暂时锁定" in sign_in(client, "13600007777", address="203.0.113.9").get_data(as_text=True)
    assert sign_in(client, "13600007777", address="198.51.100.4").status_code == 302  # the owner elsewhere
    notice = db.session.scalar(select(Notification).where(Notification.user_id == owner.id))
    assert "203.0.113.9" in notice.body
    assert "北京时间" in notice.body


def test_each_lockout_of_an_address_doubles_the_delay(app, client, make):
    app.config.update(LOGIN_MAX_FAILURES=2, LOCKOUT_MINUTES=10)
    make.household(phone="13600008888")
    delays = []
    for _ in range(3):
        for _ in range(2):
            sign_in(client, "13600008888", "Wrong-pass-2024", address="203.0.113.7")
        failure = db.session.scalar(select(LoginFailure).execution_options(populate_existing=True))
        delays.append(round((failure.locked_until - utcnow()).total_seconds() / 60))
        failure.locked_until = utcnow() - timedelta(seconds=1)  # let the next round begin
        db.session.commit()
    assert delays == [10, 20, 40]


def test_failures_from_many_addresses_lock_the_account_and_the_bureau_unlocks_it(app, client, make, login):
    app.config.update(LOGIN_MAX_FAILURES=3, ACCOUNT_MAX_FAILURES=4)
    owner = make.household(phone="13600009999")
    for number in range(4):
        sign_in(client, "13600009999", "Wrong-pass-2024", address=f"203.0.113.{number}")
    assert "暂时锁定" in sign_in(client, "13600009999", address="198.51.100.4").get_data(as_text=True)
    bureau = make.staff(Role.BUREAU_ADMIN)
    login(bureau.username)
    client.post(f"/admin/users/{owner.id}/unlock")
    client.post("/auth/logout")
    assert sign_in(client, "13600009999", address="198.51.100.4").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.unlock")) is not None


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
    assert token.status_code == 429
    assert token.get_json()["error"]["code"] == "too_many_requests"


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


def test_behind_a_trusted_proxy_each_client_address_counts_apart(app, client, make, monkeypatch):
    """22 sign-ins from 22 addresses through one proxy are not limited as one client."""
    hold_the_clock(monkeypatch)
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 20

    def through_proxy(test_app, number: int) -> int:
        return test_app.test_client().post(
            "/auth/login", data={"login": f"nobody-{number}", "password": "x"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
            headers={"X-Forwarded-For": f"198.51.100.{number}"}).status_code

    trusted = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path, PROXY_HOPS=1,
                            LOGIN_ATTEMPTS_PER_MINUTE=20, WTF_CSRF_ENABLED=False)
    assert [through_proxy(trusted, n) for n in range(22)] == [200] * 22
    with trusted.app_context():
        db.engine.dispose()  # its own pool: closed here, not garbage-collected during a later test
    untrusted = [through_proxy(app, n) for n in range(22)]  # no proxy configured: the header is ignored
    assert untrusted[-1] == 429
