#!/usr/bin/env bash
# Attack tools against a scratch instance on 127.0.0.1 only (never another address):
#   schemathesis over /api/v1/openapi.json as every persona and anonymously: no 5xx, every
#   response matches the documented schema;
#   sqlmap against the search, list, export and audit parameters (with a bureau token where
#   needed) and the multipart listing import (its mode field and cells of the uploaded CSV, as
#   an agency): no parameter may be reported injectable.
# Exits non-zero on any failure.
# Usage: bash scripts/attack_checks.sh   (the Makefile's `make attack`, and CI, call it)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${ATTACK_PORT:-5077}"
BASE="http://127.0.0.1:${PORT}"
WORK=$(mktemp -d)
export FLASK_APP=housing_swap HOUSING_SWAP_INSTANCE_PATH="$WORK" \
       HOUSING_SWAP_DATABASE_URL="sqlite:///${WORK}/attack.sqlite3" HOUSING_SWAP_SEARCH_BACKEND=sql HOUSING_SWAP_STORAGE=local HOUSING_SWAP_JOB_BROKER=immediate \
       HOUSING_SWAP_LOGIN_ATTEMPTS_PER_MINUTE=100000  # the fuzzer is one client address

echo "[attack] scratch instance in ${WORK}" >&2
"$BIN/flask" db upgrade >/dev/null 2>&1
"$BIN/flask" demo seed --scale small >/dev/null
HOUSING_SWAP_LOG_LEVEL=WARNING HOUSING_SWAP_MAX_REQUESTS=0 "$BIN/gunicorn" -c gunicorn.conf.py --bind "127.0.0.1:${PORT}" --log-level warning \
    'housing_swap:create_app()' &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "${BASE}/api/v1/openapi.json" >/dev/null && break; sleep 0.2; done

# Retried, although the instance's workers do not recycle (HOUSING_SWAP_MAX_REQUESTS=0): a
# failure says what the server answered.
token_for() {
  local answer
  answer=$(curl -s --retry 3 --retry-all-errors --retry-delay 1 -X POST -H 'Content-Type: application/json' \
       -d "{\"username\": \"$1\", \"password\": \"demo-pass-2024\"}" -w '\n%{http_code}' "${BASE}/api/v1/auth/token")
  local status="${answer##*$'\n'}"
  if [ "${status:0:1}" != 2 ]; then
    echo "[attack] no token for $1: ${answer}" >&2
    return 1
  fi
  "$BIN/python" -c 'import json, sys; print(json.loads(sys.argv[1])["token"])' "${answer%$'\n'*}"
}

failed=0
for persona in anonymous demo-owner demo-agency demo-developer demo-group demo-appraiser demo-bureau; do
  headers=()
  if [ "$persona" != anonymous ]; then
    headers=(-H "Authorization: Bearer $(token_for "$persona")")
  fi
  echo "[attack] schemathesis as ${persona}" >&2
  if ! "$BIN/st" run "${BASE}/api/v1/openapi.json" --checks not_a_server_error,response_schema_conformance \
       --max-examples "${ATTACK_EXAMPLES:-5}" --phases coverage,fuzzing --generation-deterministic \
       --request-timeout 30 --no-color "${headers[@]}" > "${WORK}/st-${persona}.log" 2>&1; then
    failed=1
    cat "${WORK}/st-${persona}.log"
  else
    grep -E "generated|passed|failed" "${WORK}/st-${persona}.log" | tail -1 >&2
  fi
done
BUREAU_TOKEN=$(token_for demo-bureau)
SQLMAP_TARGETS=(
  "/api/v1/listings?q=abc&district=410105&min_price=100000&sort=price_asc&page=1"
  "/api/v1/units?q=abc&district=410105&bedrooms=3&sort=unit_price_asc"
  "/search?q=abc&district=410105&max_price=2000000&sort=newest"
  "/search/units?q=abc&min_area=90"
  "/projects?q=abc&district=410105"
  "/api/v1/progress?from=2024-01-01&to=2024-12-31&district=410105&channel=market"
  "/progress?district=410105&channel=city_group"
)
BUREAU_TARGETS=(
  "/api/v1/ledger/entries?channel=market&district=410105&from=2024-01-01&entry_type=count"
  "/api/v1/exports/progress?format=csv&table=by_district&district=410105&from=2024-01-01"
  "/api/v1/audit-events?action=ledger&actor=demo-bureau&entity_type=acquisition&entity_id=1"
  "/api/v1/market-swaps?status=recorded"
  "/api/v1/acquisition-queue?district=410105&status=waiting&min_days=1"
)
probe() {  # $1: what is probed; further arguments go to sqlmap (the target first)
  local target="$1"; shift
  echo "[attack] sqlmap ${target}" >&2
  local output
  output=$("$BIN/sqlmap" "$@" --batch --level=1 --risk=1 --flush-session \
           --output-dir="${WORK}/sqlmap" --disable-coloring 2>&1 || true)
  if grep -q "identified the following injection point" <<<"$output"; then
    failed=1
    echo "$output"
  elif ! grep -q "do not appear to be injectable" <<<"$output"; then
    failed=1
    echo "[attack] sqlmap did not finish its tests for ${target}:"
    echo "$output" | tail -20
  fi
}
for target in "${SQLMAP_TARGETS[@]}"; do probe "$target" -u "${BASE}${target}"; done
for target in "${BUREAU_TARGETS[@]}"; do
  probe "$target" -u "${BASE}${target}" -H "Authorization: Bearer ${BUREAU_TOKEN}"
done
# The import as a raw multipart request; sqlmap's '*' marks where its payloads go.
"$BIN/python" scripts/import_request.py "$BASE" demo-agency demo-pass-2024 > "${WORK}/import.request"
probe "/agency/import (multipart listing import)" -r "${WORK}/import.request"
exit "$failed"
