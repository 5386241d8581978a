#!/usr/bin/env bash
# Runs the portal on http://127.0.0.1:$PORT with its background worker and the council systems'
# simulator on :8765 (Westbrook's case-management system, as the demo data says: a new referral
# on its feed every 2 minutes, the poller's interval), until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
.venv/bin/carebridge run_huey --workers 2 &
worker=$!
.venv/bin/carebridge simulator --port 8765 --generate-every 120 --council westbrook &
simulator=$!
trap 'kill $worker $simulator 2>/dev/null || true' EXIT INT TERM
echo "Carebridge is running on http://127.0.0.1:${PORT}/ (Ctrl+C stops it)"
.venv/bin/carebridge runserver "127.0.0.1:${PORT}" --noreload
