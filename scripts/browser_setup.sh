#!/usr/bin/env bash
# What the browser tests need, installed once (the Makefile's `make test` calls this):
#   Debian's Chromium with a CJK font (Playwright's own browser downloads are not reachable here),
#   and axe-core from the npm registry for the accessibility checks.
# Idempotent and quick when both are present. Without them the browser tests skip (fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.10.3
AXE_DIR=.venv/axe

if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  if [ "$(id -u)" != 0 ]; then
    echo "[browser] Chromium or the CJK font is missing and installing needs root: apt-get install chromium fonts-wqy-zenhei" >&2
    exit 1
  fi
  echo "[browser] installing Chromium and a CJK font from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends chromium fonts-wqy-zenhei >/dev/null
fi

if [ ! -f "${AXE_DIR}/node_modules/axe-core/axe.min.js" ]; then
  echo "[browser] installing axe-core ${AXE_VERSION} from the npm registry" >&2
  mkdir -p "$AXE_DIR"
  npm install --prefix "$AXE_DIR" --no-audit --no-fund --silent "axe-core@${AXE_VERSION}"
fi
