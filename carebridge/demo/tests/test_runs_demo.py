"""The demo's payment runs: at both councils the older periods paid and payment-processed by
finalised runs (prepared by the second payments officer, approved and finalised by the first);
at Northshire the newest period past its deadline prepared and waiting for the first officer,
carrying the payment exceptions of an order ended after its block was paid on schedule, the
block contract the only one paid on schedule; every contract and service level with its finance
code; and seeding again adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum

from carebridge.accounts.models import User
from carebridge.actuals.models import Period
from carebridge.audit.models import Event
from carebridge.contracts.choices import DocumentKind, DocumentStatus
from carebridge.contracts.models import ContractDocument, ServiceLevel
from carebridge.core.calendar import is_working_day, now, today
from carebridge.demo.demo import seed_demo
from carebridge.organisations.deadlines import actuals_confirm_by
from carebridge.organisations.models import Contract, Council, PaymentRule
from carebridge.payments.choices import ClaimStatus, InvoiceStatus, LineSource, RunStatus
from carebridge.payments.models import (
    Invoice,
    OneOffClaim,
    PaymentException,
    PaymentLine,
    PaymentRun,
)
from carebridge.payments.selectors.prompt_payment import runs_to_approve
from carebridge.payments.selectors.run_sources import block_of, scheduled_amount
from carebridge.payments.selectors.runs import missing_finance_codes

pytestmark = pytest.mark.django_db

R = RunStatus
DAY = timedelta(days=1)


def _newest_past_deadline(council: Council) -> Period:
    book = council.rulebook
    moment = now()
    return max(
        (
            period
            for period in Period.objects.filter(council=council, end_date__lt=today())
            if actuals_confirm_by(book, period.end_date) < moment
        ),
        key=lambda period: period.start_date,
    )


@pytest.mark.parametrize("slug", ["northshire", "westbrook"])
def test_older_periods_are_paid_by_runs_two_officers_finalised(slug):
    seed_demo()
    council = Council.objects.get(slug=slug)
    finalised = PaymentRun.objects.filter(council=council, status=R.FINALISED).select_related(
        "period", "prepared_by", "approved_by", "finalised_by"
    )
    assert finalised.count() >= 2
    newest = _newest_past_deadline(council)
    for run in finalised:
        assert run.prepared_by.email == f"payments2@{slug}.example"
        assert run.approved_by.email == run.finalised_by.email == f"payments@{slug}.example"
        assert run.period.end_date < newest.start_date
        assert run.period.payment_processed_by_id == run.finalised_by_id
        assert run.lines.exists() and is_working_day(run.payment_date)
        assert run.payment_date >= run.finalised_at.date()
        actions = set(
            Event.objects.filter(
                object_type="payments.paymentrun", object_id=str(run.pk)
            ).values_list("action", flat=True)
        )
        assert actions == {
            "payment_run.prepare",
            "payment_run.approve",
            "payment_run.finalise",
        }
    # A period is processed by its run only: none without one, and not the newest (disputed).
    processed = Period.objects.filter(council=council, payment_processed_at__isnull=False)
    assert set(processed.values_list("pk", flat=True)) == {run.period_id for run in finalised}
    assert not newest.is_paid
    # Westbrook self-bills its confirmed actuals; Northshire pays on invoice and on schedule.
    sources = set(PaymentLine.objects.filter(run__in=finalised).values_list("source", flat=True))
    expected = {
        "westbrook": {LineSource.ACTUAL},
        "northshire": {LineSource.INVOICE_LINE, LineSource.SCHEDULE},
    }
    assert sources == expected[slug]
    for run in finalised:
        assert not missing_finance_codes(run)


def test_northshire_has_one_run_waiting_for_the_first_officer_carrying_an_adjustment():
    seed_demo()
    waiting = PaymentRun.objects.exclude(status__in=[R.FINALISED, R.DISCARDED]).get()
    council = waiting.council
    assert council.slug == "northshire" and waiting.status == R.PREPARED
    assert waiting.period == _newest_past_deadline(council)
    assert waiting.approved_by is None and waiting.payment_date > today()
    preparer = User.objects.get(email="payments2@northshire.example")
    approver = User.objects.get(email="payments@northshire.example")
    assert waiting.prepared_by == preparer
    assert runs_to_approve(approver) == [waiting]
    assert runs_to_approve(preparer) == []

    # An order paid on schedule, ended on the last day of the period's first week after its
    # block was paid in advance: each line's exception is on the waiting run.
    last_day = waiting.period.start_date + 6 * DAY
    exceptions = list(PaymentException.objects.select_related("cpli__service_level"))
    assert exceptions and all(e.council_id == council.pk and e.total < 0 for e in exceptions)
    assert set(
        waiting.lines.filter(source=LineSource.EXCEPTION).values_list("exception_id", flat=True)
    ) == {e.pk for e in exceptions}
    book = council.rulebook
    for exception in exceptions:
        cpli = exception.cpli
        assert cpli.end_date == last_day
        start = block_of(book, last_day)
        end = start + timedelta(weeks=book.scheduled_payment_weeks) - DAY
        paid = PaymentLine.objects.filter(
            run__status=R.FINALISED,
            source=LineSource.SCHEDULE,
            cpli=cpli,
            covers_from__gte=start,
            covers_from__lte=end,
        ).aggregate(t=Sum("excl_vat"))["t"]
        # What was paid for the block and its exception net to what the block is worth now.
        worth = scheduled_amount(cpli, start, end, book.actuals_week_start)
        assert paid + exception.excl_vat == worth
    order = exceptions[0].cpli.document
    termination = ContractDocument.objects.get(terminates=order, kind=DocumentKind.TERMINATION)
    assert termination.status == DocumentStatus.AGREED and termination.end_date == last_day

    # The one-off claim's invoice, authorised, is paid by the waiting run if its period is
    # the run's (or an earlier one), else by a later run; not Paid yet either way.
    claim = OneOffClaim.objects.get(status=ClaimStatus.INVOICED)
    assert claim.invoice.status == InvoiceStatus.AUTHORISED
    on_run = claim.invoice.period.end_date <= waiting.period.end_date
    assert waiting.lines.filter(invoice=claim.invoice).exists() == on_run
    # The older period's authorised invoice was paid by its run, on the run's payment date.
    by_run = Invoice.objects.filter(
        status=InvoiceStatus.PAID, payment_lines__isnull=False
    ).distinct()
    assert by_run.exists()
    for invoice in by_run:
        run = invoice.payment_lines.first().run
        assert run.status == R.FINALISED and invoice.paid_on == run.payment_date


def test_one_block_contract_is_paid_on_schedule_and_every_finance_code_is_set():
    seed_demo()
    rule = PaymentRule.objects.get(council__slug="northshire", contract_type="block_2015")
    assert rule.payment_method == "on_schedule"
    schedule = PaymentLine.objects.filter(source=LineSource.SCHEDULE).select_related(
        "council__rulebook"
    )
    assert schedule.count() > 10
    assert set(schedule.values_list("contract__reference", flat=True)) == {"NS/HC/2025/022"}
    for line in schedule:
        book = line.council.rulebook
        # Each line is one CPLI's days in one 4-week block.
        assert block_of(book, line.covers_from) == block_of(book, line.covers_to)
    assert not Contract.objects.filter(supplier_reference="").exists()
    assert not ServiceLevel.objects.filter(cost_centre="").exists()


def test_seeding_again_adds_no_runs():
    seed_demo()
    models = (PaymentRun, PaymentLine, PaymentException, ContractDocument, User)
    before = {model.__name__: model.objects.count() for model in models}
    events = Event.objects.filter(action__startswith="payment_run.").count()
    again = seed_demo()
    assert {model.__name__: model.objects.count() for model in models} == before
    assert Event.objects.filter(action__startswith="payment_run.").count() == events
    assert again["created"] == {}
    assert again["existing"]["payment run stories"] == 2
