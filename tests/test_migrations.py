"""Migrations: upgrade to head, down to base and up again, on SQLite and on PostgreSQL."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from housing_swap.db.base import include_in_autogenerate
from housing_swap.extensions import db
from tests.conftest import drop_everything, make_test_app, server_url

EXPECTED_TABLES = {
    "district", "community", "organization", "user_account", "api_token", "listing",
    "listing_price_change", "project", "building", "unit", "program_rule_version",
    "swap_application", "acquisition", "market_swap", "goal_ledger_entry", "audit_event",
    "search_outbox", "alembic_version", "title_record", "idempotency_record", "favourite",
    "saved_search", "notification", "email_outbox", "rate_limit_bucket",
    "listing_photo", "recorded_sale", "application_event", "application_match", "chain_proposal",
    "chain_link", "goal_ledger_claim", "acquisition_event", "acquisition_document",
}


def model_tables() -> set[str]:
    """Tables other than the SQLite-only full-text tables of migration 0005."""
    return {name for name in inspect(db.engine).get_table_names() if "_fts" not in name}


def round_trip(database_url: str, instance_path) -> None:
    app = make_test_app(database_url, instance_path)
    with app.app_context():
        drop_everything()
        upgrade()
        assert model_tables() == EXPECTED_TABLES
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert model_tables() == EXPECTED_TABLES
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": include_in_autogenerate})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        drop_everything()
        db.engine.dispose()


def test_migrations_round_trip_on_sqlite(tmp_path):
    round_trip(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path / "instance")


@pytest.mark.postgres
def test_migrations_round_trip_on_postgresql(tmp_path):
    url = server_url("HOUSING_SWAP_TEST_POSTGRES_URL", "PostgreSQL")
    round_trip(url.replace("postgresql://", "postgresql+psycopg://", 1), tmp_path / "instance")
