"""``flask keys generate|rotate``: the data key that seals personal identifiers."""
from __future__ import annotations

import base64
import secrets

import click
from flask.cli import AppGroup

from ..config import DATA_KEY_BYTES
from ..services.key_rotation import rotate_data_key, sealed_value_count

keys_group = AppGroup("keys", help="The data key (encryption of ID numbers, phones, certificates).")


@keys_group.command("generate")
def generate() -> None:
    """Print a new random data key (url-safe base64) for HOUSING_SWAP_DATA_KEY."""
    click.echo(base64.urlsafe_b64encode(secrets.token_bytes(DATA_KEY_BYTES)).decode("ascii"))


@keys_group.command("rotate")
@click.option("--batch", default=500, show_default=True, help="Rows re-sealed per committed batch.")
def rotate(batch: int) -> None:
    """Re-seal every encrypted value with the current HOUSING_SWAP_DATA_KEY, in batches.

    Resumable: values already under the current key are skipped. When it reports 0 re-sealed,
    the keys in HOUSING_SWAP_OLD_DATA_KEYS are no longer needed."""
    if batch < 1:
        raise click.BadParameter("must be at least 1", param_hint="--batch")
    with click.progressbar(length=sealed_value_count(), label="re-sealing encrypted values") as bar:
        report = rotate_data_key(advance=bar.update, batch=batch)
    for column, count in report.resealed.items():
        if count:
            click.echo(f"  {column}: {count}")
    click.echo(f"{report.total} value(s) re-sealed with data key {report.current_key_id}")
