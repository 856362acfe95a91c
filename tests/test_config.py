"""Settings from the environment, generated secrets, and refusing broken settings."""
import base64
import os

import pytest

from housing_swap import create_app
from housing_swap.config import ConfigError, load_settings
from housing_swap.security.headers import content_security_policy


def test_no_configuration_means_embedded_sqlite_and_sql_search(tmp_path):
    settings = load_settings(environ={}, instance_path=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'housing_swap.sqlite3'}"
    assert settings.search_backend == "sql"


def test_secrets_are_generated_once_into_the_instance_folder(tmp_path):
    first = load_settings(environ={}, instance_path=tmp_path)
    second = load_settings(environ={}, instance_path=tmp_path)
    assert first.secret_key
    assert first.secret_key == second.secret_key
    assert len(first.data_key) == 32
    assert first.data_key == second.data_key
    assert (tmp_path / "data_key").stat().st_mode & 0o777 == 0o600


def a_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


SERVER = {"HOUSING_SWAP_DATABASE_URL": "postgres://u:p@127.0.0.1:5432/hs",
          "HOUSING_SWAP_S3_ENDPOINT_URL": "http://127.0.0.1:9000", "HOUSING_SWAP_S3_BUCKET": "files",
          "HOUSING_SWAP_REDIS_URL": "redis://127.0.0.1:6379/0"}


def test_postgres_urls_are_normalised_to_the_psycopg_driver(tmp_path):
    settings = load_settings(
        environ={**SERVER, "HOUSING_SWAP_SECRET_KEY": "s" * 40, "HOUSING_SWAP_DATA_KEY": a_key()},
        instance_path=tmp_path)
    assert settings.database_url == "postgresql+psycopg://u:p@127.0.0.1:5432/hs"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATA_KEY"])
