"""Batch commands that another machine may be running already."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

import click

from ..services.exclusive_runs import AlreadyRunning

P = ParamSpec("P")


def skipped_while_running(command: Callable[P, None]) -> Callable[P, None]:
    """Another run holds the job's lock: say so and stop with success (nothing is wrong, and a
    timer that fires while a long run goes on should not page anyone)."""
    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except AlreadyRunning as running:
            click.echo(f"another `{running.name}` is running; this one did nothing", err=True)
    return run
