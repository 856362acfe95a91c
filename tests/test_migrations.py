"""Migrations: upgrade to head, down to base and up again, on SQLite and on PostgreSQL."""
import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from housing_swap.db.base import include_in_autogenerate
from housing_swap.db.models.change_counters import WATCHED_TABLES
from housing_swap.domain.rules import ProgramRules
from housing_swap.extensions import db
from tests.conftest import drop_everything, make_test_app, server_url

EXPECTED_TABLES = {
    "district", "community", "organization", "user_account", "api_token", "listing",
    "listing_price_change", "project", "building", "unit", "program_rule_version",
    "swap_application", "acquisition", "market_swap", "goal_ledger_entry", "audit_event",
    "search_outbox", "alembic_version", "title_record", "idempotency_record", "favourite",
    "saved_search", "notification", "notification_preference", "notification_delivery", "rate_limit_bucket",
    "listing_photo", "recorded_sale", "application_event", "application_match", "chain_proposal",
    "chain_link", "goal_ledger_claim", "acquisition_event", "acquisition_document",
    "property_identifier", "identity_collision", "ledger_reversal_request", "login_failure",
    "change_counter", "job_run", "viewing_request", "viewing_event", "viewing_block", "reservation", "queue_draw", "appraisal_appeal", "chain_milestone",
    "listing_search", "unit_search", "acquisition_additional_unit",
}


def model_tables() -> set[str]:
    """Tables other than the SQLite-only full-text tables (FTS5 and its shadow tables)."""
    return {name for name in inspect(db.engine).get_table_names() if "_fts" not in name}


