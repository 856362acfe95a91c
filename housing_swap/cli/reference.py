"""``flask reference load``: districts and the first program rule set."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..services.reference_data import load_reference_data

reference_group = AppGroup("reference", help="Reference data (districts, initial rules).")


@reference_group.command("load")
def load() -> None:
    """Insert missing districts and the initial rule set (safe to re-run)."""
    added = load_reference_data()
    click.echo(f"districts added: {added['districts']}, rule versions added: {added['rule_versions']}")
