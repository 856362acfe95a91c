"""``flask demo seed``: load the deterministic Zhengzhou demo data set; ``flask demo photos``:
draw its listings' photos and floor plans."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..demo.photos import add_demo_photos, listings_needing_photos
from ..demo.seed import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    SCALES,
    SECOND_APPRAISER_LOGIN,
    AlreadySeeded,
    planned_rows,
    seed_demo_data,
)
from .runs import skipped_while_running

demo_group = AppGroup("demo", help="Demo data.")


@demo_group.command("seed")
@skipped_while_running
@click.option("--scale", type=click.Choice(sorted(SCALES)), default="small", show_default=True)
@click.option("--seed", "seed_value", type=int, default=2024, show_default=True,
              help="Random seed: the same seed gives the same data.")
def seed(scale: str, seed_value: int) -> None:
    """Load demo data once; a second run reports that it is already there."""
    chosen = SCALES[scale]
    try:
        with click.progressbar(length=planned_rows(chosen), label=f"seeding {scale} demo data") as bar:
            counts = seed_demo_data(chosen, seed_value, advance=bar.update)
    except AlreadySeeded:
        click.echo("demo data is already loaded; nothing to do")
    else:
        click.echo("loaded: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    click.echo("demo logins (password {}): {}".format(DEMO_PASSWORD, ", ".join([*DEMO_LOGINS, SECOND_APPRAISER_LOGIN])))


@demo_group.command("photos")
def photos() -> None:
    """Draw a street view and a floor plan for most public demo listings that have no photos;
    stopped, it resumes where it was."""
    with click.progressbar(length=listings_needing_photos(), label="drawing demo photos") as bar:
        done = add_demo_photos(advance=bar.update)
    click.echo(f"{done} listing(s) got a street view and a floor plan")
