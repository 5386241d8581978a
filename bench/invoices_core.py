"""The invoice benchmark's data and measurements, on the Django side (bench/invoices.py runs them).

`build` makes the actuals benchmark's fixture (a council with a 4-weekly rulebook, one provider
with two services and their active CPLIs, bulk-loaded) at twice the CPLIs asked for, so that each
service has that many; the council pays the provider's contract on invoice; the last ended
period's four weeks are generated for every CPLI (`actuals_generate`) and confirmed
(`actuals_confirm`), as the provider would. Then, for the first service and that period:

- the invoice wizard's read, `pre_invoice`, has its queries counted (at two sizes, by the
  runner: the counts must be equal) and is timed;
- `invoice_create` of every line of the pre-invoice is timed against a plain
  `InvoiceLine.objects.bulk_create` of the same lines (objects made beforehand) under a bare
  invoice, from the same table state, taking turns so that load from elsewhere falls on both.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.actuals_core import Fixture, build_fixture
from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Period
from carebridge.core.calendar import now, today
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.organisations.models import Service
from carebridge.payments import services as payments
from carebridge.payments.choices import InvoiceKind
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.selectors import pre_invoice

# The fields of a line the baseline copies from the product's own lines.
_COPIED = [f.attname for f in InvoiceLine._meta.concrete_fields if f.name not in {"id", "invoice"}]


@dataclass
class Sized:
    """One fixture, ready to invoice: its first service's uninvoiced confirmed period."""

    fixture: Fixture
    service: Service
    period: Period
    cplis: int  # the service's CPLIs
    lines: int  # its pre-invoice's lines (CPLI weeks)


def build(cplis: int) -> Sized:
    """A provider whose first service has `cplis` CPLIs with confirmed actuals for the last
    ended 4-week period, paid on invoice."""
    # The fixture shares its CPLIs between two services.
    fixture = build_fixture(cplis * 2)
    organisations.payment_rule_set(
        council=fixture.council,
        contract_type=ContractType.SPOT,
        by=None,
        aborted_visit_max_minutes=30,
        aborted_visit_paid_percent=100,
        night_cancellation_paid_percent=25,
        payment_method=PaymentMethod.ON_INVOICE,
    )
    actuals.actuals_generate(fixture.user, weeks=fixture.generate_weeks)
    period = Period.objects.get(council=fixture.council, start_date=fixture.generate_weeks[0])
    actuals.actuals_confirm(fixture.user, period)
    service = fixture.services[0]
    lines = len(pre_invoice(fixture.user, service, period))
    return Sized(
        fixture=fixture,
        service=service,
        period=period,
        cplis=service.cplis.count(),
        lines=lines,
    )


def _timed(operation: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    outcome = operation()
    return time.perf_counter() - started, outcome


def count_pre_invoice(sized: Sized) -> tuple[int, float]:
    """The queries and seconds of one pre-invoice read (after one unmeasured read)."""
    user, service, period = sized.fixture.user, sized.service, sized.period
    pre_invoice(user, service, period)
    with CaptureQueriesContext(connection) as queries:
        seconds, lines = _timed(lambda: pre_invoice(user, service, period))
    if len(lines) != sized.lines:
        raise AssertionError(f"the pre-invoice has {len(lines)} lines, expected {sized.lines}")
    return len(queries.captured_queries), seconds


@dataclass
class Measurement:
    """invoice_create against its baseline: every repeat's seconds, and what was written."""

    rows: int
    seconds: list[float] = field(default_factory=list)
    baseline_seconds: list[float] = field(default_factory=list)
    queries: int = 0
    total: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline_seconds)

    @property
    def ratio(self) -> float:
        return self.median / self.baseline_median if self.baseline_median else float("inf")

    def summary(self, target: float) -> dict[str, Any]:
        return {
            "name": "create the invoice of every line",
            "operation": f"services.invoice_create of {self.rows:,} lines",
            "baseline": "InvoiceLine.objects.bulk_create of the same lines",
            "rows": self.rows,
            "queries": self.queries,
            "total": self.total,
            "seconds": round(self.median, 3),
            "baseline_seconds": round(self.baseline_median, 3),
            "ratio": round(self.ratio, 2),
            "target": target,
            "met": self.ratio <= target,
            "all_seconds": [round(s, 3) for s in self.seconds],
            "all_baseline_seconds": [round(s, 3) for s in self.baseline_seconds],
        }


