"""``flask`` commands: reference data, users, demo data."""
from __future__ import annotations

from flask import Flask

from . import demo, jobs, keys, listings, matching, operations, reference, search, users


def register_commands(app: Flask) -> None:
    app.cli.add_command(reference.reference_group)
    app.cli.add_command(users.users_group)
    app.cli.add_command(demo.demo_group)
    app.cli.add_command(listings.listings_group)
    app.cli.add_command(search.search_group)
    app.cli.add_command(matching.match_group)
    app.cli.add_command(operations.audit_group)
    app.cli.add_command(keys.keys_group)
    app.cli.add_command(jobs.jobs_group)
    app.cli.add_command(operations.backup_group)
    app.cli.add_command(operations.files_group)
    app.cli.add_command(operations.ledger_group)
    app.cli.add_command(operations.acquisitions_group)
    app.cli.add_command(operations.reservations_group)
