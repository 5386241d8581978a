"""The access matrix's payment-run part: another council's finalised payment run paying the other
provider (an authorised invoice of the week before last but one, so the matrix's other objects
keep their states), made through the run services with two of that council's payments officers,
and the entries of the payment-run and remittance URLs that take it."""

from __future__ import annotations

from datetime import date
from typing import Any

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Period
from carebridge.actuals.periods import WEEK
from carebridge.core.calendar import add_working_days, today
from carebridge.organisations.models import Council, Service
from carebridge.payments import services as payments
from carebridge.payments.choices import RunStatus
from carebridge.payments.selectors import pre_invoice
from tests.access_entry import Entry
from tests.support import make_user

PAID_REFERENCE = "QX-INV-PAID"
APPROVER_EMAIL = "quill.approver@example.org"
MARKERS = [PAID_REFERENCE, APPROVER_EMAIL]


def build_runs(
    *,
    council: Council,
    officer: User,
    provider_user: User,
    service: Service,
    last_week: date,
) -> dict[str, Any]:
    """The others' finalised run (the World's `other_run`): prepared and finalised by `officer`,
    approved by a second officer of theirs, paying the other provider's invoice of one week."""
    week = last_week - 2 * WEEK
    actuals.actuals_generate(provider_user, weeks=[week])
    period = Period.objects.get(council=council, start_date__lte=week, end_date__gte=week)
    line = next(
        line for line in pre_invoice(provider_user, service, period) if line.week_start == week
    )
    invoice = payments.invoice_create(
        by=provider_user,
        service=service,
        period=period,
        reference=PAID_REFERENCE,
        invoice_date=today(),
        actual_ids=[line.actual_id],
    )
    invoice = payments.invoice_submit(by=provider_user, invoice=invoice)
    payments.invoice_authorise(by=officer, invoice=invoice)
    approver = make_user(council=council, role="payments_officer", email=APPROVER_EMAIL)
    run = payments.run_prepare(by=officer, period=period, payment_date=add_working_days(today(), 1))
    run = payments.run_approve(by=approver, run=run)
    run = payments.run_finalise(by=officer, run=run)
    assert run.status == RunStatus.FINALISED and run.lines.exists(), "the run pays nothing"
    return {"other_run": run}


REGISTRY: dict[str, Entry] = {
    # The council's payments officers: their run's page, each decision's page (a finalised run
    # shows why it cannot be approved again) and its finance export.
    **{
        f"payments:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_run.pk}, owner=lambda w: w.other_payments_officer
        )
        for name in ("run_detail", "run_export")
    },
    "payments:run_decide": Entry(
        kwargs=lambda w: {"pk": w.other_run.pk, "decision": "approve"},
        owner=lambda w: w.other_payments_officer,
        more=tuple({"decision": slug} for slug in ("finalise", "discard", "prepare-again")),
    ),
    # The provider's remittance advice of the run (its council's payments officers open it too).
    **{
        f"payments:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_run.pk, "provider_pk": w.other_provider.pk},
            owner=lambda w: w.other_provider_user,
        )
        for name in ("remittance_detail", "remittance_pdf", "remittance_csv")
    },
}
