#!/usr/bin/env bash
# The platform as several machines, all on 127.0.0.1, for CI's cluster run:
#   two app instances (gunicorn on :8101 and :8102, each with its own instance/ folder), one job
#   worker, sharing one PostgreSQL database, the object store and Redis (from scripts/services.sh),
#   and a two-node Elasticsearch cluster (:9201 master+data, :9202 data) whose indices keep one
#   replica, so either node alone holds every document.
#
#   scripts/cluster.sh up        start it all on a fresh database; print the tests' variables
#   scripts/cluster.sh down      stop what `up` started
#   scripts/cluster.sh es-node-stop | es-node-start      the second Elasticsearch node
#   scripts/cluster.sh worker-kill | worker-start        the job worker (SIGKILL: no clean-up)
#   scripts/cluster.sh postgres-stop | postgres-start    the shared database server
#
# The cluster tests (tests/cluster) call the last six themselves. Progress goes to stderr; `up`
# prints only `export ...` lines, so `eval "$(scripts/cluster.sh up)"` works.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/services.sh
source "${ROOT}/scripts/services.sh"

CLUSTER_HOME="${HOUSING_SWAP_CLUSTER_HOME:-${SERVICES_HOME}/cluster}"
CLUSTER_DATABASE=housing_swap_cluster
APP_PORTS=(8101 8102)
ES_NODES=(hs-node-1 hs-node-2)
ES_HTTP_PORTS=(9201 9202)
ES_TRANSPORT_PORTS=(9301 9302)
BIN="${ROOT}/.venv/bin"

cluster_env() {
    # The shared services' variables, then what makes this a cluster of its own.
    print_env | grep -v -e HOUSING_SWAP_DATABASE_URL -e HOUSING_SWAP_REDIS_URL -e HOUSING_SWAP_S3_BUCKET \
        -e HOUSING_SWAP_ELASTICSEARCH_URL
    cat <<ENV
export FLASK_APP=housing_swap
export HOUSING_SWAP_DATABASE_URL=postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:5432/${CLUSTER_DATABASE}
export HOUSING_SWAP_REDIS_URL=${REDIS_URL}/2
export HOUSING_SWAP_S3_BUCKET=housing-swap-cluster
export HOUSING_SWAP_SEARCH_BACKEND=elasticsearch
export HOUSING_SWAP_ELASTICSEARCH_URL=http://127.0.0.1:${ES_HTTP_PORTS[0]},http://127.0.0.1:${ES_HTTP_PORTS[1]}
export HOUSING_SWAP_ELASTICSEARCH_INDEX_PREFIX=hs_cluster
export HOUSING_SWAP_ELASTICSEARCH_SHARDS=2
export HOUSING_SWAP_ELASTICSEARCH_REPLICAS=1
export HOUSING_SWAP_LOG_LEVEL=WARNING
ENV
}

test_env() {
    cat <<ENV
export HOUSING_SWAP_CLUSTER_A=http://127.0.0.1:${APP_PORTS[0]}
export HOUSING_SWAP_CLUSTER_B=http://127.0.0.1:${APP_PORTS[1]}
export HOUSING_SWAP_CLUSTER_CONTROL=${ROOT}/scripts/cluster.sh
export HOUSING_SWAP_CLUSTER_ES=http://127.0.0.1:${ES_HTTP_PORTS[0]}
ENV
}

# ----- Elasticsearch, two nodes -------------------------------------------------------------

es_node_start() {
    local index=$1 name=${ES_NODES[$1]} home="${CLUSTER_HOME}/${ES_NODES[$1]}"
    if curl -fsS "http://127.0.0.1:${ES_HTTP_PORTS[$index]}/_cluster/health" >/dev/null 2>&1; then
        say "Elasticsearch node ${name} already answers on :${ES_HTTP_PORTS[$index]}"
        return 0
    fi
    local roles="master,data,ingest"
    [ "$index" -eq 0 ] || roles="data,ingest"  # one master: stopping the second node never loses it
    mkdir -p "${home}/data" "${home}/logs"
    chown -R es:es "${home}"
    say "starting Elasticsearch node ${name} on :${ES_HTTP_PORTS[$index]}"
    runuser -u es -- env ES_JAVA_HOME="$(java_home)" ES_JAVA_OPTS="-Xms512m -Xmx512m" \
        "${ES_HOME}/bin/elasticsearch" -d -p "${home}/es.pid" \
        -E cluster.name=housing-swap-cluster -E node.name="${name}" -E node.roles="${roles}" \
        -E path.data="${home}/data" -E path.logs="${home}/logs" \
        -E network.host=127.0.0.1 -E http.port="${ES_HTTP_PORTS[$index]}" \
        -E transport.port="${ES_TRANSPORT_PORTS[$index]}" \
        -E discovery.seed_hosts="127.0.0.1:${ES_TRANSPORT_PORTS[0]},127.0.0.1:${ES_TRANSPORT_PORTS[1]}" \
        -E cluster.initial_master_nodes="${ES_NODES[0]}" -E xpack.security.enabled=false \
        -E cluster.routing.allocation.disk.threshold_enabled=false -E xpack.ml.enabled=false >&2
}

es_nodes_joined() {
    curl -fsS "http://127.0.0.1:${ES_HTTP_PORTS[0]}/_cluster/health?wait_for_nodes=2&timeout=1s" \
        | grep -q '"number_of_nodes":2'
}

