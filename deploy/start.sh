#!/usr/bin/env bash
# The README's first command: install what is missing, prepare the embedded SQLite database,
# load definitions/ (the seed plan), show the plan overview, then run the service
# (web app on http://127.0.0.1:8000 and the scheduler) until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/bootstrap.sh runtime
export PATH="$PWD/.venv/bin:$PATH"
kehoach db upgrade
kehoach load
kehoach plans
exec kehoach serve
