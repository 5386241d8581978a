"""The actuals benchmark's data and measurements, on the Django side (bench/actuals.py runs them).

`build_fixture` makes a council with a 4-weekly rulebook, one provider with two services, its
clients and their active CPLIs, and opens the council's periods. The measurements then time an
operation of the product against a plain bulk write of the same rows, on the same database, from
the same starting state, taking turns so that load from elsewhere on the machine falls on both:

- generating a 4-week period (`services.actuals_generate`) against `Actual.objects.bulk_create`
  of the rows it writes;
- importing a CSV file into an empty table (`csvio.import_rows`: every row new) against
  `bulk_create` of the rows it writes;
- importing the same file over the generated plan (the usual round trip: generate, export, change
  one row in ten, import) against `bulk_update` of the same rows with the imported values.

The fixture is bulk-loaded, like `seed_scale`'s: only rows the services would write, in states
they reach (agreed orders with active CPLIs).
"""

from __future__ import annotations

import cProfile
import io
import math
import pstats
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection

from carebridge.accounts.models import User
from carebridge.actuals import csvio, services
from carebridge.actuals.models import Actual
from carebridge.actuals.periods import WEEK, week_of
from carebridge.actuals.rules import ENTERED, shown
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import (
    CpliStatus,
    DocumentKind,
    DocumentStatus,
    PricingBasis,
    Unit,
)
from carebridge.contracts.models import ContractDocument, Cpli, ServiceLevel
from carebridge.core.calendar import now, today
from carebridge.core.permissions import Role
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import ActualsPeriod, ContractType
from carebridge.organisations.models import Council, Provider, Service
from carebridge.people.models import ServiceUser

# The slug and e-mail domain of the benchmark's own organisations, so that a second fixture in
# the same database (the smoke test's, say) never collides with one made before.
SLUG = "bench-actuals"
DOMAIN = "bench-actuals.example"
WEEKS_IN_PERIOD = 4
# Every how many rows of the file one changes: a provider corrects about one row in ten.
CHANGE_EVERY = 10
LOAD_BATCH = 2000
_FIRST_NAMES = ("Ada", "Bernard", "Cora", "Dennis", "Edith", "Frank", "Gwen", "Harold", "Iris")
_LAST_NAMES = ("Ashworth", "Barker", "Cooper", "Dobson", "Ellis", "Fletcher", "Gibbs", "Hale")
_QUANTITIES = ("3.5", "7", "10.5", "14", "21", "5.25")
_LEVELS = ("Home Care - Standard Rate", "Home Care - Double Up")


@dataclass(frozen=True)
class Line:
    """What a CSV row needs of a CPLI: how the file names it, and its plan."""

    cpli_id: int
    service: str
    level: str
    ss_ref: str
    quantity: Decimal
    visits: int


@dataclass
class Fixture:
    council: Council
    provider: Provider
    user: User  # the provider's Super User (Actuals), who generates and imports
    services: list[Service]
    lines: list[Line]
    generate_weeks: list[date]  # the four weeks of the last period that has ended
    ended_weeks: list[date]  # the ended weeks since the first period, oldest first


