"""What every part of the benchmark shares: where it lives, its time limits, its one error."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# Seconds, for every request; the page benchmark's gunicorn waits as long (a county's heaviest
# report, on a busy shared machine, may take more than gunicorn's default 30 s).
HTTP_TIMEOUT = 120.0
SERVER_START_TIMEOUT = 60.0
COMMAND_TIMEOUT = 60 * 60  # seeding a large data set on a slow machine takes a while
WORKERS = 2


class BenchError(Exception):
    """Something went wrong: the run stops, cleans up and says what."""
