"""The provider's actuals pages in process, against the logged-in minimal view (issue 22).

Run against a data set already seeded by `seed_scale` (it reads `CAREBRIDGE_DATA_DIR` and
`DATABASE_URL` as the product does), e.g.:

    export CAREBRIDGE_DATA_DIR=/tmp/data-me
    .venv/bin/carebridge migrate
    .venv/bin/carebridge seed_scale --clients 2000 --contract-documents 800 \
        --pending-referrals 50 --closed-referrals 100 --actions 0 --front-door-requests 0 \
        --directory-services 0
    .venv/bin/python bench/actuals_week.py [--repeat 30] [--profile]

The Django test client, logged in as the provider persona, asks for each page and the minimal
view in turns; the medians of wall time and of the process's CPU time (steadier on a busy
machine; on PostgreSQL it leaves out the server's time) are printed as ratios to the minimal
view's, with each page's queries. `--profile` then runs the week page under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-actuals-week-not-secret-" + "x" * 40)
os.environ.setdefault("HTTPS", "false")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from carebridge.accounts.models import User  # noqa: E402

PERSONA = "provider@scale.example"
MINIMAL = "/bench/minimal"


def pages() -> dict[str, str]:
    from carebridge.actuals.selectors import actual_services_of, default_week, periods_visible_to
    from carebridge.actuals.views.common import first_weekday

    user = User.objects.get(email=PERSONA)
    # As bench/pages.py asks for it: the persona's first service and the last ended week.
    service = actual_services_of(user)[0]
    week = default_week(first_weekday(user))
    first = periods_visible_to(user).order_by("-start_date").first()
    found = {
        "actuals week": f"/actuals/?service={service.pk}&week={week:%Y-%m-%d}",
        "actuals periods": "/actuals/periods/",
    }
    if first is not None:
        found["actuals period"] = f"/actuals/periods/{first.pk}/"
    return found


def _one(client: Client, path: str) -> tuple[float, float, int]:
    with CaptureQueriesContext(connection) as queries:
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return wall, cpu, len(queries)


def measure(repeat: int) -> None:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(email=PERSONA))
    paths = {"minimal view, logged in": MINIMAL, **pages()}
    timings: dict[str, list[tuple[float, float, int]]] = {name: [] for name in paths}
    for _ in range(3):
        for path in paths.values():
            _one(client, path)
    for _ in range(repeat):
        for name, path in paths.items():
            timings[name].append(_one(client, path))
    base_wall = statistics.median(t[0] for t in timings["minimal view, logged in"])
    base_cpu = statistics.median(t[1] for t in timings["minimal view, logged in"])
    print(f"{'page':<26} {'wall ms':>8} {'x wall':>7} {'cpu ms':>8} {'x cpu':>7} {'queries':>8}")
    for name, rows in timings.items():
        wall = statistics.median(t[0] for t in rows)
        cpu = statistics.median(t[1] for t in rows)
        queries = statistics.mode(t[2] for t in rows)
        print(
            f"{name:<26} {wall * 1000:8.2f} {wall / base_wall:6.1f}x {cpu * 1000:8.2f} "
            f"{cpu / base_cpu:6.1f}x {queries:8d}"
        )


def profile(path: str, repeat: int) -> None:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(email=PERSONA))
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
    stats.print_stats(int(os.environ.get("TOP", "60")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--path", default="/actuals/", help="the page --profile runs")
    options = parser.parse_args()
    if options.profile:
        profile(options.path, options.repeat)
    else:
        measure(options.repeat)


if __name__ == "__main__":
    main()
