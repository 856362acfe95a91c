"""``flask match run`` (every open application's top new homes) and ``flask match chains``."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..db.models import SwapApplication
from ..extensions import db
from ..services.chains import run_chain_finder
from ..services.matching import MATCHABLE, run_matching
from .runs import skipped_while_running

match_group = AppGroup("match", help="Matching households to new homes, buyers and chains.")


@match_group.command("run")
@skipped_while_running
def run() -> None:
    """Value and match every open application; store the top 20 of each."""
    total = db.session.scalar(select(func.count()).where(SwapApplication.status.in_(MATCHABLE)))
    with click.progressbar(length=total, label="matching applications") as bar:
        summary = run_matching(advance=bar.update)
    click.echo(f"applications {summary.applications}, with at least one match {summary.matched}, "
               f"matches stored {summary.stored_matches}")


@match_group.command("chains")
@skipped_while_running
def chains() -> None:
    """Propose swap chains and cycles among open applications (run after `flask match run`)."""
    click.echo("finding swap chains ...")
    summary = run_chain_finder()
    click.echo(f"households considered {summary.households}, new proposals {summary.proposals} "
               f"(cycles {summary.cycles}, chains {summary.chains})")
