"""The reports benchmark's data and measurements (bench/reports.py runs them).

The data, at one size, topped up for the next (the first is a quarter of the second):
- `carebridge seed_scale`'s council (Scale County Council) with its service users, providers,
  referrals (pending and two years of closed ones) and a year of front-door journeys: what the
  referral-response and front-door reports read;
- a county of bench/payment_runs_core.py (`providers` providers, `cplis` active CPLIs, a
  4-weekly rulebook, its last period generated and confirmed by every provider, invoiced where
  paid on invoice, a few rows disputed), whose CPLIs then run for a year: the year's earlier
  periods opened and each earlier week's actuals bulk-copied from the period's first week (the
  same rows the provider generated, a year of weekly actuals); its run prepared, approved by a
  second officer and finalised (the remittances, prompt payment and spend).

The measurements, for every report of the registry (read at run time: reports are added by
their modules): as whoever of the data set's users may use it and is shown the most rows (a
provider's Super User, a payments officer, the broker, the front-door officer), over the year
where the report has a date range: the queries, rows and seconds of its selector (`build`, its
rows consumed), the page's median and queries, and each download's (CSV streamed to the end,
Excel, PDF); the logged-in minimal view (bench/urls.py) is timed as the same user alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from bench import payment_runs_core as runs
from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.periods import WEEK
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import today
from carebridge.demo.scale import seed_scale
from carebridge.demo.scale_council import scale_email, scale_login
from carebridge.organisations.models import Rulebook
from carebridge.payments import services as payments
from carebridge.reports.base import REGISTRY, Report, Totals

WEEKS = 52
FORMATS = ("csv", "xlsx", "pdf")
MINIMAL = "/bench/minimal"


@dataclass(frozen=True)
class Size:
    """One size of the data set: the payment county's and seed_scale's numbers."""

    providers: int
    cplis: int
    clients: int
    pending_referrals: int
    closed_referrals: int
    front_door_requests: int

    def quarter(self) -> Size:
        return Size(*(max(1, n // 4) for n in vars(self).values()))


@dataclass
class Built:
    """A size's data: who may read the reports, what was made, how long each step took."""

    size: Size
    users: list[User]
    actuals: int = 0
    remitted_lines: int = 0
    steps: dict[str, float] = field(default_factory=dict)


