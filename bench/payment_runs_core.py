"""The payment-run benchmark's data and measurements (bench/payment_runs.py runs them).

`build` makes a county: a council with a 4-weekly rulebook whose first period has just ended,
`providers` providers each with one contract and one service, and `cplis` active CPLIs spread
over them (two per client, at two service levels), bulk-loaded like bench/actuals_core.py's. The
contracts' types give a mix of payment methods, by the council's payment rules: most providers
self-bill, one in five is paid on invoice, one in ten on schedule (a block contract). Then, as
the providers and the council would, through the services: every provider generates its
period (`actuals_generate`) and confirms it (`actuals_confirm`, one call each); each provider
paid on invoice invoices its whole pre-invoice, submits it and the payments officer authorises
it; and the officer disputes two rows of a few self-billing providers (`dispute_raise`). Each
step is timed, as building a county's period takes minutes.

The measurements, for that period: the queries of `due` (counted by the runner at two sizes:
they must be equal); `run_prepare` from no run against a plain `PaymentLine.objects.bulk_create`
of the same lines (copied from the product's run, under a bare run written before the clock
starts), taking turns, with the product's run discarded (`run_discard`) between repeats; and
the run page and the scheduled-payments page, GET with Django's test client.
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
from django.test.utils import CaptureQueriesContext

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.periods import WEEK, week_of
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import (
    CpliStatus,
    DocumentKind,
    DocumentStatus,
    PricingBasis,
    Unit,
)
from carebridge.contracts.models import ContractDocument, Cpli, ServiceLevel
from carebridge.core.calendar import add_working_days, now, today
from carebridge.core.permissions import Role
from carebridge.disputes import services as disputes
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import ActualsPeriod, ContractType, PaymentMethod
from carebridge.organisations.models import Contract, Council, Provider, Service
from carebridge.payments import services as payments
from carebridge.payments.models import PaymentLine, PaymentRun
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.selectors.run_sources import due
from carebridge.people.models import ServiceUser

SLUG = "bench-runs"
DOMAIN = "bench-runs.example"
WEEKS_IN_PERIOD = 4
LOAD_BATCH = 2000
BATCH = 2000  # as services.runs writes a run's lines
# Which contract type a provider has, by its number modulo ten: two in ten framework contracts
# paid on invoice, one in ten a block contract paid on schedule, the rest spot and self-billing.
_TYPES = {0: ContractType.FRAMEWORK, 5: ContractType.FRAMEWORK, 9: ContractType.BLOCK_2015}
_METHODS = {
    ContractType.SPOT: PaymentMethod.SELF_BILLING,
    ContractType.FRAMEWORK: PaymentMethod.ON_INVOICE,
    ContractType.BLOCK_2015: PaymentMethod.ON_SCHEDULE,
}
# How many self-billing providers have two rows of the period in an open dispute.
DISPUTES = 5
_FIRST_NAMES = ("Ada", "Bernard", "Cora", "Dennis", "Edith", "Frank", "Gwen", "Harold", "Iris")
_LAST_NAMES = ("Ashworth", "Barker", "Cooper", "Dobson", "Ellis", "Fletcher", "Gibbs", "Hale")
_QUANTITIES = ("3.5", "7", "10.5", "14", "21", "5.25")
_LEVELS = ("Home Care - Standard Rate", "Home Care - Double Up")


@dataclass
class County:
    """A council's period, ready for its payment run."""

    council: Council
    officer: User  # the payments officer who prepares the run
    period: Period
    payment_date: date
    providers: int
    cplis: int
    methods: dict[str, int]  # providers by payment method
    users: dict[int, User]  # each provider's Super User (Scheduled), by provider id
    scheduled: list[int]  # the providers paid on schedule
    invoices: int = 0
    disputes: int = 0
    actuals: int = 0
    steps: dict[str, float] = field(default_factory=dict)  # seconds of each building step


