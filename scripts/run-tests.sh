#!/usr/bin/env bash
# The whole suite. Browser tests run when Chromium is installed and are skipped, loudly, when not
# (CI installs it and never skips them). pytest exits 5 when it ran no test: that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export CAREBRIDGE_DATA_DIR="${CAREBRIDGE_DATA_DIR:-$PWD/var/test}"
mkdir -p "$CAREBRIDGE_DATA_DIR"
if [ -n "${DATABASE_URL:-}" ]; then
  echo "Running the suite on ${DATABASE_URL%%://*} (DATABASE_URL)"
else
  echo "Running the suite on SQLite"
fi
# Browser tests share one live server and run on their own; everything else in parallel.
.venv/bin/pytest -n 2 -m "not browser" -q -rs "$@"
.venv/bin/pytest -p no:xdist -m browser -q -rs "$@"
