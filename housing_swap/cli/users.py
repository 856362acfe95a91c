"""``flask users create-admin``: bootstrap the first bureau administrator."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..services.accounts import create_first_admin
from ..services.errors import ServiceError

users_group = AppGroup("users", help="User accounts.")


@users_group.command("create-admin")
@click.option("--username", required=True, help="Sign-in name of the administrator.")
@click.option("--real-name", required=True, help="The administrator's real name.")
@click.password_option(help="Prompted for (twice) when not given; HOUSING_SWAP_ADMIN_PASSWORD also works.",
                       envvar="HOUSING_SWAP_ADMIN_PASSWORD")
def create_admin(username: str, real_name: str, password: str) -> None:
    """Create the bureau organization and its first administrator."""
    try:
        user = create_first_admin(username, password, real_name)
    except ServiceError as error:
        details = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in error.details.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from None
    click.echo(f"bureau administrator {user.username!r} created (id {user.id})")
