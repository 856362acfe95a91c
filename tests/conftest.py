"""Shared fixtures: ``app``, ``client``, ``runner``, a login helper and model factories.

The suite's database is ``HOUSING_SWAP_TEST_DATABASE_URL`` (PostgreSQL in CI's server run)
or a temporary SQLite file. The schema is built once per session by the real migrations;
every test starts from empty tables.
"""
from __future__ import annotations

import base64
import os
import secrets
import uuid

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, inspect, make_url, text

from housing_swap import create_app
from housing_swap.demo.seed import publish_demo_rules
from housing_swap.extensions import db
from housing_swap.search.query import Kind
from housing_swap.search.search_rows import TEXT_TABLES
from housing_swap.search.sync import reindex
from housing_swap.services.files import file_store
from housing_swap.services.reference_data import load_reference_data
from housing_swap.services.search import elasticsearch_backend
from tests.contract import check_response
from tests.factories import Factories

IN_CI = os.environ.get("CI") == "true"
# The cluster tests need the machines scripts/cluster.sh starts (`make test-cluster`, CI's third run).
collect_ignore = [] if os.environ.get("HOUSING_SWAP_CLUSTER_A") else ["cluster"]
TEST_DATA_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
# The suite's search backend follows the run: CI's server run sets elasticsearch.
SEARCH_BACKEND = os.environ.get("HOUSING_SWAP_SEARCH_BACKEND", "sql")
SUITE_INDEX_PREFIX = f"hs_suite_{uuid.uuid4().hex[:10]}"
# With an object store configured and chosen (CI's server run: HOUSING_SWAP_STORAGE=s3), every file
# the suite writes goes there, under a prefix of this run's own; otherwise to a local folder.
S3_TEST_ENDPOINT = (os.environ.get("HOUSING_SWAP_TEST_S3_ENDPOINT_URL")
                    if os.environ.get("HOUSING_SWAP_STORAGE") == "s3" else None)
SUITE_FILE_PREFIX = f"suite-{uuid.uuid4().hex[:10]}/"


def file_store_config() -> dict:
    if not S3_TEST_ENDPOINT:
        return {"STORAGE_BACKEND": "local"}
    return {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": S3_TEST_ENDPOINT,
            "S3_BUCKET": os.environ["HOUSING_SWAP_TEST_S3_BUCKET"],
            "S3_ACCESS_KEY_ID": os.environ["HOUSING_SWAP_TEST_S3_ACCESS_KEY_ID"],
            "S3_SECRET_ACCESS_KEY": os.environ["HOUSING_SWAP_TEST_S3_SECRET_ACCESS_KEY"],
            "S3_PREFIX": SUITE_FILE_PREFIX}


def server_url(variable: str, what: str) -> str:
    """A real server's URL from the environment; skip without it, but fail under CI=true."""
    url = os.environ.get(variable)
    if not url:
        message = f"{what} not configured: set {variable} (scripts/services.sh up prints it)"
        if IN_CI:
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    """Each pytest-xdist worker gets a database of its own: a temporary SQLite file, or on a
    server a sibling database of the configured one (created on first use)."""
    server = os.environ.get("HOUSING_SWAP_TEST_DATABASE_URL")
    if not server:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'suite.sqlite3'}"
    return server if worker_id == "master" else worker_database(server, worker_id)


def worker_database(server_url: str, worker_id: str) -> str:
    url = make_url(server_url)
    name = f"{url.database}_{worker_id}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (its own ``g`` and database session), as in
    production, even though the test itself holds an app context open. Afterwards the test's
    session forgets what it had loaded, so assertions read what the request committed. Every
    /api/ answer is checked against the OpenAPI document (tests/contract.py)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        request = response.request
        if request.path.startswith("/api/"):
            check_response(request.method, request.path, response)  # the document never drifts from the code
        return response