def build_fixture(cplis: int) -> Fixture:
    """A council whose 4-weekly periods are open up to this week, and `cplis` active CPLIs of
    one provider: two per client (two service levels), the clients split between two services,
    every line running since before the first period."""
    if cplis < 1:
        raise ValueError("The fixture needs at least one CPLI.")
    number = Council.objects.filter(slug__startswith=SLUG).count() + 1
    this_week = week_of(today(), 0)
    # Enough ended periods for a file of 50,000 rows over 12,000 lines, and for the smallest
    # runs: five ended periods, then the current one.
    first_period = this_week - WEEK * WEEKS_IN_PERIOD * 5
    council = organisations.council_create(
        name=f"Benchmark Actuals Council {number}",
        slug=f"{SLUG}-{number}",
        rulebook={
            "actuals_period": ActualsPeriod.FOUR_WEEKLY,
            "actuals_week_start": 0,
            "actuals_periods_from": first_period,
        },
    )
    provider = organisations.provider_create(
        name=f"Benchmark Actuals Home Care {number}", postcode="M1 1AA"
    )
    sites = [
        organisations.service_create(
            provider=provider, name=f"Benchmark Actuals Home Care {number} - {town}"
        )
        for town in ("Ashford", "Brampton")
    ]
    organisations.contract_create(
        council=council,
        provider=provider,
        reference=f"BENCH-{number:03d}",
        contract_type=ContractType.SPOT,
        start_date=first_period - WEEK * 52,
    )
    broker = _user(f"broker{number}@{DOMAIN}", Role.BROKER, council=council)
    user = _user(f"actuals{number}@{DOMAIN}", Role.SUPER_USER_ACTUALS, provider=provider)
    levels = [
        contracts.service_level_create(council=council, name=name, unit=Unit.HOURS, by=broker)
        for name in _LEVELS
    ]
    lines = _load_cplis(council, provider, sites, levels, broker, user, cplis, first_period)
    services.periods_open()
    ended = [
        first_period + WEEK * n for n in range((this_week - first_period) // WEEK)
    ]  # every week before this one has ended
    return Fixture(
        council=council,
        provider=provider,
        user=user,
        services=sites,
        lines=lines,
        generate_weeks=ended[-WEEKS_IN_PERIOD:],
        ended_weeks=ended,
    )


def _user(email: str, role: Role, **organisation: Any) -> User:
    user = User(email=email, first_name="Bench", last_name="Mark", role=role, **organisation)
    user.set_unusable_password()
    user.save()
    return user


def _load_cplis(
    council: Council,
    provider: Provider,
    sites: list[Service],
    levels: list[ServiceLevel],
    broker: User,
    answerer: User,
    count: int,
    first_period: date,
) -> list[Line]:
    clients = math.ceil(count / len(levels))
    prefix = f"BA{council.pk}-"
    ServiceUser.objects.bulk_create(
        [
            ServiceUser(
                council=council,
                ss_ref=f"{prefix}{n:06d}",
                first_name=_FIRST_NAMES[n % len(_FIRST_NAMES)],
                last_name=_LAST_NAMES[n // len(_FIRST_NAMES) % len(_LAST_NAMES)],
                date_of_birth=date(1930, 1, 1) + timedelta(days=n % 9000),
            )
            for n in range(clients)
        ],
        batch_size=LOAD_BATCH,
    )
    people = list(
        ServiceUser.objects.filter(council=council).order_by("pk").values_list("pk", "ss_ref")
    )
    moment = now()
    start = first_period - WEEK * 8
    documents = ContractDocument.objects.bulk_create(
        [
            ContractDocument(
                council=council,
                provider=provider,
                service=sites[n % len(sites)],
                service_user_id=person_id,
                reference=f"ISO-B{council.pk}-{n:07d}",
                kind=DocumentKind.ORDER,
                care_package_reference=f"PKG-B{council.pk}-{n:07d}",
                status=DocumentStatus.AGREED,
                published_at=moment - timedelta(days=90),
                published_by=broker,
                answered_at=moment - timedelta(days=89),
                answered_by=answerer,
                # A stand-in for the hash of the agreed PDF, as seed_scale writes it.
                signed_hash=f"{n:064x}",
                changed_at=moment - timedelta(days=89),
            )
            for n, (person_id, _ss_ref) in enumerate(people)
        ],
        batch_size=LOAD_BATCH,
    )
    rows = []
    plan: list[tuple[int, int, Decimal, int]] = []  # (client, level, quantity, visits)
    for n in range(count):
        client, level = divmod(n, len(levels))
        document = documents[client]
        quantity = Decimal(_QUANTITIES[n % len(_QUANTITIES)])
        visits = 7 if quantity < 10 else 14
        plan.append((client, level, quantity, visits))
        rows.append(
            Cpli(
                council=council,
                provider=provider,
                service_id=document.service_id,
                service_user_id=document.service_user_id,
                service_level=levels[level],
                document=document,
                care_package_reference=document.care_package_reference,
                quantity=quantity,
                unit=Unit.HOURS,
                rate=Decimal("19.84"),
                visits=visits,
                pricing_basis=PricingBasis.SPOT,
                start_date=start,
                status=CpliStatus.ACTIVE,
            )
        )
    made = Cpli.objects.bulk_create(rows, batch_size=LOAD_BATCH)
    names = {site.pk: site.name for site in sites}
    return [
        Line(
            cpli_id=cpli.pk,
            service=names[cpli.service_id],
            level=levels[level].name,
            ss_ref=people[client][1],
            quantity=quantity,
            visits=visits,
        )
        for cpli, (client, level, quantity, visits) in zip(made, plan, strict=True)
    ]


# --- The file -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvFile:
    text: str
    rows: int
    changed: int  # rows that differ from the plan
    weeks: list[date]


def csv_file(fixture: Fixture, rows: int) -> CsvFile:
    """A file in the Bradford layout with `rows` rows: every line for each of the newest ended
    weeks, and the rest of the rows for the week before those. One row in ten differs from the
    plan (a visit missed, with a comment saying why); the others are the plan as exported."""
    lines = fixture.lines
    weeks_needed = math.ceil(rows / len(lines))
    if weeks_needed > len(fixture.ended_weeks):
        raise ValueError(
            f"{rows} rows need {weeks_needed} ended weeks of {len(lines)} lines; the fixture has "
            f"{len(fixture.ended_weeks)}: ask for more CPLIs or fewer rows"
        )
    weeks = fixture.ended_weeks[-weeks_needed:]
    pairs = [(week, line) for week in reversed(weeks) for line in lines][:rows]
    pairs.sort(key=lambda pair: pair[0])
    out = io.StringIO()
    out.write(",".join(csvio.BASIC_COLUMNS) + "\r\n")
    changed = 0
    for number, (week, line) in enumerate(pairs):
        actual, missed, comments = line.quantity, Decimal("0"), ""
        if number % CHANGE_EVERY == CHANGE_EVERY // 2:
            missed = Decimal("1")
            actual -= missed
            comments = "Missed one visit: the client was at the day centre"
            changed += 1
        cells = (
            line.service,
            line.level,
            line.ss_ref,
            f"{week:%Y/%m/%d}",
            shown(actual),
            "0",
            shown(missed),
            "0",
            str(line.visits),
            comments,
        )
        out.write(",".join(cells) + "\r\n")
    return CsvFile(out.getvalue(), len(pairs), changed, sorted(set(weeks)))


# --- Measuring ----------------------------------------------------------------------------------


@dataclass
class Measurement:
    """One operation against its baseline: every repeat's seconds, and what the rows were."""

    name: str
    operation: str
    baseline: str
    rows: int
    seconds: list[float] = field(default_factory=list)
    baseline_seconds: list[float] = field(default_factory=list)
    result: dict[str, int] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline_seconds)

    @property
    def ratio(self) -> float:
        return self.median / self.baseline_median if self.baseline_median else math.inf

    def summary(self, target: float) -> dict[str, Any]:
        return {
            "name": self.name,
            "operation": self.operation,
            "baseline": self.baseline,
            "rows": self.rows,
            "seconds": round(self.median, 3),
            "baseline_seconds": round(self.baseline_median, 3),
            "ratio": round(self.ratio, 2),
            "target": target,
            "met": self.ratio <= target,
            "all_seconds": [round(s, 3) for s in self.seconds],
            "all_baseline_seconds": [round(s, 3) for s in self.baseline_seconds],
            "result": self.result,
        }


def clear_actuals(fixture: Fixture) -> None:
    """Back to a table with none of the fixture's actuals (and, on PostgreSQL, the space of the
    deleted rows free again, so each repeat starts from the same table)."""
    Actual.objects.filter(provider=fixture.provider).delete()
    # VACUUM cannot run in a transaction: the smoke test's is one.
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Actual._meta.db_table)}")