def _timed(operation: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    outcome = operation()
    return time.perf_counter() - started, outcome


def build(size: Size) -> Built:
    steps: dict[str, float] = {}
    steps["seed_scale"], _ = _timed(
        lambda: seed_scale(
            clients=size.clients,
            pending_referrals=size.pending_referrals,
            closed_referrals=size.closed_referrals,
            front_door_requests=size.front_door_requests,
        )
    )
    steps["county period"], county = _timed(lambda: runs.build(size.providers, size.cplis))
    steps["year of actuals"], _made = _timed(lambda: _year_of_actuals(county))
    steps["run finalised"], lines = _timed(lambda: _finalise_run(county))
    # A provider of each way of being paid: on invoice (the first), self-billing (the last) and
    # on schedule (its scheduled payments); the reader of a report is whoever sees most rows.
    providers = list(county.users.values())
    paid_on_schedule = [county.users[p] for p in county.scheduled[:1]]
    users = [providers[0], providers[-1], *paid_on_schedule, county.officer]
    users += [scale_login("provider"), scale_login("broker")]
    users += list(User.objects.filter(email=scale_email("frontdoor")))
    return Built(
        size=size,
        users=users,
        actuals=Actual.objects.filter(council=county.council).count(),
        remitted_lines=lines,
        steps={name: round(seconds, 1) for name, seconds in steps.items()},
    )


def _year_of_actuals(county: runs.County) -> int:
    """The county's CPLIs run for a year: its rulebook's periods start WEEKS weeks before the
    generated period ends, those periods open, and each earlier week gets the rows the
    providers generated for the period's first week (bulk-copied, as a year of weekly work
    through the services would take hours)."""
    period = county.period
    first = period.start_date - WEEK * (WEEKS - runs.WEEKS_IN_PERIOD)
    Rulebook.objects.filter(council=county.council).update(actuals_periods_from=first)
    Cpli.objects.filter(council=county.council).update(start_date=first)
    actuals.periods_open()
    periods = Period.objects.filter(council=county.council, start_date__lt=period.start_date)
    fields = [f.attname for f in Actual._meta.concrete_fields if f.name not in {"id", "period"}]
    template = list(
        Actual.objects.filter(period=period, week_start=period.start_date).values(*fields)
    )
    made = 0
    for earlier in periods.order_by("start_date"):
        week = earlier.start_date
        while week <= earlier.end_date:
            rows = [Actual(**{**row, "week_start": week}, period=earlier) for row in template]
            Actual.objects.bulk_create(rows, batch_size=runs.LOAD_BATCH)
            made += len(rows)
            week += WEEK
    return made


def _finalise_run(county: runs.County) -> int:
    """The period's run prepared, approved by a second payments officer and finalised."""
    run = runs.prepare(county)
    second = runs._officer(county.council, f"approver{county.council.pk}@{runs.DOMAIN}")
    run = payments.run_approve(by=second, run=run)
    run = payments.run_finalise(by=county.officer, run=run)
    return run.lines.count()


# --- Measuring ----------------------------------------------------------------------------------


def year_query(report: Report, user: User) -> str:
    """The query string of the report over a year (to a month ahead), where its filters have a
    date range (DateRangeFilters' starts and ends); else its defaults (no query)."""
    fields = report.form(None, user=user).fields
    if "starts" not in fields or "ends" not in fields:
        return ""
    # The year up to a month ahead: a run's payment date is a few working days after it is
    # finalised, and a year's remittances include the one just made.
    ends = today() + timedelta(days=30)
    starts = ends - timedelta(days=364)
    return "&".join(
        f"{name}_{n}={part}"
        for name, day in (("starts", starts), ("ends", ends))
        for n, part in enumerate((day.day, day.month, day.year))
    )


def _filters(report: Report, user: User, query: str) -> dict[str, Any]:
    from django.http import QueryDict

    values = report.form(QueryDict(query) if query else None, user=user).values()
    if values is None:
        raise AssertionError(f"{report.slug}: the year's filters {query!r} are refused")
    return values


def _build(report: Report, user: User, query: str) -> tuple[int, int, float]:
    """(queries, rows, seconds) of the report's selector, its rows consumed."""
    filters = _filters(report, user, query)
    with CaptureQueriesContext(connection) as queries:
        seconds, rows = _timed(lambda: _consume(report, user, filters))
    return len(queries.captured_queries), rows, seconds


def _consume(report: Report, user: User, filters: dict[str, Any]) -> int:
    table = report.build(user, filters)
    totals = Totals(table)
    for _row in totals.through(table.rows):
        pass
    totals.cells()
    return totals.row_count


def _reader(report: Report, built: Built, query: str) -> tuple[User, int] | None:
    """Of the data set's users who may use the report, the one shown the most rows."""
    best: tuple[User, int] | None = None
    for user in built.users:
        if report.may_use(user):
            rows = _build(report, user, query or year_query(report, user))[1]
            if best is None or rows > best[1]:
                best = (user, rows)
    return best


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    queries: int = 0
    bytes: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _get(client: Client, path: str, repeat: int) -> Timing:
    """GET the path `repeat` times after one unmeasured request; a streamed answer is read to
    its end (its audit is written then)."""
    timing = Timing()
    for number in range(repeat + 1):
        with CaptureQueriesContext(connection) as queries:
            seconds, size = _timed(lambda: _read(client, path))
        if number:
            timing.seconds.append(seconds)
            timing.queries = len(queries.captured_queries)
            timing.bytes = size
    return timing


def _read(client: Client, path: str) -> int:
    response = client.get(path)
    if response.status_code != 200:
        raise AssertionError(f"GET {path} answered {response.status_code}")
    if response.streaming:
        # A streamed answer (the CSV, the workbook) is read to its end, as a browser would.
        parts: Iterable[bytes] = response.streaming_content  # type: ignore[attr-defined]
        return len(b"".join(parts))
    return len(response.content)


def measure_report(report: Report, built: Built, repeat: int) -> dict[str, Any] | None:
    """One report at one size: its selector, its page and downloads, and the minimal view."""
    reader = _reader(report, built, "")
    if reader is None:
        return None
    user, _rows = reader
    query = year_query(report, user)
    queries, rows, seconds = _build(report, user, query)
    client = Client()
    client.force_login(user)
    suffix = f"?{query}" if query else ""
    with override_settings(ROOT_URLCONF="bench.urls"):
        minimal = _get(client, MINIMAL, repeat)
    page = _get(client, f"/reports/{report.slug}/{suffix}", repeat)
    downloads = {
        fmt: _get(client, f"/reports/{report.slug}/download.{fmt}{suffix}", max(1, repeat // 2))
        for fmt in FORMATS
    }
    return {
        "slug": report.slug,
        "side": report.side,
        "as": f"{user.get_role_display()} of {user.organisation}",
        "filters": query or "defaults",
        "rows": rows,
        "build_queries": queries,
        "build_seconds": round(seconds, 3),
        "page_queries": page.queries,
        "page_median_ms": round(page.median * 1000, 1),
        "minimal_median_ms": round(minimal.median * 1000, 2),
        "page_ratio": round(page.median / minimal.median, 1),
        "downloads": {
            fmt: {"queries": t.queries, "seconds": round(t.median, 3), "bytes": t.bytes}
            for fmt, t in downloads.items()
        },
    }


def measure(built: Built, repeat: int, say: Callable[[str], None]) -> list[dict[str, Any]]:
    measured = []
    for slug in sorted(REGISTRY):
        result = measure_report(REGISTRY[slug], built, repeat)
        if result is None:
            say(f"bench: {slug}: no user of the data set may use it")
            continue
        say(
            f"bench: {slug}: {result['rows']:,} rows, {result['build_queries']} queries, "
            f"{result['build_seconds']:.2f} s; page {result['page_median_ms']:.0f} ms "
            f"({result['page_ratio']}x the minimal view)"
        )
        measured.append(result)
    return measured