def clear_invoices(sized: Sized) -> None:
    """Back to no invoices of the fixture's provider (on PostgreSQL with the deleted rows' space
    free again, so that each repeat starts from the same table)."""
    provider = sized.fixture.provider
    InvoiceLine.objects.filter(invoice__provider=provider).delete()
    Invoice.objects.filter(provider=provider).delete()
    # VACUUM cannot run in a transaction: the smoke test's is one.
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model in (InvoiceLine, Invoice):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _create(sized: Sized, actual_ids: list[int], reference: str) -> Invoice:
    return payments.invoice_create(
        by=sized.fixture.user,
        service=sized.service,
        period=sized.period,
        reference=reference,
        invoice_date=today(),
        actual_ids=actual_ids,
    )


def _bare_invoice(sized: Sized, reference: str) -> Invoice:
    """The invoice row the baseline's lines hang on, written before its timing starts."""
    moment = now()
    return Invoice.objects.create(
        council=sized.fixture.council,
        provider=sized.fixture.provider,
        service=sized.service,
        period=sized.period,
        kind=InvoiceKind.INVOICE,
        reference=reference,
        invoice_date=today(),
        created_at=moment,
        created_by=sized.fixture.user,
        changed_at=moment,
        changed_by=sized.fixture.user,
    )


def measure_create(sized: Sized, repeat: int) -> Measurement:
    """invoice_create of every line of the pre-invoice, from no invoices, against a plain
    bulk_create of the same lines (objects made beforehand) under an invoice written before
    the clock starts."""
    user = sized.fixture.user
    actual_ids = [line.actual_id for line in pre_invoice(user, sized.service, sized.period)]
    measurement = Measurement(rows=len(actual_ids))
    rows: list[dict[str, Any]] = []
    for number in range(repeat):
        clear_invoices(sized)
        with CaptureQueriesContext(connection) as queries:
            seconds, invoice = _timed(
                partial(_create, sized, actual_ids, f"BENCH-INV-{number + 1}")
            )
        measurement.seconds.append(seconds)
        measurement.queries = len(queries.captured_queries)
        if not rows:
            rows = list(invoice.lines.order_by("pk").values(*_COPIED))
            total = sum((row["amount"] for row in rows), Decimal("0"))
            measurement.total = f"{total:.2f}"
        if invoice.lines.count() != len(actual_ids):
            raise AssertionError(f"the invoice has {invoice.lines.count()} lines")
        clear_invoices(sized)
        bare = _bare_invoice(sized, f"BENCH-BASE-{number + 1}")
        lines = [InvoiceLine(invoice=bare, **row) for row in rows]
        seconds, _ = _timed(partial(InvoiceLine.objects.bulk_create, lines))
        measurement.baseline_seconds.append(seconds)
    clear_invoices(sized)
    return measurement


@dataclass
class PageTiming:
    """A page as its user opens it: the median seconds and the queries of a GET."""

    name: str
    path: str
    seconds: list[float] = field(default_factory=list)
    queries: int = 0
    bytes: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "seconds": round(statistics.median(self.seconds), 3),
            "queries": self.queries,
            "bytes": self.bytes,
            "all_seconds": [round(s, 3) for s in self.seconds],
        }


def time_page(name: str, url: str, args: list[Any], user: User, repeat: int) -> PageTiming:
    """GET the page in this process (Django's test client, logged in as the user; one
    unmeasured request first): its whole response, template and all."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    path = reverse(url, args=args)
    timing = PageTiming(name=name, path=path)
    response = client.get(path)
    if response.status_code != 200:
        raise AssertionError(f"GET {path} answered {response.status_code}")
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            seconds, response = _timed(partial(client.get, path))
        timing.seconds.append(seconds)
        timing.queries = len(queries.captured_queries)
        timing.bytes = len(response.content)
    return timing


def measure_page(sized: Sized, repeat: int) -> PageTiming:
    """The service's pre-invoice page (the wizard's second step) as the provider's user opens it."""
    return time_page(
        "the pre-invoice page",
        "payments:invoice_pre",
        [sized.service.pk, sized.period.pk],
        sized.fixture.user,
        repeat,
    )


def profile_create(sized: Sized, limit: int = 30) -> str:
    """Where one invoice_create of every line spends its time: cProfile's top functions by own
    time and by cumulative time."""
    user = sized.fixture.user
    actual_ids = [line.actual_id for line in pre_invoice(user, sized.service, sized.period)]
    clear_invoices(sized)
    profiler = cProfile.Profile()
    profiler.enable()
    _create(sized, actual_ids, "BENCH-PROFILE")
    profiler.disable()
    clear_invoices(sized)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()
