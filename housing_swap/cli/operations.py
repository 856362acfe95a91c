"""Operator commands: ``flask audit verify``, ``flask ledger verify|identity-collisions``,
``flask backup create|restore``
``flask acquisitions expire-offers`` and ``flask reservations expire``."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..services import acquisitions, ledger, photos, property_identity, reservations
from ..services.audit import verify_chain
from ..services.backup import create_backup, files_archive, restore_backup
from ..services.errors import ServiceError
from ..services.files import expire_generated
from .runs import skipped_while_running

audit_group = AppGroup("audit", help="The tamper-evident audit log.")
backup_group = AppGroup("backup", help="Backups of the embedded database.")


@audit_group.command("verify")
def verify() -> None:
    """Check the hash chain; exit non-zero naming every altered or missing event."""
    problems = verify_chain()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("audit chain intact")


@backup_group.command("create")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def create(target: Path | None) -> None:
    """Write a consistent online copy (default: instance/backups/<UTC time>.sqlite3)."""
    target = target or Path(current_app.instance_path) / "backups" / \
        f"housing_swap-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.sqlite3"
    try:
        written = create_backup(target)
        click.echo(f"backup written to {written} (files: {files_archive(written)})")
    except ServiceError as error:
        raise click.ClickException(error.message) from None


@backup_group.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm replacing the current database.")
def restore(backup: Path, yes: bool) -> None:
    """Replace the current database with a backup (stop the app first)."""
    if not yes:
        raise click.ClickException("restoring replaces every row of the current database; add --yes to confirm")
    try:
        restore_backup(backup)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"restored from {backup}")


ledger_group = AppGroup("ledger", help="The goal ledger.")


@ledger_group.command("verify")
def verify_ledger() -> None:
    """Check the ledger's invariants; exit 1 naming each violation."""
    violations = ledger.verify()
    for violation in violations:
        click.echo(str(violation), err=True)
    if violations:
        raise SystemExit(1)
    click.echo("ledger verified: no violations")


@ledger_group.command("identity-collisions")
def identity_collisions() -> None:
    """List rows that name one home but were kept apart when identifiers were canonicalised."""
    collisions = property_identity.collisions()
    for collision in collisions:
        click.echo(f"{collision.table_name} row {collision.row_id} and row {collision.other_row_id}: "
                   f"one home (found {collision.detected_at:%Y-%m-%d}); settle which one stands")
    click.echo(f"{len(collisions)} identity collision(s) to settle")


files_group = AppGroup("files", help="The file store (photos, import error reports).")


@files_group.command("expire")
def expire_files() -> None:
    """Delete import error reports and exports past HOUSING_SWAP_IMPORT_REPORT_DAYS, and photo
    files no photo names (deleted or refused uploads); run daily."""
    click.echo(f"{expire_generated()} expired import report(s) and export(s) deleted")
    click.echo(f"{photos.remove_unreferenced_files()} unreferenced photo file(s) removed")


acquisitions_group = AppGroup("acquisitions", help="City-group acquisitions.")


@acquisitions_group.command("expire-offers")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to judge deadlines by (default: today).")
@skipped_while_running
def expire_offers(today: datetime | None) -> None:
    """Mark offers past their deadline as expired; run once a day (cron or a systemd timer)."""
    expired = acquisitions.expire_offers(today.date() if today else None)
    click.echo(f"{expired} offer(s) expired")


reservations_group = AppGroup("reservations", help="Protected reservations (锁房保留).")


@reservations_group.command("expire")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to judge holds by (default: today).")
def expire_reservations(today: datetime | None) -> None:
    """End holds past their last day with the refund and lapse proposals not accepted in time,
    as the daily job ``reservations_expire`` does."""
    ended = reservations.expire_due(today.date() if today else None)
    click.echo(f"{ended['refunded']} hold(s) ran out and were refunded, "
               f"{ended['lapsed']} proposal(s) lapsed unaccepted")
