"""Settings from the environment, generated secrets, and refusing broken settings."""
import base64
import os

import pytest

from housing_swap import create_app
from housing_swap.config import ConfigError, load_settings


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


def test_postgres_urls_are_normalised_to_the_psycopg_driver(tmp_path):
    settings = load_settings(
        environ={"HOUSING_SWAP_DATABASE_URL": "postgres://u:p@127.0.0.1:5432/hs"}, instance_path=tmp_path)
    assert settings.database_url == "postgresql+psycopg://u:p@127.0.0.1:5432/hs"


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
