#!/usr/bin/env bash
# Lighthouse (npm, mobile emulation, Debian's Chromium) against a scratch instance on 127.0.0.1
# with the demo data and its photos, on the home, search, listing, project and community pages.
# Fails unless performance and accessibility are 100 and best practices and SEO at least 95;
# the reports go to ${LIGHTHOUSE_OUT:-lighthouse-reports}/ (HTML and JSON per page).
# Usage: bash scripts/lighthouse.sh   (the Makefile's `make lighthouse`)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LIGHTHOUSE_VERSION=12.2.3   # 13 needs Node 22; Debian 12 has Node 20
TOOLS=.venv/lighthouse
PORT="${LIGHTHOUSE_PORT:-5088}"
BASE="http://127.0.0.1:${PORT}"
OUT="${LIGHTHOUSE_OUT:-lighthouse-reports}"
WORK=$(mktemp -d)

bash scripts/browser_setup.sh
if [ ! -x "${TOOLS}/node_modules/.bin/lighthouse" ]; then
  echo "[lighthouse] installing lighthouse ${LIGHTHOUSE_VERSION} from the npm registry" >&2
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --silent -E "lighthouse@${LIGHTHOUSE_VERSION}"
fi

export FLASK_APP=housing_swap HOUSING_SWAP_INSTANCE_PATH="$WORK" \
       HOUSING_SWAP_DATABASE_URL="sqlite:///${WORK}/lighthouse.sqlite3" HOUSING_SWAP_SEARCH_BACKEND=sql \
       HOUSING_SWAP_STORAGE=local HOUSING_SWAP_JOB_BROKER=immediate
echo "[lighthouse] scratch instance with the demo data in ${WORK}" >&2
"$BIN/flask" db upgrade >/dev/null 2>&1
"$BIN/flask" demo seed --scale small >/dev/null
"$BIN/flask" demo photos >/dev/null
HOUSING_SWAP_LOG_LEVEL=WARNING "$BIN/gunicorn" -c gunicorn.conf.py --bind "127.0.0.1:${PORT}" --log-level warning \
    'housing_swap:create_app()' &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "${BASE}/healthz" >/dev/null && break; sleep 0.2; done

# A verified listing with photos, a swap project and a community, as a visitor finds them.
LISTING=$(curl -sf "${BASE}/search?sort=newest" | grep -o 'href="/listings/[0-9]*"' | head -1 | grep -o '[0-9]*')
PROJECT=$(curl -sf "${BASE}/projects?program=true" | grep -o 'href="/projects/[0-9]*"' | head -1 | grep -o '[0-9]*')
COMMUNITY=$(curl -sf "${BASE}/listings/${LISTING}" | grep -o 'href="/communities/[0-9]*"' | head -1 | grep -o '[0-9]*')
mkdir -p "$OUT"
PAGES=(home:/ search:/search listing:/listings/${LISTING} project:/projects/${PROJECT} community:/communities/${COMMUNITY})
for entry in "${PAGES[@]}"; do
  name="${entry%%:*}"
  echo "[lighthouse] ${name}: ${BASE}${entry#*:}" >&2
  CHROME_PATH=/usr/bin/chromium "${TOOLS}/node_modules/.bin/lighthouse" "${BASE}${entry#*:}" --quiet \
    --chrome-flags="--headless=new --no-sandbox" --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output=html --output-path="${OUT}/${name}"
done
"$BIN/python" scripts/lighthouse_scores.py "$OUT" "${PAGES[@]%%:*}"
