#!/usr/bin/env bash
# Install (if missing) and start PostgreSQL, Elasticsearch, an S3-compatible object store
# (s3proxy) and Redis (the job runner's broker) on 127.0.0.1, idempotently.
#
#   scripts/services.sh up       start them; print the environment variables to use
#   scripts/services.sh down     stop them
#   scripts/services.sh status   say what is running
#   scripts/services.sh env      print the environment variables only
#
# Progress goes to stderr; `up` and `env` print only `export ...` lines on stdout, so
# `eval "$(scripts/services.sh up)"` works. The credentials are for loopback-only
# development and CI services, never for a deployment (see docs/deployment.md).
set -euo pipefail

ES_VERSION="${HOUSING_SWAP_ES_VERSION:-8.19.21}"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
SERVICES_HOME="${HOUSING_SWAP_SERVICES_HOME:-/var/lib/housing_swap-services}"
ES_HOME="${SERVICES_HOME}/elasticsearch-${ES_VERSION}"
ES_PORT=9200
ES_URL="http://127.0.0.1:${ES_PORT}"
S3PROXY_VERSION="${HOUSING_SWAP_S3PROXY_VERSION:-2.6.0}"
S3PROXY_ARTIFACT="org.gaul:s3proxy:${S3PROXY_VERSION}:jar:jar-with-dependencies"
S3PROXY_HOME="${SERVICES_HOME}/s3proxy-${S3PROXY_VERSION}"
S3_PORT=9000
S3_URL="http://127.0.0.1:${S3_PORT}"
S3_ACCESS_KEY=housing_swap
S3_SECRET_KEY=housing_swap_dev_only
REDIS_PORT=6379
REDIS_URL="redis://127.0.0.1:${REDIS_PORT}"
PG_USER=housing_swap
PG_PASSWORD=housing_swap_dev_only
PG_DATABASES=(housing_swap housing_swap_test housing_swap_migrations)

say() { printf '[services] %s\n' "$*" >&2; }

wait_until() {  # wait_until SECONDS WHAT COMMAND...: poll once a second; say what did not happen
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq 1 "$seconds"); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    say "${what} did not happen within ${seconds} s"
    return 1
}

apt_install() {
    if [ -z "${APT_UPDATED:-}" ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        APT_UPDATED=1
    fi
    say "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# ----- PostgreSQL -----------------------------------------------------------------

pg_cluster() { pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1, $2}'; }

postgres_up() {
    command -v pg_ctlcluster >/dev/null || apt_install postgresql
    local cluster
    cluster=$(pg_cluster)
    if [ -z "$cluster" ]; then
        local version
        version=$(ls /usr/lib/postgresql | sort -n | tail -1)
        say "creating PostgreSQL ${version} cluster"
        pg_createcluster "$version" main >&2
        cluster=$(pg_cluster)
    fi
    set -- $cluster
    if ! pg_lsclusters -h | awk -v v="$1" -v c="$2" '$1==v && $2==c {print $4}' | grep -q online; then
        say "starting PostgreSQL $1/$2"
        pg_ctlcluster --skip-systemctl-redirect "$1" "$2" start >&2
    fi
    wait_until 30 "PostgreSQL accepting connections" runuser -u postgres -- psql -qtAc "SELECT 1" || true
    postgres_provision
}

psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtAc "$1"; }

postgres_provision() {
    if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname='${PG_USER}'")" != "1" ]; then
        psql_admin "CREATE ROLE ${PG_USER} LOGIN PASSWORD '${PG_PASSWORD}'" >&2
    fi
    # The test suite's parallel workers each create a database of their own (tests/conftest.py).
    psql_admin "ALTER ROLE ${PG_USER} CREATEDB" >&2
    for database in "${PG_DATABASES[@]}"; do
        if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname='${database}'")" != "1" ]; then
            say "creating database ${database}"
            psql_admin "CREATE DATABASE ${database} OWNER ${PG_USER}" >&2
        fi
    done
}

postgres_down() {
    local cluster
    cluster=$(pg_cluster)
    [ -n "$cluster" ] || return 0
    set -- $cluster
    pg_ctlcluster --skip-systemctl-redirect "$1" "$2" stop >&2 || true
}

# ----- Elasticsearch ----------------------------------------------------------------

java_home() {
    # Elasticsearch 8.x runs on Java 17 or newer; prefer the newest JDK on the machine.
    local candidate
    for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
        if [ -x "${candidate}bin/java" ]; then
            local major
            major=$("${candidate}bin/java" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]}')
            if [ "${major:-0}" -ge 17 ]; then echo "${candidate%/}"; return; fi
        fi
    done
}