def _timed(operation: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    outcome = operation()
    return time.perf_counter() - started, outcome


_COPIED = [f.attname for f in Actual._meta.concrete_fields if not f.primary_key]


def _stored_rows(fixture: Fixture) -> list[dict[str, Any]]:
    return list(Actual.objects.filter(provider=fixture.provider).order_by("pk").values(*_COPIED))


def _new_actuals(rows: list[dict[str, Any]]) -> list[Actual]:
    return [Actual(**row) for row in rows]


def _restore(fixture: Fixture, rows: list[dict[str, Any]]) -> dict[tuple[int, date], int]:
    """The table as the rows had it (with new ids): each (CPLI, week)'s id now."""
    clear_actuals(fixture)
    made = Actual.objects.bulk_create(_new_actuals(rows), batch_size=services.BATCH)
    return {(actual.cpli_id, actual.week_start): actual.pk for actual in made}


def measure_generate(fixture: Fixture, repeat: int) -> Measurement:
    """actuals_generate for the last ended period's four weeks, from an empty table, against a
    plain bulk_create of the rows it writes (made beforehand, same batch size)."""
    weeks = fixture.generate_weeks
    measurement = Measurement(
        name="generate a 4-week period",
        operation=f"services.actuals_generate(weeks={len(weeks)} weeks) for every CPLI",
        baseline="Actual.objects.bulk_create of the same rows",
        rows=0,
    )
    written: list[dict[str, Any]] = []
    for _ in range(repeat):
        clear_actuals(fixture)
        seconds, added = _timed(lambda: services.actuals_generate(fixture.user, weeks=weeks))
        measurement.seconds.append(seconds)
        measurement.rows = added
        if not written:
            written = _stored_rows(fixture)
        clear_actuals(fixture)
        rows = _new_actuals(written)
        seconds, _ = _timed(partial(Actual.objects.bulk_create, rows, batch_size=services.BATCH))
        measurement.baseline_seconds.append(seconds)
    clear_actuals(fixture)
    measurement.result = {"rows": measurement.rows}
    return measurement


def _import(fixture: Fixture, file: CsvFile) -> services.Saved:
    return csvio.import_rows(fixture.user, file.text)


def measure_import_new(fixture: Fixture, file: CsvFile, repeat: int) -> Measurement:
    """Importing the file into a table with no actuals yet: every row is written new."""
    measurement = Measurement(
        name="import a CSV file, every row new",
        operation=f"csvio.import_rows of a {file.rows:,}-row file",
        baseline="Actual.objects.bulk_create of the same rows",
        rows=file.rows,
    )
    written: list[dict[str, Any]] = []
    saved = None
    for _ in range(repeat):
        clear_actuals(fixture)
        seconds, saved = _timed(lambda: _import(fixture, file))
        measurement.seconds.append(seconds)
        if not written:
            written = _stored_rows(fixture)
        clear_actuals(fixture)
        rows = _new_actuals(written)
        seconds, _ = _timed(partial(Actual.objects.bulk_create, rows, batch_size=services.BATCH))
        measurement.baseline_seconds.append(seconds)
    clear_actuals(fixture)
    assert saved is not None
    measurement.result = {"read": saved.read, "changed": saved.changed}
    return measurement


def measure_import_over_plan(fixture: Fixture, file: CsvFile, repeat: int) -> Measurement:
    """Importing the file over the plan generated for its weeks (the usual round trip: generate,
    export, change some rows, import): the rows that differ from the plan are written, the
    others found unchanged. The baseline writes the same changed rows with bulk_update, their
    new values already set on objects made beforehand: what the import must write, without
    reading, matching or checking anything."""
    measurement = Measurement(
        name="import a CSV file over the generated plan",
        operation=(
            f"csvio.import_rows of a {file.rows:,}-row file, {file.changed:,} rows "
            "differing from the plan"
        ),
        baseline="Actual.objects.bulk_update of the rows that change",
        rows=file.rows,
    )
    clear_actuals(fixture)
    services.actuals_generate(fixture.user, weeks=file.weeks)
    plan = _stored_rows(fixture)
    changed: list[dict[str, Any]] = []
    saved = None
    for _ in range(repeat):
        _restore(fixture, plan)
        seconds, saved = _timed(lambda: _import(fixture, file))
        measurement.seconds.append(seconds)
        if not changed:
            changed = _changed_rows(fixture, plan)
        rows = _updated(_restore(fixture, plan), changed)
        seconds, _ = _timed(
            partial(Actual.objects.bulk_update, rows, services._WRITTEN, batch_size=services.BATCH)
        )
        measurement.baseline_seconds.append(seconds)
    clear_actuals(fixture)
    assert saved is not None
    measurement.result = {
        "read": saved.read,
        "changed": saved.changed,
        "unchanged": saved.unchanged,
        "baseline_rows": len(changed),
    }
    return measurement


# What a provider enters: a stored row whose values differ from the plan's was changed.
_ENTERED = ENTERED


def _changed_rows(fixture: Fixture, plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored rows that differ from the plan, as the import left them."""
    planned = {(row["cpli_id"], row["week_start"]): row for row in plan}
    return [
        row
        for row in _stored_rows(fixture)
        if any(row[name] != planned[(row["cpli_id"], row["week_start"])][name] for name in _ENTERED)
    ]


def _updated(ids: dict[tuple[int, date], int], imported: list[dict[str, Any]]) -> list[Actual]:
    """The imported rows as objects with the ids their rows have after a restore."""
    return [Actual(pk=ids[(row["cpli_id"], row["week_start"])], **row) for row in imported]


def profiled_operations(
    fixture: Fixture, file: CsvFile
) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    """Each operation as (name, what makes its starting state, the operation)."""
    clear_actuals(fixture)
    services.actuals_generate(fixture.user, weeks=file.weeks)
    plan = _stored_rows(fixture)
    clear_actuals(fixture)
    return [
        (
            "actuals_generate",
            lambda: clear_actuals(fixture),
            lambda: services.actuals_generate(fixture.user, weeks=fixture.generate_weeks),
        ),
        (
            "import_rows, every row new",
            lambda: clear_actuals(fixture),
            lambda: _import(fixture, file),
        ),
        (
            "import_rows over the plan",
            lambda: _restore(fixture, plan),
            lambda: _import(fixture, file),
        ),
    ]


def profile(setup: Callable[[], Any], operation: Callable[[], Any], limit: int = 30) -> str:
    """Where one run of the operation spends its time: cProfile's top functions by own time and
    by cumulative time."""
    setup()
    profiler = cProfile.Profile()
    profiler.enable()
    operation()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()