def make_test_app(database_url: str, instance_path, **overrides):
    config = {
        "TESTING": True,
        "INSTANCE_PATH": instance_path,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATA_KEY": base64.urlsafe_b64decode(TEST_DATA_KEY),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SERVER_NAME": "localhost",
        "SEARCH_BACKEND": SEARCH_BACKEND,
        "ELASTICSEARCH_INDEX_PREFIX": SUITE_INDEX_PREFIX,
        # Cheap hashing keeps the suite fast; production's scrypt is checked in test_passwords_and_reauth.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Alert windows end now (tests publish and alert within a second); the settling is tested
        # on its own in tests/search/test_alert_runs.py.
        "ALERT_SETTLE_SECONDS": 0,
        # Jobs run in the process that dispatches them; tests/test_job_runner.py runs a real worker
        # on the queue file and (in CI's server run) on Redis.
        "JOB_BROKER": "immediate",
        **file_store_config(),
    }
    if SEARCH_BACKEND == "elasticsearch":
        config["ELASTICSEARCH_URL"] = server_url("HOUSING_SWAP_TEST_ELASTICSEARCH_URL", "Elasticsearch")
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture(scope="session")
def _migrated_schema(database_url, tmp_path_factory):
    """Drop whatever is there and build the schema with the real migrations, once."""
    app = make_test_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        drop_everything()
        upgrade()
        db.engine.dispose()
    yield database_url
    with app.app_context():
        if SEARCH_BACKEND == "elasticsearch":
            _delete_suite_indices()
        if S3_TEST_ENDPOINT:
            _delete_suite_files()


def _delete_suite_files() -> None:
    store = file_store()
    for stored in list(store.list()):
        store.delete(stored.key)


def rebuild_search_index() -> None:
    """With Elasticsearch as the suite's backend, make its indices match the database now."""
    if SEARCH_BACKEND != "elasticsearch":
        return
    backend = elasticsearch_backend()
    for kind in Kind:
        reindex(db.session, backend, kind)


def _delete_suite_indices() -> None:
    client = elasticsearch_backend().client
    names = list(client.indices.get(index=f"{SUITE_INDEX_PREFIX}_*", allow_no_indices=True))
    if names:
        client.indices.delete(index=",".join(names))


def drop_everything() -> None:
    """Empty the database completely: what only migrations create, and tables an older revision
    left behind (the models no longer name them, so they are read from the database itself)."""
    with db.engine.begin() as connection:
        for table in TEXT_TABLES:
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    existing = MetaData()
    existing.reflect(bind=db.engine)
    existing.drop_all(bind=db.engine)


@pytest.fixture
def app(_migrated_schema, tmp_path):
    app = make_test_app(_migrated_schema, tmp_path / "instance", WTF_CSRF_ENABLED=False)
    with app.app_context():
        load_programme_rules()
        rebuild_search_index()  # an empty index for an empty database
        yield app
        _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def csrf_app(_migrated_schema, tmp_path):
    """Like ``app`` but with CSRF protection on, as in production."""
    app = make_test_app(_migrated_schema, tmp_path / "instance")
    with app.app_context():
        load_programme_rules()
        yield app
        _empty_all_tables()
        db.engine.dispose()


def load_programme_rules() -> None:
    """Districts and the 2024 rules (reference data), plus rules for each later year up to this
    one (as a bureau would have published), so tests dated today find rules covering them."""
    load_reference_data()
    publish_demo_rules()
    db.session.commit()


def _empty_all_tables() -> None:
    db.session.remove()  # end the session's transaction first, or TRUNCATE waits on its locks
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in (*tables, *TEXT_TABLES):
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app) -> Factories:
    return Factories()


@pytest.fixture
def login(client):
    """Sign in through the real login form; returns the response."""
    def sign_in(login_name: str, password: str = Factories.PASSWORD, follow: bool = False):
        return client.post("/auth/login", data={"login": login_name, "password": password},
                           follow_redirects=follow)
    return sign_in


def table_names_in_database() -> set[str]:
    return set(inspect(db.engine).get_table_names())