def tables_with_change_counters() -> set[str]:
    """Tables that carry a change-counter trigger as the database itself reports them."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.execute(text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                                           "AND name LIKE 'change_counter_%'"))
        else:
            rows = connection.execute(text("SELECT event_object_table FROM information_schema.triggers "
                                           "WHERE trigger_name LIKE 'change_counter_%'"))
        return set(rows.scalars())


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
        # A later migration that copies a table (SQLite batch mode) must keep its triggers.
        assert tables_with_change_counters() == {table for tables in WATCHED_TABLES.values() for table in tables}
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


@contextmanager
def scratch_database_at(tmp_path, revision: str) -> Iterator:
    """An app on a new SQLite database migrated up to ``revision`` (the data a migration meets is
    written there), dropped afterwards."""
    app = make_test_app(f"sqlite:///{tmp_path / 'scratch.sqlite3'}", tmp_path / "instance")
    with app.app_context():
        drop_everything()
        upgrade(revision=revision)
        yield app
        drop_everything()
        db.engine.dispose()


def test_rekeying_reports_two_spellings_of_one_home_without_merging_them(tmp_path):
    """0013 recomputes keys from the encrypted originals; a second spelling of a home the registry
    already holds keeps its old key and is listed in identity_collision for the bureau."""
    spellings = ("豫(2015)郑州市不动产权第6584811号", "豫（2015）郑州市不动产权第６５８４８１１号",
                 "豫【2016】郑州市不动产权第0000002号")
    with scratch_database_at(tmp_path, "0012") as app:
        cipher = app.extensions["field_cipher"]
        with db.engine.begin() as connection:
            for number, spelling in enumerate(spellings, start=1):
                connection.execute(text(
                    "INSERT INTO title_record (id, certificate_number, certificate_hash, address, owner_id_hash,"
                    " area_m2, seized, mortgaged, imported_at) VALUES (:id, :number, :hash, '地址', 'h', 90, 0, 0,"
                    " CURRENT_TIMESTAMP)"),
                    {"id": number, "number": cipher.encrypt(spelling, "title_record.certificate_number"),
                     "hash": cipher.lookup_hash(spelling, "certificate")})
        upgrade()
        with db.engine.connect() as connection:
            keys = dict(connection.execute(text("SELECT id, property_key FROM title_record")).all())
            collisions = connection.execute(text(
                "SELECT table_name, row_id, other_row_id FROM identity_collision")).all()
            identifiers = connection.execute(text("SELECT count(*) FROM property_identifier")).scalar()
        canonical = cipher.lookup_hash("豫(2015)郑州市不动产权第6584811号", "certificate")
        assert keys[1] == canonical
        assert keys[2] == cipher.lookup_hash(spellings[1], "certificate")  # not merged
        assert keys[3] == cipher.lookup_hash("豫(2016)郑州市不动产权第0000002号", "certificate")
        assert collisions == [("title_record", 2, 1)]
        assert identifiers == 2


def test_rule_versions_stored_with_one_sale_fee_rate_keep_their_total_as_two_rules(tmp_path):
    """0030 splits ``market_sale_fee_rate``: the whole of it becomes the agency commission, the
    seller's taxes 0, so a version's figures stay what they were; downgrading adds them back."""
    documents = {1: {"market_sale_fee_rate": "0.025", "offer_valid_days": 15}, 2: {"offer_valid_days": 9}}
    with scratch_database_at(tmp_path, "0029"):
        with db.engine.begin() as connection:
            for number, document in documents.items():
                connection.execute(text(
                    "INSERT INTO program_rule_version (id, version, name, effective_from, document, status,"
                    " created_at) VALUES (:id, :id, '旧版本', '2024-04-20', :document, 'published', CURRENT_TIMESTAMP)"),
                    {"id": number, "document": json.dumps(document)})

        def stored() -> dict[int, dict]:
            with db.engine.connect() as connection:
                rows = connection.execute(text("SELECT id, document FROM program_rule_version")).all()
            return {row_id: json.loads(document) for row_id, document in rows}

        upgrade()
        after = stored()
        assert after[1] == {"market_agency_fee_rate": "0.025", "market_seller_tax_rate": "0", "offer_valid_days": 15}
        assert after[2] == documents[2]
        rules = ProgramRules.from_document(after[1])
        assert rules.market_agency_fee_rate + rules.market_seller_tax_rate == Decimal("0.025")
        downgrade(revision="0029")
        assert stored() == documents


def test_the_text_index_keeps_its_texts_and_learns_each_homes_district(tmp_path):
    """0035 rebuilds the SQLite text index with a district column filled from the search rows;
    a word within a district then matches in the index alone. Downgrading keeps the texts."""
    homes = {1: "410105", 2: "410102"}
    with scratch_database_at(tmp_path, "0034"):
        with db.engine.begin() as connection:
            for home_id, district in homes.items():
                connection.execute(text(
                    "INSERT INTO listing_search (id, district_code, name, body, price, unit_price, area_m2, bedrooms,"
                    " floor, lat, lon, price_band, area_band, bedroom_band, community_id, build_year, elevator)"
                    " VALUES (:id, :district, '锦 绣 花 园', '', 1000000, 10000, 100, 2, 3, 34.7, 113.6, 'p1', 'a1',"
                    " 'b2', 1, 2010, 1)"), {"id": home_id, "district": district})
                connection.execute(text("INSERT INTO listing_search_fts (rowid, name, address, description)"
                                        " VALUES (:id, '锦 绣 花 园', '文 化 路', '')"), {"id": home_id})
        upgrade()

        def matching(expression: str) -> list[int]:
            with db.engine.connect() as connection:
                return list(connection.execute(text("SELECT rowid FROM listing_search_fts WHERE listing_search_fts"
                                                    " MATCH :e ORDER BY rowid"), {"e": expression}).scalars())

        assert matching('{name address description} : "花 园" AND district : ("410102")') == [2]
        assert matching('"文 化"') == [1, 2]
        downgrade(revision="0034")
        assert matching('"花 园"') == [1, 2]


@pytest.mark.postgres
def test_two_machines_migrating_at_once_both_succeed(tmp_path):
    """Each machine runs `flask db upgrade` as it starts; the second waits for the first."""
    url = server_url("HOUSING_SWAP_TEST_POSTGRES_URL", "PostgreSQL")
    app = make_test_app(url.replace("postgresql://", "postgresql+psycopg://", 1), tmp_path / "instance")
    with app.app_context():
        drop_everything()
        db.engine.dispose()
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    machines = []
    for name in ("a", "b"):
        environment = {**{k: v for k, v in os.environ.items() if not k.startswith("HOUSING_SWAP_")}, "FLASK_APP": "housing_swap", "HOUSING_SWAP_DATABASE_URL": url,
                       "HOUSING_SWAP_SECRET_KEY": "s" * 40, "HOUSING_SWAP_DATA_KEY": key,
                       "HOUSING_SWAP_INSTANCE_PATH": str(tmp_path / name),
                       # Required on a server database; migrating contacts neither.
                       "HOUSING_SWAP_S3_ENDPOINT_URL": "http://127.0.0.1:9000", "HOUSING_SWAP_S3_BUCKET": "unused",
                       "HOUSING_SWAP_REDIS_URL": "redis://127.0.0.1:6379/15"}
        machines.append(subprocess.Popen([str(Path(sys.executable).parent / "flask"), "db", "upgrade"],
                                         env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    outputs = [machine.communicate(timeout=120)[0].decode() for machine in machines]
    assert [machine.returncode for machine in machines] == [0, 0], outputs
    with app.app_context():
        assert model_tables() == EXPECTED_TABLES
        drop_everything()
        db.engine.dispose()
