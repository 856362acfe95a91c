"""``flask listings ...``: periodic listing jobs and imports from the command line."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ..db.models import User
from ..extensions import db
from ..services.errors import ServiceError
from ..services.imports import ImportRejected
from ..services.listing_import import ImportMode, import_listings
from ..services.listings import expire_stale_listings
from ..services.spreadsheets import Upload
from .runs import skipped_while_running

listings_group = AppGroup("listings", help="Second-hand listings.")


@listings_group.command("expire")
@skipped_while_running
def expire() -> None:
    """Mark active listings not renewed within HOUSING_SWAP_LISTING_EXPIRY_DAYS as expired."""
    days = current_app.config["LISTING_EXPIRY_DAYS"]
    click.echo(f"expired {expire_stale_listings(days)} listings not renewed in {days} days")


@listings_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as-user", "username", required=True, help="The agency staff account the import acts as.")
@click.option("--mode", type=click.Choice([m.value for m in ImportMode]), default=ImportMode.ALL_OR_NOTHING.value,
              show_default=True)
def import_file(path: Path, username: str, mode: str) -> None:
    """Import an agency's CSV/XLSX listings file, with a progress bar."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    with click.progressbar(length=1, label=f"importing {path.name}") as bar:
        def advance(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)
        try:
            result = import_listings(Upload(path.name, path.read_bytes()), user, ImportMode(mode), advance)
        except ImportRejected as rejected:
            for error in rejected.row_errors[:20]:
                click.echo(f"row {error.row} [{error.column}] {error.message}", err=True)
            raise click.ClickException(f"{len(rejected.row_errors)} problems; nothing was imported") from None
        except ServiceError as error:
            raise click.ClickException(error.message) from None
    click.echo(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
               f"skipped rows {result.skipped_rows}")