es_green() {
    curl -fsS "http://127.0.0.1:${ES_HTTP_PORTS[0]}/_cluster/health?wait_for_status=green&timeout=1s" \
        | grep -q '"status":"green"'
}

es_node_stop() {
    local pidfile="${CLUSTER_HOME}/${ES_NODES[$1]}/es.pid"
    [ -f "$pidfile" ] || return 0
    kill "$(cat "$pidfile")" 2>/dev/null || true
    wait_until 60 "node ${ES_NODES[$1]} stopping" bash -c "! kill -0 $(cat "$pidfile") 2>/dev/null"
    rm -f "$pidfile"
}

# ----- the app machines and the worker ------------------------------------------------------

app_start() {
    local index=$1 port=${APP_PORTS[$1]} home="${CLUSTER_HOME}/app-$1"
    stop_pidfile "${home}/app.pid"
    # An app left from another run would answer in this one's place: refuse rather than test it.
    if ! wait_until 30 "port ${port} to be free" bash -c "! curl -s -o /dev/null http://127.0.0.1:${port}/healthz"; then
        return 1
    fi
    mkdir -p "${home}/instance" "${home}/metrics"
    say "starting app machine $((index + 1)) on :${port}"
    # Detached from this script's output, so a caller reading it (a pipe) is not kept waiting.
    HOUSING_SWAP_INSTANCE_PATH="${home}/instance" PROMETHEUS_MULTIPROC_DIR="${home}/metrics" \
        HOUSING_SWAP_BIND="127.0.0.1:${port}" nohup "${BIN}/gunicorn" -c "${ROOT}/gunicorn.conf.py" \
        'housing_swap:create_app()' > "${home}/app.log" 2>&1 < /dev/null &
    echo $! > "${home}/app.pid"
}

worker_start() {
    local home="${CLUSTER_HOME}/worker"
    worker_kill
    mkdir -p "${home}/instance"
    say "starting the job worker"
    HOUSING_SWAP_INSTANCE_PATH="${home}/instance" nohup "${BIN}/flask" jobs worker \
        >> "${home}/worker.log" 2>&1 < /dev/null &
    echo $! > "${home}/worker.pid"
}

worker_kill() {
    local pidfile="${CLUSTER_HOME}/worker/worker.pid"
    [ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
}

stop_pidfile() {
    [ -f "$1" ] || return 0
    kill "$(cat "$1")" 2>/dev/null || true
    rm -f "$1"
}

fresh_database() {
    say "creating a fresh database ${CLUSTER_DATABASE}"
    psql_admin "DROP DATABASE IF EXISTS ${CLUSTER_DATABASE} WITH (FORCE)" >&2
    psql_admin "CREATE DATABASE ${CLUSTER_DATABASE} OWNER ${PG_USER}" >&2
    redis-cli -p "${REDIS_PORT}" -n 2 flushdb >/dev/null
    "${BIN}/flask" db upgrade >&2
    "${BIN}/flask" demo seed --scale small >&2
    "${BIN}/flask" search reindex >&2
}

cluster_up() {
    eval "$(cluster_env)"
    mkdir -p "${CLUSTER_HOME}"
    es_install
    es_node_start 0
    es_node_start 1
    wait_until 120 "both Elasticsearch nodes joining" es_nodes_joined
    fresh_database
    wait_until 120 "every shard and replica allocated (green)" es_green
    app_start 0
    app_start 1
    worker_start
    for port in "${APP_PORTS[@]}"; do
        wait_until 60 "app machine on :${port} answering" curl -fsS "http://127.0.0.1:${port}/readyz"
    done
    say "cluster is up: apps on :${APP_PORTS[0]} and :${APP_PORTS[1]}, Elasticsearch on :${ES_HTTP_PORTS[0]},:${ES_HTTP_PORTS[1]}"
    cluster_env
    test_env
}

cluster_down() {
    worker_kill
    for index in 0 1; do stop_pidfile "${CLUSTER_HOME}/app-${index}/app.pid"; done
    for index in 1 0; do es_node_stop "$index"; done
}

postgres_stop() {
    set -- $(pg_cluster)
    pg_ctlcluster --skip-systemctl-redirect "$1" "$2" stop -m fast >&2
}

postgres_start() {
    set -- $(pg_cluster)
    pg_ctlcluster --skip-systemctl-redirect "$1" "$2" start >&2
    wait_until 30 "PostgreSQL accepting connections" runuser -u postgres -- psql -qtAc "SELECT 1"
}

case "${1:-}" in
    up) cluster_up ;;
    down) cluster_down ;;
    es-node-stop) es_node_stop 1 ;;
    es-node-start) es_node_start 1; wait_until 120 "the second node rejoining" es_nodes_joined ;;
    worker-kill) worker_kill ;;
    worker-start) eval "$(cluster_env)"; worker_start ;;
    postgres-stop) postgres_stop ;;
    postgres-start) postgres_start ;;
    logs) tail -n 40 "${CLUSTER_HOME}"/app-*/app.log "${CLUSTER_HOME}"/worker/worker.log ;;
    *) echo "usage: $0 up|down|es-node-stop|es-node-start|worker-kill|worker-start|postgres-stop|postgres-start|logs" >&2
       exit 2 ;;
esac