def _timed(operation: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    outcome = operation()
    return time.perf_counter() - started, outcome


def build(providers: int, cplis: int) -> County:
    """A council whose first 4-week period has just ended, `providers` providers and `cplis`
    active CPLIs of theirs running since the period began, the period generated and confirmed
    by every provider, invoiced and authorised where paid on invoice, a few rows disputed."""
    if not 1 <= providers <= cplis:
        raise ValueError("The county needs at least one provider and a CPLI for each.")
    steps: dict[str, float] = {}
    seconds, county = _timed(partial(_load, providers, cplis))
    steps["load"] = seconds
    steps["open periods"], _ = _timed(actuals.periods_open)
    county.period = Period.objects.get(
        council=county.council, start_date=county.council.rulebook.actuals_periods_from
    )
    steps["generate"], county.actuals = _timed(partial(_generate, county))
    steps["confirm"], _ = _timed(partial(_confirm, county))
    steps["invoice"], county.invoices = _timed(partial(_invoice, county))
    steps["dispute"], county.disputes = _timed(partial(_dispute, county))
    county.steps = {name: round(value, 2) for name, value in steps.items()}
    return county


def _load(providers: int, cplis: int) -> County:
    """The council, its rules, providers, services, contracts, users and CPLIs, bulk-loaded."""
    number = Council.objects.filter(slug__startswith=SLUG).count() + 1
    # The period that ended yesterday at the latest is the council's first: nothing earlier
    # is due, so the run pays one period (and the scheduled blocks its end brings due).
    first = week_of(today(), 0) - WEEK * WEEKS_IN_PERIOD
    council = organisations.council_create(
        name=f"Benchmark Runs County {number}",
        slug=f"{SLUG}-{number}",
        rulebook={
            "actuals_period": ActualsPeriod.FOUR_WEEKLY,
            "actuals_week_start": 0,
            "actuals_periods_from": first,
        },
    )
    for contract_type, method in _METHODS.items():
        organisations.payment_rule_set(
            council=council,
            contract_type=contract_type,
            by=None,
            aborted_visit_max_minutes=30,
            aborted_visit_paid_percent=100,
            night_cancellation_paid_percent=25,
            payment_method=method,
        )
    officer = _officer(council, f"officer{number}@{DOMAIN}")
    levels = [
        contracts.service_level_create(council=council, name=name, unit=Unit.HOURS, by=officer)
        for name in _LEVELS
    ]
    sites = _load_providers(council, number, providers, first)
    users = _load_users(number, sites)
    _load_cplis(council, sites, levels, officer, cplis, first)
    types = [_TYPES.get(n % 10, ContractType.SPOT) for n in range(providers)]
    methods: dict[str, int] = {}
    for contract_type in types:
        label = _METHODS[contract_type].value
        methods[label] = methods.get(label, 0) + 1
    return County(
        council=council,
        officer=officer,
        period=Period(),  # opened next
        payment_date=add_working_days(today(), 5),
        providers=providers,
        cplis=cplis,
        methods=methods,
        users=users,
        scheduled=[
            site.provider_id
            for site, contract_type in zip(sites, types, strict=True)
            if contract_type == ContractType.BLOCK_2015
        ],
    )


def _officer(council: Council, email: str) -> User:
    user = User(
        email=email,
        first_name="Bench",
        last_name="Officer",
        role=Role.PAYMENTS_OFFICER,
        council=council,
    )
    user.set_unusable_password()
    user.save()
    return user


def _load_providers(council: Council, number: int, count: int, first: date) -> list[Service]:
    """`count` providers, each with one service and one contract with the council, whose type
    decides how the council pays it."""
    made = Provider.objects.bulk_create(
        [
            Provider(name=f"Benchmark Runs Care {number}-{n:05d}", postcode="M1 1AA")
            for n in range(count)
        ],
        batch_size=LOAD_BATCH,
    )
    Contract.objects.bulk_create(
        [
            Contract(
                council=council,
                provider=provider,
                reference=f"BR{number}-{n:05d}",
                contract_type=_TYPES.get(n % 10, ContractType.SPOT),
                start_date=first - WEEK * 52,
                supplier_reference=f"SUP{n:05d}",
            )
            for n, provider in enumerate(made)
        ],
        batch_size=LOAD_BATCH,
    )
    return Service.objects.bulk_create(
        [
            Service(provider=provider, name=f"{provider.name} - Home Care", postcode="M1 1AA")
            for provider in made
        ],
        batch_size=LOAD_BATCH,
    )


def _load_users(number: int, sites: list[Service]) -> dict[int, User]:
    """Each provider's Super User (Scheduled): it generates, confirms and invoices the
    provider's actuals, and sees its scheduled payments."""
    users = []
    for n, site in enumerate(sites):
        user = User(
            email=f"provider{number}-{n:05d}@{DOMAIN}",
            first_name="Bench",
            last_name="Provider",
            role=Role.SUPER_USER_SCHEDULED,
            provider_id=site.provider_id,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=LOAD_BATCH)
    made = {user.email: user for user in User.objects.filter(email__in=[u.email for u in users])}
    return {site.provider_id: made[user.email] for site, user in zip(sites, users, strict=True)}


def _load_cplis(
    council: Council,
    sites: list[Service],
    levels: list[ServiceLevel],
    broker: User,
    count: int,
    first: date,
) -> None:
    """`count` active CPLIs, two per client (one per service level), the clients dealt out
    to the services in turn: about count / len(sites) CPLIs each."""
    clients = math.ceil(count / len(levels))
    prefix = f"BR{council.pk}-"
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
    people = list(ServiceUser.objects.filter(council=council).order_by("pk").values_list("pk"))
    block = {site.pk for n, site in enumerate(sites) if n % 10 == 9}
    moment = now()
    documents = ContractDocument.objects.bulk_create(
        [
            ContractDocument(
                council=council,
                provider_id=sites[n % len(sites)].provider_id,
                service=sites[n % len(sites)],
                service_user_id=person_id,
                reference=f"ISO-R{council.pk}-{n:07d}",
                kind=DocumentKind.ORDER,
                care_package_reference=f"PKG-R{council.pk}-{n:07d}",
                status=DocumentStatus.AGREED,
                published_at=moment - timedelta(days=40),
                published_by=broker,
                answered_at=moment - timedelta(days=39),
                # A stand-in for the hash of the agreed PDF, as seed_scale writes it.
                signed_hash=f"{n:064x}",
                changed_at=moment - timedelta(days=39),
            )
            for n, (person_id,) in enumerate(people)
        ],
        batch_size=LOAD_BATCH,
    )
    rows = []
    for n in range(count):
        client, level = divmod(n, len(levels))
        document = documents[client]
        quantity = Decimal(_QUANTITIES[n % len(_QUANTITIES)])
        rows.append(
            Cpli(
                council=council,
                provider_id=document.provider_id,
                service_id=document.service_id,
                service_user_id=document.service_user_id,
                service_level=levels[level],
                document=document,
                care_package_reference=document.care_package_reference,
                quantity=quantity,
                unit=Unit.HOURS,
                rate=Decimal("19.84"),
                visits=7 if quantity < 10 else 14,
                pricing_basis=(
                    PricingBasis.BLOCK if document.service_id in block else PricingBasis.SPOT
                ),
                start_date=first,
                status=CpliStatus.ACTIVE,
            )
        )
    Cpli.objects.bulk_create(rows, batch_size=LOAD_BATCH)


def _generate(county: County) -> int:
    """Every provider generates the period's four weeks, as its own user would."""
    weeks = [county.period.start_date + WEEK * n for n in range(WEEKS_IN_PERIOD)]
    return sum(
        actuals.actuals_generate(user, weeks=weeks, council_id=county.council.pk)
        for user in county.users.values()
    )


def _confirm(county: County) -> None:
    """Every provider confirms the period (one actuals_confirm each)."""
    for user in county.users.values():
        actuals.actuals_confirm(user, county.period)


def _invoice(county: County) -> int:
    """Each provider paid on invoice invoices every line of its pre-invoice and submits it; the
    payments officer authorises it."""
    made = 0
    for service in Service.objects.filter(
        provider__contracts__council=county.council,
        provider__contracts__contract_type=ContractType.FRAMEWORK,
    ).order_by("pk"):
        user = county.users[service.provider_id]
        lines = pre_invoice(user, service, county.period)
        invoice = payments.invoice_create(
            by=user,
            service=service,
            period=county.period,
            reference=f"INV-{county.period.start_date:%Y%m%d}",
            invoice_date=today(),
            actual_ids=[line.actual_id for line in lines],
        )
        invoice = payments.invoice_submit(by=user, invoice=invoice)
        payments.invoice_authorise(by=county.officer, invoice=invoice)
        made += 1
    return made


def _dispute(county: County) -> int:
    """The officer disputes two rows of each of a few self-billing providers: they are left
    out of the run, and listed."""
    reason = disputes.dispute_reasons_ensure(county.council, by=county.officer)[0]
    self_billing = (
        Contract.objects.filter(council=county.council, contract_type=ContractType.SPOT)
        .order_by("pk")
        .values_list("provider_id", flat=True)[:DISPUTES]
    )
    made = 0
    for provider_id in self_billing:
        rows = Actual.objects.filter(period=county.period, provider_id=provider_id).order_by("pk")
        disputes.dispute_raise(
            by=county.officer,
            reason=reason,
            details="The client says the lunch calls did not happen",
            actual_ids=list(rows.values_list("pk", flat=True)[:2]),
        )
        made += 1
    return made


# --- Measuring ----------------------------------------------------------------------------------


def count_due(county: County) -> dict[str, Any]:
    """The queries and seconds of one `due` of the period (after one unmeasured call), and what
    it found."""
    due(county.period)
    with CaptureQueriesContext(connection) as queries:
        seconds, found = _timed(partial(due, county.period))
    return {
        "providers": county.providers,
        "cplis": county.cplis,
        "lines": len(found.lines),
        "left_out": len(found.left_out),
        "queries": len(queries.captured_queries),
        "seconds": round(seconds, 3),
    }


@dataclass
class Measurement:
    """run_prepare against its baseline: every repeat's seconds, and what was written."""

    rows: int = 0
    seconds: list[float] = field(default_factory=list)
    baseline_seconds: list[float] = field(default_factory=list)
    discard_seconds: list[float] = field(default_factory=list)
    queries: int = 0
    total: str = ""
    sources: dict[str, int] = field(default_factory=dict)

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
            "name": "prepare the run of a county's period",
            "operation": f"services.run_prepare of {self.rows:,} lines",
            "baseline": "PaymentLine.objects.bulk_create of the same lines",
            "rows": self.rows,
            "sources": self.sources,
            "queries": self.queries,
            "total": self.total,
            "seconds": round(self.median, 3),
            "baseline_seconds": round(self.baseline_median, 3),
            "ratio": round(self.ratio, 2),
            "target": target,
            "met": self.ratio <= target,
            "discard_seconds": round(statistics.median(self.discard_seconds), 3),
            "all_seconds": [round(s, 3) for s in self.seconds],
            "all_baseline_seconds": [round(s, 3) for s in self.baseline_seconds],
        }


