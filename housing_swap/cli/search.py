"""``flask search sync|reindex|check``: keeping the Elasticsearch index true to the database."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from ..extensions import db
from ..search import sync
from ..search.query import Kind
from ..services.alerts import run_alerts
from ..services.search import (
    documents_to_index,
    drain_outbox_now,
    elasticsearch_backend,
    elasticsearch_configured,
    rebuild_indices,
)
from .runs import skipped_while_running

search_group = AppGroup("search", help="The search index.")


def _backend_or_none():
    return elasticsearch_backend() if elasticsearch_configured() else None


@search_group.command("sync")
@click.option("--follow", is_flag=True, help="Keep draining as new changes arrive (Ctrl-C stops).")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls with --follow.")
def sync_command(follow: bool, interval: float) -> None:
    """Apply pending search-outbox rows to the index."""
    if not elasticsearch_configured():
        click.echo("SQL search backend: nothing to index; pending rows are marked processed")

    def applied(count: int) -> None:
        click.echo(f"applied {count} changes ({sync.pending_count(db.session)} pending)")
    total = 0
    while True:
        try:
            total += drain_outbox_now(advance=applied)
        except Exception as error:
            if not follow:
                raise click.ClickException(f"index update failed, rows stay pending: {error}") from None
            click.echo(f"index update failed, retrying in {interval}s: {error}", err=True)
        if not follow:
            break
        time.sleep(interval)
    click.echo(f"done: {total} changes applied")


@search_group.command("reindex")
@skipped_while_running
def reindex_command() -> None:
    """Rebuild each index from the database and switch its alias (no downtime)."""
    if not elasticsearch_configured():
        raise click.ClickException("HOUSING_SWAP_SEARCH_BACKEND is sql: there is no index to rebuild")
    with click.progressbar(length=documents_to_index(), label="indexing listings and units") as bar:
        counts = rebuild_indices(advance=bar.update)
    for kind, count in counts.items():
        click.echo(f"{kind}: {count} documents indexed, alias switched")


@search_group.command("check")
def check_command() -> None:
    """Compare database ids and versions with the index's; exit non-zero on any drift or dead letter."""
    backend = _backend_or_none()
    if backend is None:
        click.echo("SQL search backend reads the tables directly: no drift possible")
        return
    drifted = False
    for kind in Kind:
        drift = sync.check(db.session, backend, kind)
        click.echo(f"{kind.value}: {len(drift.missing)} missing from index, {len(drift.extra)} not public but indexed, "
                   f"{len(drift.stale)} indexed at an older version")
        for label, ids in (("missing", drift.missing), ("extra", drift.extra), ("stale", drift.stale)):
            if ids:
                click.echo(f"  {label}: {', '.join(map(str, ids[:20]))}{' …' if len(ids) > 20 else ''}")
        drifted = drifted or not drift.clean
    dead = sync.dead_letter_count(db.session)
    if dead:
        click.echo(f"{dead} outbox row(s) failed {sync.DEAD_LETTER_AFTER} times and were left aside (see last_error)")
    if drifted or dead:
        raise SystemExit(1)


@search_group.command("alerts")
@skipped_while_running
def alerts_command() -> None:
    """Notify saved-search owners about listings published since their last check (run periodically)."""
    click.echo(f"{run_alerts()} saved searches had new listings")
