#!/usr/bin/env bash
# Installs what is missing into ./.venv from the locked pins. Idempotent and quiet when done.
# Usage: bash deploy/bootstrap.sh [runtime|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-runtime}"
lock="requirements.lock"
[ "$profile" = dev ] && lock="requirements-dev.lock"

UV_VERSION="0.13.9"
if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
PY="${KEHOACH_PYTHON:-python3}"
[ -x .venv/bin/python ] || uv venv --quiet --python "$PY" .venv
stamp_of() { echo ".venv/.installed-$1-$(cat "$2" pyproject.toml | sha256sum | cut -c1-16)"; }
stamp="$(stamp_of "$profile" "$lock")"
# The dev pins include the runtime ones: after the test command, the start command installs
# nothing (and does not remove the test tools).
[ "$profile" = runtime ] && [ -f "$(stamp_of dev requirements-dev.lock)" ] && exit 0
# Compiled once here: cron runs `kehoach remind` every morning and PYTHONDONTWRITEBYTECODE
# (often set) would otherwise make each run compile ~850 modules from source (~1.5 s of CPU).
if [ ! -f "$stamp" ]; then
    VIRTUAL_ENV=.venv uv pip sync --quiet --compile-bytecode "$lock"
    VIRTUAL_ENV=.venv uv pip install --quiet --no-deps -e .
    rm -f .venv/.installed-*
    touch "$stamp"
fi
