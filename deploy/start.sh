#!/usr/bin/env bash
# The README's first command: install what is missing, prepare the embedded SQLite database,
# load definitions/ (the seed plan) and show the plan overview.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/bootstrap.sh runtime
export PATH="$PWD/.venv/bin:$PATH"
kehoach db upgrade
kehoach load
kehoach plans
kehoach tasks --plan qt-skhcn-2024-do-luong