# The fields of a line the baseline copies from the product's own lines.
_COPIED = [f.attname for f in PaymentLine._meta.concrete_fields if f.name not in {"id", "run"}]


def clear_runs(county: County) -> None:
    """Back to no runs of the council (on PostgreSQL with the deleted rows' space free again,
    so that each repeat starts from the same table)."""
    PaymentLine.objects.filter(run__council=county.council).delete()
    PaymentRun.objects.filter(council=county.council).delete()
    # VACUUM cannot run in a transaction: the smoke test's is one.
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model in (PaymentLine, PaymentRun):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def prepare(county: County) -> PaymentRun:
    """The officer prepares the run of the county's period."""
    return payments.run_prepare(
        by=county.officer, period=county.period, payment_date=county.payment_date
    )


def _bare_run(county: County, reference: str) -> PaymentRun:
    """The run row the baseline's lines hang on, written before its timing starts."""
    moment = now()
    return PaymentRun.objects.create(
        council=county.council,
        period=county.period,
        reference=reference,
        payment_date=county.payment_date,
        prepared_at=moment,
        prepared_by=county.officer,
        changed_at=moment,
    )


def _written(measurement: Measurement, run: PaymentRun) -> list[dict[str, Any]]:
    """The run's lines as values, for the baseline to write again; its total and sources."""
    rows = list(run.lines.order_by("pk").values(*_COPIED))
    total = sum((row["total"] for row in rows), Decimal("0"))
    measurement.total = f"{total:.2f}"
    for row in rows:
        measurement.sources[row["source"]] = measurement.sources.get(row["source"], 0) + 1
    return rows


