"""``flask match run`` (every open application's top new homes), ``quality`` and ``chains``."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..db.models import SwapApplication
from ..domain.matching import SPREAD_PROJECTS
from ..extensions import db
from ..services.chains import run_chain_finder
from ..services.matching import MATCHABLE, match_quality, run_matching
from .runs import skipped_while_running

Result = TypeVar("Result")


def _over_open_applications(label: str, work: Callable[..., Result]) -> Result:
    """Run ``work(advance=...)`` over the open applications with a progress bar."""
    total = db.session.scalar(select(func.count()).where(SwapApplication.status.in_(MATCHABLE)))
    with click.progressbar(length=total, label=label) as bar:
        return work(advance=bar.update)


match_group = AppGroup("match", help="Matching households to new homes, buyers and chains.")


@match_group.command("run")
@skipped_while_running
def run() -> None:
    """Value and match every open application; store the top 20 of each."""
    summary = _over_open_applications("matching applications", run_matching)
    click.echo(f"applications {summary.applications}, with at least one match {summary.matched}, "
               f"matches stored {summary.stored_matches}")


@match_group.command("quality")
def quality() -> None:
    """How useful the lists are: spread over projects, and the wanted districts put first."""
    q = _over_open_applications("checking match lists", match_quality)
    click.echo(f"applications {q.applications}, with matches {q.with_matches}")
    click.echo(f"top 20 spanning at least {SPREAD_PROJECTS} projects: {q.spanning} "
               f"({q.share(q.spanning, q.with_matches):.1%} of those with matches)")
    click.echo(f"wanted districts have matching units: {q.wanted_available}; listed first: {q.wanted_honoured} "
               f"({q.share(q.wanted_honoured, q.wanted_available):.1%})")


@match_group.command("chains")
@skipped_while_running
def chains() -> None:
    """Propose swap chains and cycles among open applications (run after `flask match run`)."""
    click.echo("finding swap chains ...")
    summary = run_chain_finder()
    click.echo(f"households considered {summary.households}, new proposals {summary.proposals} "
               f"(cycles {summary.cycles}, chains {summary.chains})")
