#!/usr/bin/env bash
# The README's second command: install the test dependencies, then lint, type-check and run
# the whole suite (on SQLite, and on Postgres when KEHOACH_TEST_POSTGRES_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/bootstrap.sh dev
# The browser tests drive Debian's Chromium (Playwright downloads no browser here).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi
# The rendered-report tests convert drafts to PDF with LibreOffice and read them with poppler;
# Liberation Serif has Times New Roman's metrics, so lines break where they would in Word.
if { ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null \
    || [ ! -d /usr/share/fonts/truetype/liberation2 ]; } \
    && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends libreoffice-writer-nogui poppler-utils fonts-liberation2) >/dev/null
fi
export PATH="$PWD/.venv/bin:$PATH"
ruff format --no-cache --check src tests flows
ruff check --no-cache src tests flows
mypy
pytest "$@"
