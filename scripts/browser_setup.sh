#!/usr/bin/env bash
# What the browser and print tests need, installed once (the Makefile's `make test` calls this):
#   Debian's Chromium with a CJK font (Playwright's own browser downloads are not reachable here),
#   axe-core from the npm registry for the accessibility checks, and LibreOffice Calc (headless)
#   to print the bureau's workbook to PDF as a director's office suite would.
# Idempotent and quick when all are present. Without them those tests skip (fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.10.3
AXE_DIR=.venv/axe

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/soffice ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  if [ "$(id -u)" != 0 ]; then
    echo "[browser] Chromium, LibreOffice or the CJK font is missing and installing needs root:" \
      "apt-get install chromium libreoffice-calc-nogui fonts-wqy-zenhei" >&2
    exit 1
  fi
  echo "[browser] installing Chromium, LibreOffice Calc and a CJK font from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends chromium libreoffice-calc-nogui fonts-wqy-zenhei >/dev/null
fi

if [ ! -f "${AXE_DIR}/node_modules/axe-core/axe.min.js" ]; then
  echo "[browser] installing axe-core ${AXE_VERSION} from the npm registry" >&2
  mkdir -p "$AXE_DIR"
  npm install --prefix "$AXE_DIR" --no-audit --no-fund --silent "axe-core@${AXE_VERSION}"
fi