def measure_prepare(county: County, repeat: int) -> Measurement:
    """run_prepare of the period from no run (the run discarded after each), against a plain
    bulk_create of the same lines (objects made beforehand) under a run written before the
    clock starts, taking turns."""
    measurement = Measurement()
    rows: list[dict[str, Any]] = []
    for number in range(repeat):
        clear_runs(county)
        with CaptureQueriesContext(connection) as queries:
            seconds, run = _timed(partial(prepare, county))
        measurement.seconds.append(seconds)
        measurement.queries = len(queries.captured_queries)
        lines = run.lines.count()
        if not rows:
            rows = _written(measurement, run)
            measurement.rows = len(rows)
        if lines != measurement.rows:
            raise AssertionError(f"the run has {lines} lines, expected {measurement.rows}")
        seconds, _ = _timed(partial(payments.run_discard, by=county.officer, run=run))
        measurement.discard_seconds.append(seconds)
        clear_runs(county)
        bare = _bare_run(county, f"BENCH-BASE-{number + 1}")
        objects = [PaymentLine(run=bare, **row) for row in rows]
        seconds, _ = _timed(partial(PaymentLine.objects.bulk_create, objects, batch_size=BATCH))
        measurement.baseline_seconds.append(seconds)
    clear_runs(county)
    return measurement


def pages(county: County) -> list[tuple[str, str, list[Any], User]]:
    """The pages measured, as (name, URL name, its arguments, who opens it): the prepared run's
    page (a run must be prepared) as the officer, the scheduled payments of a provider paid on
    schedule as its Super User (Scheduled)."""
    run = PaymentRun.objects.filter(council=county.council, period=county.period).first()
    provider = county.scheduled[0] if county.scheduled else next(iter(county.users))
    return [
        ("the run page", "payments:run_detail", [run.pk] if run else [], county.officer),
        ("the scheduled-payments page", "payments:scheduled_list", [], county.users[provider]),
    ]


def profile_prepare(county: County, limit: int = 30) -> str:
    """Where one run_prepare of the period spends its time: cProfile's top functions by own
    time and by cumulative time."""
    clear_runs(county)
    profiler = cProfile.Profile()
    profiler.enable()
    prepare(county)
    profiler.disable()
    clear_runs(county)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()