es_install() {
    [ -x "${ES_HOME}/bin/elasticsearch" ] && return 0
    [ -n "$(java_home)" ] || apt_install openjdk-17-jre-headless
    command -v mvn >/dev/null || apt_install maven
    command -v unzip >/dev/null || apt_install unzip
    local download
    download=$(mktemp -d)
    say "fetching Elasticsearch ${ES_VERSION} from Maven Central (cached in ~/.m2)"
    mvn -q dependency:copy -Dartifact="${ES_ARTIFACT}" -DoutputDirectory="${download}" >&2
    mkdir -p "${SERVICES_HOME}"
    unzip -q "${download}/elasticsearch-${ES_VERSION}.zip" -d "${SERVICES_HOME}"
    rm -rf "${download}"
    id es >/dev/null 2>&1 || useradd -r -m -s /bin/bash es
    chown -R es:es "${ES_HOME}"
}

# The test distribution has no root info endpoint (GET / answers 405), so ask for health.
es_running() { curl -fsS "${ES_URL}/_cluster/health" >/dev/null 2>&1; }

elasticsearch_up() {
    es_install
    if es_running; then
        say "Elasticsearch already answers on ${ES_URL}"
        return 0
    fi
    say "starting Elasticsearch ${ES_VERSION} on ${ES_URL}"
    runuser -u es -- env ES_JAVA_HOME="$(java_home)" ES_JAVA_OPTS="-Xms1g -Xmx1g" \
        "${ES_HOME}/bin/elasticsearch" -d -p "${ES_HOME}/elasticsearch.pid" \
        -E discovery.type=single-node -E xpack.security.enabled=false \
        -E network.host=127.0.0.1 -E http.port="${ES_PORT}" \
        -E cluster.routing.allocation.disk.threshold_enabled=false \
        -E xpack.ml.enabled=false >&2
    wait_until 120 "Elasticsearch coming up (see ${ES_HOME}/logs)" \
        curl -fsS "${ES_URL}/_cluster/health?wait_for_status=yellow&timeout=1s" && say "Elasticsearch is up"
}

elasticsearch_down() {
    local pidfile="${ES_HOME}/elasticsearch.pid"
    if [ -f "$pidfile" ]; then
        kill "$(cat "$pidfile")" 2>/dev/null || true
        wait_until 30 "Elasticsearch stopping" bash -c "! curl -fsS ${ES_URL}/_cluster/health" || true
    fi
}

# ----- S3-compatible object store (s3proxy on its filesystem backend) --------------------------

s3_install() {
    [ -f "${S3PROXY_HOME}/s3proxy.jar" ] && return 0
    [ -n "$(java_home)" ] || apt_install openjdk-17-jre-headless
    command -v mvn >/dev/null || apt_install maven
    local download
    download=$(mktemp -d)
    say "fetching s3proxy ${S3PROXY_VERSION} from Maven Central (cached in ~/.m2)"
    mvn -q dependency:copy -Dartifact="${S3PROXY_ARTIFACT}" -DoutputDirectory="${download}" >&2
    mkdir -p "${S3PROXY_HOME}/data"
    mv "${download}"/s3proxy-*.jar "${S3PROXY_HOME}/s3proxy.jar"
    rm -rf "${download}"
    cat > "${S3PROXY_HOME}/s3proxy.conf" <<CONF
s3proxy.endpoint=${S3_URL}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${S3_ACCESS_KEY}
s3proxy.credential=${S3_SECRET_KEY}
jclouds.provider=filesystem
jclouds.filesystem.basedir=${S3PROXY_HOME}/data
CONF
}

# Any answer (403 without credentials) means the server is up.
s3_running() { curl -s -o /dev/null "${S3_URL}/" 2>/dev/null; }

s3_up() {
    s3_install
    if s3_running; then
        say "object store already answers on ${S3_URL}"
        return 0
    fi
    say "starting s3proxy ${S3PROXY_VERSION} on ${S3_URL}"
    nohup "$(java_home)/bin/java" -Xmx256m -jar "${S3PROXY_HOME}/s3proxy.jar" \
        --properties "${S3PROXY_HOME}/s3proxy.conf" > "${S3PROXY_HOME}/s3proxy.log" 2>&1 &
    echo $! > "${S3PROXY_HOME}/s3proxy.pid"
    wait_until 60 "s3proxy coming up (see ${S3PROXY_HOME}/s3proxy.log)" s3_running && say "object store is up"
}

s3_down() {
    local pidfile="${S3PROXY_HOME}/s3proxy.pid"
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
}

