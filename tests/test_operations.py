"""Operator commands: audit chain verification and backup/restore of the embedded database."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from housing_swap.db.models import AuditEvent, User
from housing_swap.extensions import db
from housing_swap.services.audit import record_event, verify_chain
from housing_swap.services.unit_of_work import unit_of_work
from tests.conftest import make_test_app
from tests.factories import Factories


def test_audit_chain_verifies_and_names_tampered_and_deleted_events(app, runner, make):
    for _ in range(5):
        make.household()
    assert runner.invoke(args=["audit", "verify"]).output.strip() == "audit chain intact"
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    db.session.execute(text("UPDATE audit_event SET outcome = 'failure' WHERE id = :id"), {"id": ids[1]})
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[3]})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {ids[1]}: content does not match its hash" in result.output
    assert f"event {ids[4]}: chain broken after event {ids[2]}" in result.output


@pytest.fixture
def sqlite_app(tmp_path):
    """Backups are for the embedded database, so this test always uses a SQLite file."""
    app = make_test_app(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path / "instance", SEARCH_BACKEND="sql")
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_backup_then_restore_finds_every_row(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    for _ in range(5):
        Factories().household()
    before = {user.id: user.phone for user in db.session.scalars(select(User))}
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
    db.session.execute(text("DELETE FROM audit_event"))
    db.session.execute(text("DELETE FROM user_account"))
    db.session.commit()
    assert runner.invoke(args=["backup", "restore", str(backup)]).exit_code != 0  # needs --yes
    result = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert {user.id: user.phone for user in db.session.scalars(select(User))} == before
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_restore_refuses_a_file_that_is_not_a_backup(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"definitely not sqlite")
    result = runner.invoke(args=["backup", "restore", str(bogus), "--yes"])
    assert result.exit_code != 0
    assert "not a readable housing_swap database" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_simultaneous_audited_writes_keep_one_chain(app):
    """Eight writers on eight connections at once: each links to the one before, none forks."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency is exercised on PostgreSQL (the CI server run)")
    start = threading.Barrier(8)

    def write(index: int) -> None:
        with app.app_context():
            start.wait()
            with unit_of_work():
                record_event("test.concurrent_write", "test", index)
                time.sleep(0.05)  # still inside the transaction: the others queue behind it
            db.session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "test.concurrent_write")) == 8
    assert verify_chain() == []
