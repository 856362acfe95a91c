"""The one transaction boundary: the outermost use case commits, anything escaping rolls back,
and nothing else in the code commits (but the few places that must, each named here)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from housing_swap.db.models import AuditEvent, Organization, OrganizationKind
from housing_swap.extensions import db
from housing_swap.services import accounts
from housing_swap.services.errors import Conflict, ValidationFailed
from housing_swap.services.rate_limits import count_attempt
from housing_swap.services.unit_of_work import in_use_case, refusal_keeping_writes, unit_of_work, use_case

PACKAGE = Path(__file__).resolve().parents[1] / "housing_swap"
# Commits that stand apart from any use case, each for the reason given in the module.
COMMITS_ALLOWED_IN = {
    "services/unit_of_work.py",   # the boundary itself
    "services/rate_limits.py",    # a refused attempt still counts, and other workers see it at once
    "services/idempotency.py",    # the stored answer outlives the request that made it
    "search/sync.py",             # outbox bookkeeping, batch by batch, outside any use case
    "services/exclusive_runs.py",  # a run lock's own connection: it ends its lock query's transaction
}


def committed_organizations(name: str) -> int:
    """Rows another connection sees: only what was committed."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Organization).where(Organization.name == name))


def add_organization(name: str) -> None:
    db.session.add(Organization(kind=OrganizationKind.AGENCY, name=name, licence_number=name))
    db.session.flush()


@use_case
def write_then(name: str, error: Exception | None = None) -> None:
    add_organization(name)
    if error is not None:
        raise error


def test_a_use_case_commits_when_it_returns(app):
    write_then("提交机构")
    assert committed_organizations("提交机构") == 1


def test_a_refused_use_case_leaves_nothing_behind(app):
    with pytest.raises(Conflict):
        write_then("拒绝机构", Conflict("不行"))
    assert committed_organizations("拒绝机构") == 0
    assert db.session.scalar(select(Organization).where(Organization.name == "拒绝机构")) is None


def test_an_unexpected_error_rolls_back_too(app):
    with pytest.raises(ZeroDivisionError):
        write_then("出错机构", ZeroDivisionError())
    assert committed_organizations("出错机构") == 0


def test_an_inner_use_case_commits_only_with_the_outer_one(app):
    @use_case
    def outer() -> None:
        write_then("内层机构")
        assert committed_organizations("内层机构") == 0  # not yet: the outer use case is still running
        raise Conflict("外层拒绝")

    with pytest.raises(Conflict):
        outer()
    assert committed_organizations("内层机构") == 0
    assert not in_use_case()


def test_a_refusal_keeping_writes_commits_what_it_recorded(app):
    with pytest.raises(ValidationFailed):
        write_then("留痕机构", refusal_keeping_writes(ValidationFailed("拒绝，但留下记录")))
    assert committed_organizations("留痕机构") == 1


def run_batches(failing: int) -> None:
    for number in range(3):
        with unit_of_work():
            add_organization(f"批次{number}")
            if number == failing:
                raise Conflict("这一批失败")


def test_batches_commit_one_by_one(app):
    with pytest.raises(Conflict):
        run_batches(failing=2)
    assert [committed_organizations(f"批次{n}") for n in range(3)] == [1, 1, 0]


def test_a_failed_password_change_is_recorded_and_changes_nothing(app, make):
    user = make.household()
    old_hash = user.password_hash
    with pytest.raises(ValidationFailed):
        accounts.change_password(user, "wrong-password", "另一个足够长的新密码2024")
    db.session.expire_all()
    assert user.password_hash == old_hash
    with db.engine.connect() as connection:
        outcomes = connection.scalars(select(AuditEvent.outcome).where(
            AuditEvent.action == "user.change_password", AuditEvent.entity_id == str(user.id))).all()
    assert outcomes == ["failure"]


def test_counting_an_attempt_inside_a_use_case_is_refused(app):
    @use_case
    def sign_in_inside() -> None:
        add_organization("半途机构")
        count_attempt("login:test", 10)

    with pytest.raises(RuntimeError):
        sign_in_inside()
    assert committed_organizations("半途机构") == 0  # the counter's commit did not take it along


def _commit_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_nothing_else_commits():
    stray = {str(path.relative_to(PACKAGE)): lines for path in PACKAGE.rglob("*.py")
             if (lines := _commit_calls(path)) and str(path.relative_to(PACKAGE)) not in COMMITS_ALLOWED_IN}
    assert stray == {}, f"commit() outside the unit of work: {stray}"


def test_a_unique_key_taken_meanwhile_is_a_conflict_to_retry_and_other_integrity_errors_stay_errors(app):
    @use_case
    def add_organization(licence: str | None) -> None:
        db.session.add(Organization(kind=OrganizationKind.AGENCY, name=f"并发机构{licence}", licence_number=licence))

    add_organization("ZZ-RACE-1")
    with pytest.raises(Conflict, match="刚被他人同时提交"):
        add_organization("ZZ-RACE-1")  # as if another machine had committed it a moment before
    assert db.session.scalar(select(func.count(Organization.id)).where(
        Organization.licence_number == "ZZ-RACE-1")) == 1

    @use_case
    def add_nameless() -> None:
        db.session.add(Organization(kind=OrganizationKind.AGENCY, name=None, licence_number="ZZ-RACE-2"))

    with pytest.raises(IntegrityError):
        add_nameless()
