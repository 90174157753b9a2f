#!/usr/bin/env bash
# Scale-out on one Postgres: a Prefect server, the deployments of deploy/prefect.yaml, N process
# workers and the web app. Run from any directory; each part in its own terminal or unit.
#
#   export KEHOACH_DATABASE_URL=postgresql+psycopg://kehoach@db-host/kehoach        # the app
#   export KEHOACH_PREFECT_DATABASE_URL=postgresql+asyncpg://kehoach@db-host/prefect  # Prefect
#   export PREFECT_API_URL=http://prefect-host:4200/api
#
#   bash deploy/scale-out.sh server      # Prefect server on KEHOACH_PREFECT_DATABASE_URL
#   bash deploy/scale-out.sh deploy      # schema, definitions, work pool and deployments
#   bash deploy/scale-out.sh workers 3   # three process workers on the pool "kehoach"
#   bash deploy/scale-out.sh web         # the dashboard, on the same app database
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/bootstrap.sh runtime
export PATH="$PWD/.venv/bin:$PATH"
export PREFECT_SERVER_ANALYTICS_ENABLED="${PREFECT_SERVER_ANALYTICS_ENABLED:-false}"
need() { [ -n "${!1:-}" ] || { echo "Lỗi: cần đặt biến môi trường $1" >&2; exit 2; }; }

case "${1:-}" in
  server)
    need KEHOACH_PREFECT_DATABASE_URL
    PREFECT_API_DATABASE_CONNECTION_URL="$KEHOACH_PREFECT_DATABASE_URL" \
      exec prefect server start --host "${PREFECT_SERVER_HOST:-0.0.0.0}" --port "${PREFECT_SERVER_PORT:-4200}"
    ;;
  deploy)
    need KEHOACH_DATABASE_URL; need PREFECT_API_URL
    kehoach db upgrade
    kehoach load
    prefect work-pool create kehoach --type process --overwrite
    prefect --no-prompt deploy --all --prefect-file deploy/prefect.yaml
    ;;
  workers)
    need KEHOACH_DATABASE_URL; need PREFECT_API_URL
    count="${2:-2}"
    pids=()
    for _ in $(seq "$count"); do
      prefect worker start --pool kehoach & pids+=("$!")
    done
    trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait' INT TERM
    wait
    ;;
  web)
    need KEHOACH_DATABASE_URL
    exec kehoach web
    ;;
  *)
    echo "Cách dùng: bash deploy/scale-out.sh server | deploy | workers [N] | web" >&2
    exit 2
    ;;
esac
