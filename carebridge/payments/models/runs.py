"""Payment runs: what a council pays for one billing period, line by line, each line traceable
to its source (an invoice line, a confirmed actual, a scheduled block, a one-off claim, a payment
exception or a balance brought forward), prepared by one payments officer and approved by
another before it is finalised (docs/decisions/0011-payment-runs.md)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from carebridge.actuals.models import Actual, Period
from carebridge.contracts.models import Cpli
from carebridge.organisations.models import Contract, Council, Provider, Service
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models.invoices import Invoice, InvoiceLine, OneOffClaim
from carebridge.people.models import ServiceUser

_LIVE = ~models.Q(status=RunStatus.DISCARDED)
_OPEN = models.Q(status__in=[RunStatus.PREPARED, RunStatus.APPROVED])


def _adds_up() -> models.Q:
    """Total = Excl VAT + VAT. Within a tenth of a penny, since SQLite compares the sum of two
    decimals as floating point (1085.95 is not 904.96 + 180.99 there); PostgreSQL's numeric is
    exact, and every amount is rounded to the penny before it is written."""
    added = models.F("excl_vat") + models.F("vat")
    slack = models.Value(Decimal("0.001"))
    return models.Q(total__gt=added - slack) & models.Q(total__lt=added + slack)


def _money(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2)


class PaymentRun(models.Model):
    """A council's payment run for one billing period (one of its actuals periods)."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="payment_runs")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="payment_runs")
    reference = models.CharField(max_length=30)
    payment_date = models.DateField()
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.PREPARED)
    prepared_at = models.DateTimeField()
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["council", "-period__start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RunStatus.values), name="payment_run_status_known"
            ),
            models.UniqueConstraint(
                fields=["council", "reference"], name="payment_run_reference_unique_in_council"
            ),
            # Two runs never pay the same period, and a council has one run in hand at a time,
            # so no two runs can hold the same line (see also PaymentLine's constraints).
            models.UniqueConstraint(
                fields=["council", "period"], condition=_LIVE, name="payment_run_one_per_period"
            ),
            models.UniqueConstraint(
                fields=["council"], condition=_OPEN, name="payment_run_one_open_per_council"
            ),
            # The officer who prepared a run cannot approve it.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("prepared_by")),
                name="payment_run_approved_by_a_second_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment run {self.reference}"


class PaymentException(models.Model):
    """An adjustment due for something already paid that has changed since (an amended actual,
    a scheduled line's rate or end date): positive to pay more, negative to recover. The next
    run pays it once."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="payment_exceptions"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    service_user = models.ForeignKey(ServiceUser, on_delete=models.PROTECT, related_name="+")
    cpli = models.ForeignKey(Cpli, on_delete=models.PROTECT, related_name="payment_exceptions")
    # The self-billed week it corrects; empty for a scheduled block.
    actual = models.ForeignKey(
        Actual, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    covers_from = models.DateField()
    covers_to = models.DateField()
    reason = models.CharField(max_length=300)
    excl_vat = _money("Excl VAT")
    vat = _money("VAT")
    total = _money("Total")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_adds_up(),
                name="payment_exception_total_adds_up",
            ),
            models.CheckConstraint(condition=~models.Q(total=0), name="payment_exception_not_zero"),
        ]
        indexes = [models.Index(fields=["council", "provider"])]

    def __str__(self) -> str:
        return f"Payment exception {self.pk}"


class PaymentLine(models.Model):
    """One amount a run pays a provider, with the one source it comes from. A source is paid
    by one line at most (the constraints below): a discarded run's lines are deleted, so what
    it held can be paid by the next."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="lines")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="payment_lines")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=20, choices=LineSource.choices)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cpli = models.ForeignKey(
        Cpli, on_delete=models.PROTECT, null=True, blank=True, related_name="payment_lines"
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="payment_lines"
    )
    invoice_line = models.ForeignKey(
        InvoiceLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actual = models.ForeignKey(
        Actual, on_delete=models.PROTECT, null=True, blank=True, related_name="payment_lines"
    )
    claim = models.ForeignKey(
        OneOffClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exception = models.ForeignKey(
        PaymentException, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    # On a balance brought forward: the carried-forward line of an earlier run it recovers.
    # DO_NOTHING, not PROTECT: discarding a run deletes its lines in one statement instead of
    # Django collecting tens of thousands of them first. Only a finalised run's carried-forward
    # line is ever brought forward, and a finalised run is never discarded; the database's own
    # foreign key still refuses deleting a line that is.
    brought_forward_from = models.ForeignKey(
        "self", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    # The days the amount is for: a week, a scheduled block, an invoice's or claim's period.
    covers_from = models.DateField()
    covers_to = models.DateField()
    description = models.CharField(max_length=200)
    excl_vat = _money("Excl VAT")
    vat = _money("VAT")
    total = _money("Total")

    class Meta:
        ordering = ["run", "provider", "contract", "service_user", "covers_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=LineSource.values),
                name="payment_line_source_known",
            ),
            models.CheckConstraint(
                condition=_adds_up(),
                name="payment_line_total_adds_up",
            ),
            models.UniqueConstraint(
                fields=["actual"],
                condition=models.Q(source=LineSource.ACTUAL),
                name="payment_line_pays_an_actual_once",
            ),
            models.UniqueConstraint(
                fields=["invoice_line"],
                condition=models.Q(source=LineSource.INVOICE_LINE),
                name="payment_line_pays_an_invoice_line_once",
            ),
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(source=LineSource.CLAIM),
                name="payment_line_pays_a_claim_once",
            ),
            models.UniqueConstraint(
                fields=["exception"],
                condition=models.Q(source=LineSource.EXCEPTION),
                name="payment_line_pays_an_exception_once",
            ),
            models.UniqueConstraint(
                fields=["cpli", "covers_from"],
                condition=models.Q(source=LineSource.SCHEDULE),
                name="payment_line_pays_a_scheduled_block_once",
            ),
            models.UniqueConstraint(
                fields=["brought_forward_from"],
                condition=models.Q(source=LineSource.BROUGHT_FORWARD),
                name="payment_line_recovers_a_balance_once",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "provider"]),
            models.Index(fields=["provider", "council"]),
            models.Index(fields=["service_user", "covers_from"]),
        ]

    def __str__(self) -> str:
        return f"Payment line {self.pk} of run {self.run_id}"
