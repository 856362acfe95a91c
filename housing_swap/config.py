"""Settings, read once from ``HOUSING_SWAP_*`` environment variables.

With nothing set the platform runs on an embedded SQLite file under ``instance/``
and the built-in SQL search. On that embedded default, secrets that are not configured are
generated into ``instance/`` on first run so that no key is ever hard-coded. On a server
database several app machines share the data, so each secret must come from the environment
(``HOUSING_SWAP_X``, or a file named by ``HOUSING_SWAP_X_FILE``): a key generated per machine
would make one machine's sessions and ciphertexts unreadable on the others.
"""
from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlparse

ENV_PREFIX = "HOUSING_SWAP_"
SEARCH_BACKENDS = ("sql", "elasticsearch")
STORAGE_BACKENDS = ("local", "s3")
JOB_BROKERS = ("sqlite", "redis", "immediate")
DATA_KEY_BYTES = 32
LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; start-up stops with this message."""


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    search_backend: str = "sql"
    elasticsearch_url: str = "http://127.0.0.1:9200"
    elasticsearch_index_prefix: str = "housing_swap"
    elasticsearch_shards: int = 1
    elasticsearch_replicas: int = 1
    elasticsearch_search_timeout_ms: int = 1000
    secret_key: str = ""
    data_key: bytes = b""                   # seals new values
    old_data_keys: tuple[bytes, ...] = ()   # still open values sealed before a rotation
    lookup_key: bytes = b""                 # keys the lookup hashes; empty means the data key
    api_token_hours: int = 8
    listing_expiry_days: int = 90
    mail_from: str = ""
    login_max_failures: int = 5      # per account and client address, then a doubling delay
    account_max_failures: int = 50   # per account from all addresses together
    lockout_minutes: int = 15
    login_attempts_per_minute: int = 20
    session_idle_minutes: int = 30
    password_max_age_days: int = 90   # MLPS periodic change, for staff accounts
    reauth_minutes: int = 10          # how recent a password entry must be for prices, contracts, rules
    session_max_hours: int = 12
    https: bool = False
    proxy_hops: int = 0   # trusted reverse proxies in front (their X-Forwarded-For/-Proto is believed)
    log_format: str = "json"
    log_level: str = "INFO"
    metrics_allowed: tuple[str, ...] = LOOPBACK_NETWORKS   # who may read GET /metrics
    storage_backend: str = "local"       # where photos and reports live: local folder or S3
    s3_endpoint_url: str = ""
    s3_bucket: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = "us-east-1"
    s3_prefix: str = ""
    import_report_days: int = 7          # an import's error report is kept this long
    alert_settle_seconds: int = 120      # alert windows end this long ago (longer than any transaction)
    job_broker: str = "sqlite"           # the job runner's queue: a file here, or Redis at scale
    redis_url: str = ""
    database_pool_size: int = 5          # per process, server databases only
    statement_timeout_ms: int = 30_000   # PostgreSQL cancels a statement running longer
    smtp_url: str = ""            # smtp://, smtp+starttls:// or smtps://[user:password@]host[:port]
    sms_gateway_url: str = ""     # the deployment's SMS gateway (POST JSON {"phone", "text"})
    sms_gateway_token: str = ""   # its bearer token (a secret)
    public_base_url: str = ""     # how users reach the site, for links in mail ("https://…")
    offer_reminder_days: int = 2  # households are reminded when an offer ends within this many days
    viewing_requests_per_day: int = 5    # viewing requests one household may make per Beijing day
    viewing_answer_hours: int = 24       # the owner side answers a viewing request within this
    viewing_lead_hours: int = 2          # a proposed viewing time is at least this far ahead
    viewing_horizon_days: int = 30       # and at most this far
    map_tile_url: str = ""               # the deployment's licensed tile service, {z}/{x}/{y}; none: outlines only
    map_tile_attribution: str = ""       # the credit its licence asks the map to show

    def flask_config(self) -> dict:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "STORAGE_BACKEND": self.storage_backend,
            "S3_ENDPOINT_URL": self.s3_endpoint_url,
            "S3_BUCKET": self.s3_bucket,
            "S3_ACCESS_KEY_ID": self.s3_access_key_id,
            "S3_SECRET_ACCESS_KEY": self.s3_secret_access_key,
            "S3_REGION": self.s3_region,
            "S3_PREFIX": self.s3_prefix,
            "IMPORT_REPORT_DAYS": self.import_report_days,
            "ALERT_SETTLE_SECONDS": self.alert_settle_seconds,
            "JOB_BROKER": self.job_broker,
            "REDIS_URL": self.redis_url,
            "DATABASE_POOL_SIZE": self.database_pool_size,
            "STATEMENT_TIMEOUT_MS": self.statement_timeout_ms,
            "SEARCH_BACKEND": self.search_backend,
            "ELASTICSEARCH_URL": self.elasticsearch_url,
            "ELASTICSEARCH_INDEX_PREFIX": self.elasticsearch_index_prefix,
            "ELASTICSEARCH_SHARDS": self.elasticsearch_shards,
            "ELASTICSEARCH_REPLICAS": self.elasticsearch_replicas,
            "ELASTICSEARCH_SEARCH_TIMEOUT_MS": self.elasticsearch_search_timeout_ms,
            "DATA_KEY": self.data_key,
            "OLD_DATA_KEYS": self.old_data_keys,
            "LOOKUP_KEY": self.lookup_key,
            "API_TOKEN_HOURS": self.api_token_hours,
            "LISTING_EXPIRY_DAYS": self.listing_expiry_days,
            "MAIL_FROM": self.mail_from,
            "SMTP_URL": self.smtp_url,
            "SMS_GATEWAY_URL": self.sms_gateway_url,
            "SMS_GATEWAY_TOKEN": self.sms_gateway_token,
            "PUBLIC_BASE_URL": self.public_base_url,
            "OFFER_REMINDER_DAYS": self.offer_reminder_days,
            "VIEWING_REQUESTS_PER_DAY": self.viewing_requests_per_day,
            "VIEWING_ANSWER_HOURS": self.viewing_answer_hours,
            "VIEWING_LEAD_HOURS": self.viewing_lead_hours,
            "VIEWING_HORIZON_DAYS": self.viewing_horizon_days,
            "MAP_TILE_URL": self.map_tile_url,
            "MAP_TILE_ATTRIBUTION": self.map_tile_attribution,
            "LOGIN_MAX_FAILURES": self.login_max_failures,
            "ACCOUNT_MAX_FAILURES": self.account_max_failures,
            "LOCKOUT_MINUTES": self.lockout_minutes,
            "LOGIN_ATTEMPTS_PER_MINUTE": self.login_attempts_per_minute,
            "SESSION_IDLE_MINUTES": self.session_idle_minutes,
            "PASSWORD_MAX_AGE_DAYS": self.password_max_age_days,
            "REAUTH_MINUTES": self.reauth_minutes,
            "PASSWORD_HASH_METHOD": "scrypt",
            "PROXY_HOPS": self.proxy_hops,
            "SESSION_MAX_HOURS": self.session_max_hours,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.https,
            "PREFERRED_URL_SCHEME": "https" if self.https else "http",
            "WTF_CSRF_TIME_LIMIT": None,
            "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
            "LOG_FORMAT": self.log_format,
            "LOG_LEVEL": self.log_level,
            "METRICS_ALLOWED": self.metrics_allowed,
        }


def engine_options(config: dict) -> dict:
    """SQLAlchemy engine options for the database the app finally uses (tests override it)."""
    options: dict = {}
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pool = config["DATABASE_POOL_SIZE"]
        # A server connection can die between requests (a restart, a failover): test each one as
        # it leaves the pool. A SQLite file has no connection to lose, and the test was one more
        # statement on every request.
        options.update(pool_pre_ping=True, pool_size=pool, max_overflow=pool,
                       connect_args={"options": f"-c statement_timeout={config['STATEMENT_TIMEOUT_MS']}"})
    return options


def load_settings(environ: dict | None = None, instance_path: Path | None = None) -> Settings:
    """Build settings from the environment; raise ConfigError naming the bad variable."""
    env = dict(os.environ if environ is None else environ)
    instance = Path(env.get(f"{ENV_PREFIX}INSTANCE_PATH") or instance_path or default_instance_path())
    instance.mkdir(parents=True, exist_ok=True)
    database_url = _database_url(env, instance)
    secrets_from = _SecretSource(env, instance, generate=database_url.startswith("sqlite"))
    secret_key, data_key = secrets_from.required("SECRET_KEY"), secrets_from.data_key("DATA_KEY")
    old_data_keys = secrets_from.data_keys("OLD_DATA_KEYS")
    lookup_key = secrets_from.lookup_key(old_data_keys)
    storage = _storage_backend(env, server=not database_url.startswith("sqlite"))
    s3 = _s3_settings(env, secrets_from) if storage == "s3" else {}
    broker, redis_url = _job_broker(env, server=not database_url.startswith("sqlite"))
    return Settings(
        instance_path=instance,
        database_url=database_url,
        search_backend=_search_backend(env),
        elasticsearch_url=_elasticsearch_url(env),
        elasticsearch_index_prefix=env.get(f"{ENV_PREFIX}ELASTICSEARCH_INDEX_PREFIX", "housing_swap"),
        elasticsearch_shards=_positive_int(env, "ELASTICSEARCH_SHARDS", 1),
        elasticsearch_replicas=_positive_int(env, "ELASTICSEARCH_REPLICAS", 1, minimum=0),
        elasticsearch_search_timeout_ms=_positive_int(env, "ELASTICSEARCH_SEARCH_TIMEOUT_MS", 1000, minimum=50),
        secret_key=secret_key,
        data_key=data_key,
        old_data_keys=old_data_keys,
        lookup_key=lookup_key,
        api_token_hours=_positive_int(env, "API_TOKEN_HOURS", 8),
        listing_expiry_days=_positive_int(env, "LISTING_EXPIRY_DAYS", 90),
        mail_from=env.get(f"{ENV_PREFIX}MAIL_FROM", "").strip(),
        login_max_failures=_positive_int(env, "LOGIN_MAX_FAILURES", 5),
        account_max_failures=_positive_int(env, "ACCOUNT_MAX_FAILURES", 50),
        lockout_minutes=_positive_int(env, "LOCKOUT_MINUTES", 15),
        login_attempts_per_minute=_positive_int(env, "LOGIN_ATTEMPTS_PER_MINUTE", 20),
        session_idle_minutes=_positive_int(env, "SESSION_IDLE_MINUTES", 30),
        password_max_age_days=_positive_int(env, "PASSWORD_MAX_AGE_DAYS", 90),
        reauth_minutes=_positive_int(env, "REAUTH_MINUTES", 10),
        session_max_hours=_positive_int(env, "SESSION_MAX_HOURS", 12),
        https=_flag(env, "HTTPS"),
        proxy_hops=_positive_int(env, "PROXY_HOPS", 0, minimum=0),
        log_format=_choice(env, "LOG_FORMAT", LOG_FORMATS, "json"),
        log_level=_choice(env, "LOG_LEVEL", LOG_LEVELS, "INFO"),
        metrics_allowed=_networks(env, "METRICS_ALLOWED", LOOPBACK_NETWORKS),
        storage_backend=storage,
        **s3,
        import_report_days=_positive_int(env, "IMPORT_REPORT_DAYS", 7),
        alert_settle_seconds=_positive_int(env, "ALERT_SETTLE_SECONDS", 120, minimum=0),
        job_broker=broker,
        redis_url=redis_url,
        database_pool_size=_positive_int(env, "DATABASE_POOL_SIZE", 5),
        statement_timeout_ms=_positive_int(env, "STATEMENT_TIMEOUT_MS", 30_000, minimum=100),
        smtp_url=_url_setting(env, "SMTP_URL", ("smtp", "smtp+starttls", "smtps"), secret=secrets_from),
        sms_gateway_url=_url_setting(env, "SMS_GATEWAY_URL", ("http", "https")),
        sms_gateway_token=secrets_from.optional("SMS_GATEWAY_TOKEN"),
        public_base_url=_url_setting(env, "PUBLIC_BASE_URL", ("http", "https")),
        offer_reminder_days=_positive_int(env, "OFFER_REMINDER_DAYS", 2, minimum=0),
        viewing_requests_per_day=_positive_int(env, "VIEWING_REQUESTS_PER_DAY", 5),
        viewing_answer_hours=_positive_int(env, "VIEWING_ANSWER_HOURS", 24),
        viewing_lead_hours=_positive_int(env, "VIEWING_LEAD_HOURS", 2, minimum=0),
        viewing_horizon_days=_positive_int(env, "VIEWING_HORIZON_DAYS", 30),
        map_tile_url=_tile_url(env),
        map_tile_attribution=env.get(f"{ENV_PREFIX}MAP_TILE_ATTRIBUTION", "").strip()[:200],
    )


def default_instance_path() -> Path:
    return Path.cwd() / "instance"


def _database_url(env: dict, instance: Path) -> str:
    url = env.get(f"{ENV_PREFIX}DATABASE_URL")
    if not url:
        return f"sqlite:///{instance / 'housing_swap.sqlite3'}"
    scheme = urlparse(url).scheme
    if scheme.startswith("postgres"):
        # psycopg 3 is the driver we ship; accept the common short forms of the URL.
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme.startswith("sqlite"):
        return url
    raise ConfigError(
        f"{ENV_PREFIX}DATABASE_URL must be a sqlite:/// or postgresql:// URL, got scheme {scheme!r}"
    )


def _search_backend(env: dict) -> str:
    backend = env.get(f"{ENV_PREFIX}SEARCH_BACKEND", "sql").strip().lower()
    if backend not in SEARCH_BACKENDS:
        raise ConfigError(
            f"{ENV_PREFIX}SEARCH_BACKEND must be one of {', '.join(SEARCH_BACKENDS)}, got {backend!r}"
        )
    return backend


def _elasticsearch_url(env: dict) -> str:
    """One node's URL or several, comma-separated (every node of the cluster the client may use)."""
    urls = env.get(f"{ENV_PREFIX}ELASTICSEARCH_URL", "http://127.0.0.1:9200")
    for url in urls.split(","):
        parsed = urlparse(url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(f"{ENV_PREFIX}ELASTICSEARCH_URL must be http(s) URLs, comma-separated, got {url!r}")
    return urls


def _url_setting(env: dict, name: str, schemes: tuple[str, ...], secret: _SecretSource | None = None) -> str:
    """An optional URL with one of ``schemes``; one holding a password may come from a file."""
    url = (secret.optional(name) if secret else env.get(f"{ENV_PREFIX}{name}", "")).strip()
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme not in schemes or not parsed.hostname:
        raise ConfigError(f"{ENV_PREFIX}{name} must be a {' or '.join(schemes)} URL with a host")
    try:
        parsed.port  # noqa: B018 — urlparse checks the port only when asked
    except ValueError:
        raise ConfigError(f"{ENV_PREFIX}{name} has a bad port") from None
    return url


def _tile_url(env: dict) -> str:
    """A tile URL template such as https://{s}.tiles.example.com/{z}/{x}/{y}.png, or none."""
    url = _url_setting(env, "MAP_TILE_URL", ("https", "http"))
    if url and not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise ConfigError(f"{ENV_PREFIX}MAP_TILE_URL must hold {{z}}, {{x}} and {{y}}")
    return url


def tile_origin(url: str) -> str:
    """What the Content-Security-Policy must allow images from for a tile URL ("{s}." is any subdomain)."""
    parsed = urlparse(url)
    host = parsed.netloc.replace("{s}.", "*.")
    return f"{parsed.scheme}://{host}"


def _positive_int(env: dict, name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(f"{ENV_PREFIX}{name}")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{ENV_PREFIX}{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{ENV_PREFIX}{name} must be at least {minimum}, got {value}")
    return value


def _storage_backend(env: dict, server: bool) -> str:
    """A local folder only on the embedded default: machines sharing a database share files too."""
    storage = _choice(env, "STORAGE", STORAGE_BACKENDS, "s3" if server else "local")
    if server and storage == "local":
        raise ConfigError(f"{ENV_PREFIX}STORAGE=local keeps files on one machine; on a server database "
                          f"set {ENV_PREFIX}STORAGE=s3 and {ENV_PREFIX}S3_ENDPOINT_URL, S3_BUCKET, S3_ACCESS_KEY_ID "
                          "and S3_SECRET_ACCESS_KEY")
    return storage


def _job_broker(env: dict, server: bool) -> tuple[str, str]:
    """The queue file serves one machine; machines sharing a database share a Redis queue."""
    broker = _choice(env, "JOB_BROKER", JOB_BROKERS, "redis" if server else "sqlite")
    if server and broker == "sqlite":
        raise ConfigError(f"{ENV_PREFIX}JOB_BROKER=sqlite queues jobs on one machine; on a server database "
                          f"set {ENV_PREFIX}JOB_BROKER=redis and {ENV_PREFIX}REDIS_URL")
    redis_url = env.get(f"{ENV_PREFIX}REDIS_URL", "").strip()
    if broker == "redis" and urlparse(redis_url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"{ENV_PREFIX}REDIS_URL must be a redis:// URL when the job broker is Redis, "
                          f"got {redis_url!r}")
    return broker, redis_url


def _s3_settings(env: dict, secrets_from: _SecretSource) -> dict:
    endpoint = env.get(f"{ENV_PREFIX}S3_ENDPOINT_URL", "").strip()
    parsed = urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"{ENV_PREFIX}S3_ENDPOINT_URL must be the object store's http(s) URL, got {endpoint!r}")
    bucket = env.get(f"{ENV_PREFIX}S3_BUCKET", "").strip()
    if not bucket:
        raise ConfigError(f"{ENV_PREFIX}S3_BUCKET must name the bucket for the platform's files")
    return {
        "s3_endpoint_url": endpoint, "s3_bucket": bucket,
        "s3_access_key_id": secrets_from.optional("S3_ACCESS_KEY_ID"),
        "s3_secret_access_key": secrets_from.optional("S3_SECRET_ACCESS_KEY"),
        "s3_region": env.get(f"{ENV_PREFIX}S3_REGION", "us-east-1").strip() or "us-east-1",
        "s3_prefix": env.get(f"{ENV_PREFIX}S3_PREFIX", "").strip(),
    }


def _choice(env: dict, name: str, choices: tuple[str, ...], default: str) -> str:
    raw = env.get(f"{ENV_PREFIX}{name}", default).strip()
    value = raw.upper() if choices[0].isupper() else raw.lower()
    if value not in choices:
        raise ConfigError(f"{ENV_PREFIX}{name} must be one of {', '.join(choices)}, got {raw!r}")
    return value


def _networks(env: dict, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(f"{ENV_PREFIX}{name}")
    if raw is None:
        return default
    networks = tuple(raw.replace(",", " ").split())
    for network in networks:
        try:
            ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name} must list addresses or networks (10.0.0.0/8), "
                              f"got {network!r}") from None
    return networks


def _flag(env: dict, name: str) -> bool:
    raw = env.get(f"{ENV_PREFIX}{name}", "false").strip().lower()
    if raw not in ("1", "true", "yes", "0", "false", "no", ""):
        raise ConfigError(f"{ENV_PREFIX}{name} must be true or false, got {raw!r}")
    return raw in ("1", "true", "yes")


class _SecretSource:
    """Secrets from ``HOUSING_SWAP_X`` or the file ``HOUSING_SWAP_X_FILE`` names; generated into
    ``instance/`` only when ``generate`` (the embedded SQLite default, one machine)."""

    def __init__(self, env: dict, instance: Path, generate: bool):
        self.env, self.instance, self.generate = env, instance, generate

    def optional(self, name: str) -> str:
        variable, file_variable = f"{ENV_PREFIX}{name}", f"{ENV_PREFIX}{name}_FILE"
        value, file_name = self.env.get(variable, "").strip(), self.env.get(file_variable, "").strip()
        if value and file_name:
            raise ConfigError(f"set {variable} or {file_variable}, not both")
        if not file_name:
            return value
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{file_variable} names {file_name!r}, which cannot be read: {error}") from None

    def required(self, name: str, data_key: bool = False) -> str:
        value = self.optional(name)
        if value:
            return value
        if not self.generate:
            raise ConfigError(
                f"{ENV_PREFIX}{name} (or {ENV_PREFIX}{name}_FILE) must be set on a server database: "
                "every app machine needs the same value, so none is generated")
        return _instance_secret(self.instance / name.lower(), data_key=data_key)

    def data_key(self, name: str) -> bytes:
        return _decode_data_key(self.required(name, data_key=True), f"{ENV_PREFIX}{name}")

    def data_keys(self, name: str) -> tuple[bytes, ...]:
        """A list of keys, separated by commas or white space."""
        raw = self.optional(name).replace(",", " ").split()
        return tuple(_decode_data_key(value, f"{ENV_PREFIX}{name}") for value in raw)

    def lookup_key(self, old_data_keys: tuple[bytes, ...]) -> bytes:
        """Lookup hashes identify people and properties (the ledger counts by them), so they never
        change with a rotation: once old data keys exist, the key they were made with is named."""
        raw = self.optional("LOOKUP_KEY")
        if raw:
            return _decode_data_key(raw, f"{ENV_PREFIX}LOOKUP_KEY")
        if old_data_keys:
            raise ConfigError(
                f"{ENV_PREFIX}LOOKUP_KEY must be set when {ENV_PREFIX}OLD_DATA_KEYS is: give it the "
                "data key the lookup hashes were made with (the first data key), see docs/deployment.md")
        return b""


def _decode_data_key(raw: str, variable: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ConfigError(f"{variable} must be url-safe base64") from None
    if len(key) != DATA_KEY_BYTES:
        raise ConfigError(f"{variable} must decode to {DATA_KEY_BYTES} bytes, got {len(key)}")
    return key


def _instance_secret(path: Path, data_key: bool = False) -> str:
    """Read a generated secret, creating it (owner-only permissions) on first run."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    value = (
        base64.urlsafe_b64encode(secrets.token_bytes(DATA_KEY_BYTES)).decode("ascii")
        if data_key
        else secrets.token_urlsafe(48)
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value
