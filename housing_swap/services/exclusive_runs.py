"""Batch work that must never run twice at once, on any machine.

Two ``match run`` (or alert, expiry, chain) runs at once fought over the same rows
(StaleDataError) or did the same work twice (alerts sent twice, a household proposed in two
chains). Each such run holds a lock named after it for its whole length: on PostgreSQL a
session-level advisory lock on a connection kept for the run (released even if the process dies,
because the server drops the connection); on the embedded SQLite default, which one machine
serves, an exclusive lock on a file in ``instance/locks``. A second run finds the lock held and
stops at once with :class:`AlreadyRunning`, having done nothing.
"""
from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

from flask import current_app
from sqlalchemy import text

from ..extensions import db
from .errors import Conflict

P = ParamSpec("P")
R = TypeVar("R")


class AlreadyRunning(Conflict):
    def __init__(self, name: str):
        super().__init__(f"“{name}”正在另一处运行，本次未执行")
        self.name = name


@contextmanager
def exclusive_run(name: str) -> Iterator[None]:
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock(name):
            yield
    else:
        with _file_lock(name):
            yield


def held_elsewhere(name: str) -> bool:
    """Whether some process (this one included, through another connection) holds ``name`` now."""
    try:
        with exclusive_run(name):
            return False
    except AlreadyRunning:
        return True


def exclusive(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the decorated batch job under :func:`exclusive_run`."""
    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with exclusive_run(name):
                return function(*args, **kwargs)
        return run
    return decorate


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"housing_swap run {name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def _advisory_lock(name: str) -> Iterator[None]:
    connection = db.engine.connect()  # the lock lives as long as this connection's session
    try:
        if not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": _lock_key(name)}):
            raise AlreadyRunning(name)
        connection.commit()  # hold no transaction (and no snapshot) while the run works
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _lock_key(name)})
            connection.commit()
    finally:
        connection.close()


@contextmanager
def _file_lock(name: str) -> Iterator[None]:
    folder = Path(current_app.instance_path) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{hashlib.sha256(name.encode()).hexdigest()[:16]}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(name) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
