#!/usr/bin/env bash
# Runs the portal on http://127.0.0.1:$PORT with its background worker and the council systems'
# simulator on :8765 (Westbrook's case-management system, as the demo data says: a new referral
# on its feed every 2 minutes, the poller's interval), until Ctrl+C.
#
# `scripts/run-demo.sh` serves the way production does (docs/deploy.md): gunicorn (one process,
# four threads) and deploy/gunicorn.conf.py, DEBUG off, static files from WhiteNoise, with the demo
# switch (CAREBRIDGE_DEMO: plain HTTP on loopback, e-mails on the console). `--dev` runs Django's
# development server instead, DEBUG on, reloading on every change of the code.
# `make demo` and `make dev` migrate, collect static files and seed the demo data first.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
# The demo data points Westbrook's system at :8765 (carebridge/demo/integrations_demo.py); another
# port only suits a check that must not take 8765 (Westbrook's polls then fail and say so).
SIMULATOR_PORT="${SIMULATOR_PORT:-8765}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
if [[ "${1:-}" == "--dev" ]]; then
    export DEBUG=true
else
    export DEBUG=false CAREBRIDGE_DEMO=true
fi

.venv/bin/carebridge run_huey --workers 2 &
worker=$!
.venv/bin/carebridge simulator --port "${SIMULATOR_PORT}" --generate-every 120 --council westbrook &
simulator=$!
trap 'kill $worker $simulator 2>/dev/null || true' EXIT INT TERM
echo "Carebridge is running on http://127.0.0.1:${PORT}/ (Ctrl+C stops it)"
if [[ "${1:-}" == "--dev" ]]; then
    .venv/bin/carebridge runserver "127.0.0.1:${PORT}"
else
    # One process with four threads: without Redis the rate limits' counts live in the process's
    # memory (carebridge/settings.py, CACHES), which threads share and processes would not.
    .venv/bin/gunicorn -c deploy/gunicorn.conf.py --bind "127.0.0.1:${PORT}" --workers 1 \
        --threads 4 carebridge.wsgi
fi
