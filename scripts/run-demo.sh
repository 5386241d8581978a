#!/usr/bin/env bash
# Runs the portal on http://127.0.0.1:$PORT with its background worker, until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
.venv/bin/carebridge run_huey --workers 2 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Carebridge is running on http://127.0.0.1:${PORT}/ (Ctrl+C stops it)"
.venv/bin/carebridge runserver "127.0.0.1:${PORT}" --noreload