# ----- Redis (Debian's package), the job runner's broker -----------------------------------------

redis_running() { command -v redis-cli >/dev/null && redis-cli -p "${REDIS_PORT}" ping 2>/dev/null | grep -q PONG; }

redis_up() {
    command -v redis-server >/dev/null || apt_install redis-server
    if redis_running; then
        say "Redis already answers on ${REDIS_URL}"
        return 0
    fi
    say "starting Redis on ${REDIS_URL}"
    mkdir -p "${SERVICES_HOME}/redis"
    redis-server --bind 127.0.0.1 --port "${REDIS_PORT}" --daemonize yes --dir "${SERVICES_HOME}/redis" \
        --pidfile "${SERVICES_HOME}/redis/redis.pid" --logfile "${SERVICES_HOME}/redis/redis.log" \
        --save "" --appendonly yes >&2
    wait_until 30 "Redis coming up (see ${SERVICES_HOME}/redis/redis.log)" redis_running && say "Redis is up"
}

redis_down() { redis_running && redis-cli -p "${REDIS_PORT}" shutdown nosave >/dev/null 2>&1 || true; }

# ----- shared app secrets -------------------------------------------------------------

# On PostgreSQL the app refuses to generate its keys (several machines must share them), so
# these loopback services come with a pair of their own, made once and shared by every app
# process started with this environment.
SECRETS_DIR="${SERVICES_HOME}/app-secrets"

app_secrets() {
    mkdir -p "${SECRETS_DIR}"
    chmod 700 "${SECRETS_DIR}"
    [ -s "${SECRETS_DIR}/secret_key" ] || head -c 48 /dev/urandom | base64 -w0 | tr '+/' '-_' > "${SECRETS_DIR}/secret_key"
    [ -s "${SECRETS_DIR}/data_key" ] || head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' > "${SECRETS_DIR}/data_key"
    chmod 600 "${SECRETS_DIR}"/*
}

# ----- entry points -----------------------------------------------------------------

print_env() {
    local base="postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:5432"
    app_secrets
    cat <<ENV
export HOUSING_SWAP_SECRET_KEY_FILE=${SECRETS_DIR}/secret_key
export HOUSING_SWAP_DATA_KEY_FILE=${SECRETS_DIR}/data_key
export HOUSING_SWAP_DATABASE_URL=${base}/housing_swap
export HOUSING_SWAP_JOB_BROKER=redis
export HOUSING_SWAP_REDIS_URL=${REDIS_URL}/0
export HOUSING_SWAP_TEST_REDIS_URL=${REDIS_URL}/1
export HOUSING_SWAP_STORAGE=s3
export HOUSING_SWAP_S3_ENDPOINT_URL=${S3_URL}
export HOUSING_SWAP_S3_BUCKET=housing-swap
export HOUSING_SWAP_S3_ACCESS_KEY_ID=${S3_ACCESS_KEY}
export HOUSING_SWAP_S3_SECRET_ACCESS_KEY=${S3_SECRET_KEY}
export HOUSING_SWAP_TEST_S3_ENDPOINT_URL=${S3_URL}
export HOUSING_SWAP_TEST_S3_BUCKET=housing-swap-test
export HOUSING_SWAP_TEST_S3_ACCESS_KEY_ID=${S3_ACCESS_KEY}
export HOUSING_SWAP_TEST_S3_SECRET_ACCESS_KEY=${S3_SECRET_KEY}
export HOUSING_SWAP_ELASTICSEARCH_URL=${ES_URL}
export HOUSING_SWAP_TEST_POSTGRES_URL=${base}/housing_swap_migrations
export HOUSING_SWAP_TEST_SERVER_DATABASE_URL=${base}/housing_swap_test
export HOUSING_SWAP_TEST_ELASTICSEARCH_URL=${ES_URL}
ENV
}

status() {
    pg_lsclusters 2>/dev/null || echo "PostgreSQL: not installed"
    if es_running; then echo "Elasticsearch: up on ${ES_URL}"; else echo "Elasticsearch: down"; fi
    if s3_running; then echo "object store: up on ${S3_URL}"; else echo "object store: down"; fi
    if redis_running; then echo "Redis: up on ${REDIS_URL}"; else echo "Redis: down"; fi
}

# Sourced (scripts/cluster.sh uses these functions), it defines them and runs nothing.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    case "${1:-}" in
        up) command -v curl >/dev/null || apt_install curl
            postgres_up; elasticsearch_up; s3_up; redis_up; print_env ;;
        down) redis_down; s3_down; elasticsearch_down; postgres_down ;;
        status) status ;;
        env) print_env ;;
        *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
    esac
fi