def test_a_server_database_refuses_to_start_without_shared_secrets(tmp_path, missing):
    """Keys generated per machine would make one machine's sessions and ciphertexts unreadable on
    the next: on PostgreSQL both must be configured, and nothing is generated."""
    environ = {**SERVER, "HOUSING_SWAP_SECRET_KEY": "s" * 40, "HOUSING_SWAP_DATA_KEY": a_key()}
    del environ[f"HOUSING_SWAP_{missing}"]
    with pytest.raises(ConfigError, match=f"HOUSING_SWAP_{missing} \\(or HOUSING_SWAP_{missing}_FILE\\)"):
        load_settings(environ=environ, instance_path=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_server_database_keeps_files_in_the_shared_object_store(tmp_path):
    secrets = {"HOUSING_SWAP_SECRET_KEY": "s" * 40, "HOUSING_SWAP_DATA_KEY": a_key()}
    settings = load_settings(environ={**SERVER, **secrets}, instance_path=tmp_path)
    assert settings.storage_backend == "s3"
    assert settings.s3_bucket == "files"
    with pytest.raises(ConfigError, match="HOUSING_SWAP_STORAGE=local keeps files on one machine"):
        load_settings(environ={**SERVER, **secrets, "HOUSING_SWAP_STORAGE": "local"}, instance_path=tmp_path)
    with pytest.raises(ConfigError, match="HOUSING_SWAP_S3_BUCKET must name the bucket"):
        load_settings(environ={**SERVER, **secrets, "HOUSING_SWAP_S3_BUCKET": ""}, instance_path=tmp_path)
    assert load_settings(environ={}, instance_path=tmp_path).storage_backend == "local"


def test_a_server_database_queues_jobs_on_redis(tmp_path):
    secrets = {"HOUSING_SWAP_SECRET_KEY": "s" * 40, "HOUSING_SWAP_DATA_KEY": a_key()}
    assert load_settings(environ={**SERVER, **secrets}, instance_path=tmp_path).job_broker == "redis"
    with pytest.raises(ConfigError, match="HOUSING_SWAP_JOB_BROKER=sqlite queues jobs on one machine"):
        load_settings(environ={**SERVER, **secrets, "HOUSING_SWAP_JOB_BROKER": "sqlite"}, instance_path=tmp_path)
    with pytest.raises(ConfigError, match="HOUSING_SWAP_REDIS_URL must be a redis:// URL"):
        load_settings(environ={**SERVER, **secrets, "HOUSING_SWAP_REDIS_URL": ""}, instance_path=tmp_path)
    assert load_settings(environ={}, instance_path=tmp_path).job_broker == "sqlite"


def test_secrets_can_come_from_files_the_environment_names(tmp_path):
    key = a_key()
    (tmp_path / "data.key").write_text(key + "\n")
    (tmp_path / "secret").write_text("from-a-file" * 4)
    settings = load_settings(environ={**SERVER, "HOUSING_SWAP_DATA_KEY_FILE": str(tmp_path / "data.key"),
                                      "HOUSING_SWAP_SECRET_KEY_FILE": str(tmp_path / "secret")},
                             instance_path=tmp_path / "instance")
    assert settings.data_key == base64.urlsafe_b64decode(key)
    assert settings.secret_key == "from-a-file" * 4


@pytest.mark.parametrize(("environ", "fragment"), [
    ({"HOUSING_SWAP_DATA_KEY_FILE": "/nonexistent/key"}, "HOUSING_SWAP_DATA_KEY_FILE names '/nonexistent/key'"),
    ({"HOUSING_SWAP_SECRET_KEY": "x", "HOUSING_SWAP_SECRET_KEY_FILE": "/etc/hostname"},
     "set HOUSING_SWAP_SECRET_KEY or HOUSING_SWAP_SECRET_KEY_FILE, not both"),
    ({"HOUSING_SWAP_OLD_DATA_KEYS": "not-a-key"}, "HOUSING_SWAP_OLD_DATA_KEYS must"),
])
def test_broken_secret_sources_are_named(tmp_path, environ, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_settings(environ=environ, instance_path=tmp_path)


def test_old_data_keys_need_the_lookup_key_named(tmp_path):
    """The lookup hashes are identities the ledger counts by: a rotation must not change them."""
    old, new = a_key(), a_key()
    rotating = {"HOUSING_SWAP_DATA_KEY": new, "HOUSING_SWAP_OLD_DATA_KEYS": old}
    with pytest.raises(ConfigError, match="HOUSING_SWAP_LOOKUP_KEY must be set"):
        load_settings(environ=rotating, instance_path=tmp_path)
    settings = load_settings(environ={**rotating, "HOUSING_SWAP_LOOKUP_KEY": old}, instance_path=tmp_path)
    assert settings.old_data_keys == (base64.urlsafe_b64decode(old),)
    assert settings.lookup_key == base64.urlsafe_b64decode(old)


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("SEARCH_BACKEND", "solr", "SEARCH_BACKEND must be one of"),
    ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must be"),
    ("ELASTICSEARCH_URL", "ftp://host", "ELASTICSEARCH_URL must be"),
    ("DATA_KEY", base64.urlsafe_b64encode(b"short").decode(), "DATA_KEY must decode to 32 bytes"),
    ("DATA_KEY", "!!!not base64!!!", "DATA_KEY must"),
    ("API_TOKEN_HOURS", "eight", "API_TOKEN_HOURS must be a whole number"),
    ("HTTPS", "maybe", "HTTPS must be true or false"),
])
def test_broken_settings_are_named(tmp_path, name, value, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_settings(environ={f"HOUSING_SWAP_{name}": value}, instance_path=tmp_path)


def test_create_app_stops_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("HOUSING_SWAP_SEARCH_BACKEND", "solr")
    with pytest.raises(SystemExit) as stopped:
        create_app({"INSTANCE_PATH": tmp_path})
    assert "configuration error" in str(stopped.value)
    assert "HOUSING_SWAP_SEARCH_BACKEND" in str(stopped.value)


def test_factory_applies_overrides_and_touches_no_database(tmp_path, monkeypatch):
    for name in [n for n in os.environ if n.startswith("HOUSING_SWAP_")]:
        monkeypatch.delenv(name)
    app = create_app({"INSTANCE_PATH": tmp_path, "SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:",
                      "TESTING": True})
    assert app.config["TESTING"] is True
    assert app.config["SEARCH_BACKEND"] == "sql"
    assert not (tmp_path / "housing_swap.sqlite3").exists()


def test_https_setting_marks_session_cookies_secure(tmp_path):
    settings = load_settings(environ={"HOUSING_SWAP_HTTPS": "true"}, instance_path=tmp_path)
    assert settings.flask_config()["SESSION_COOKIE_SECURE"] is True
    assert load_settings(environ={}, instance_path=tmp_path).flask_config()["SESSION_COOKIE_SECURE"] is False


def test_postgresql_sessions_get_the_statement_timeout_and_pool_from_settings(tmp_path, monkeypatch):
    from sqlalchemy import text

    from housing_swap.extensions import db
    from tests.conftest import make_test_app, server_url
    url = server_url("HOUSING_SWAP_TEST_POSTGRES_URL", "PostgreSQL")
    app = make_test_app(url.replace("postgresql://", "postgresql+psycopg://", 1), tmp_path,
                        STATEMENT_TIMEOUT_MS=1500, DATABASE_POOL_SIZE=3)
    with app.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "1500ms"
        assert db.engine.pool.size() == 3
        db.session.remove()
        db.engine.dispose()


def test_a_map_tile_service_is_checked_and_let_through_the_content_security_policy(tmp_path):
    for bad in ("ftp://tiles.example.com/{z}/{x}/{y}.png", "https://tiles.example.com/tile.png"):
        with pytest.raises(ConfigError, match="MAP_TILE_URL"):
            load_settings({"HOUSING_SWAP_MAP_TILE_URL": bad}, tmp_path)
    url = "https://{s}.tiles.example.com/{z}/{x}/{y}.png"
    assert load_settings({"HOUSING_SWAP_MAP_TILE_URL": url}, tmp_path).map_tile_url == url
    assert "img-src 'self' data: https://*.tiles.example.com;" in content_security_policy(url)
    assert "img-src 'self' data:;" in content_security_policy("")
