#!/usr/bin/env bash
# The README's second command: install the test dependencies, then lint, type-check and run
# the whole suite (on SQLite, and on Postgres when KEHOACH_TEST_POSTGRES_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/bootstrap.sh dev
export PATH="$PWD/.venv/bin:$PATH"
ruff format --no-cache --check src tests flows
ruff check --no-cache src tests flows
mypy
pytest "$@"
