"""The daily summary's sections about payments, for a provider's users: its invoices and credit
notes that the council's payments team held, returned or authorised, as its invoice pages show
them; its scheduled payments in runs approved or finalised that day (Scheduled Payments); and
the payment exceptions created for it that day (Payments Exceptions)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, Sum

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.formats import guide_date, money
from carebridge.core.permissions import Function, can_view
from carebridge.notifications.digest import DigestLine, digest_section_register
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import site_link
from carebridge.payments.choices import InvoiceEvent, LineSource, RunStatus
from carebridge.payments.models import Invoice, PaymentException, PaymentRun
from carebridge.payments.selectors import invoices_for

# The payments team's decisions a provider hears of, and the words for each.
DECISIONS = {
    f"invoice.{InvoiceEvent.HOLD}": "held",
    f"invoice.{InvoiceEvent.RETURN}": "returned to you",
    f"invoice.{InvoiceEvent.AUTHORISE}": "authorised",
}
# The provider's page of an invoice (the provider's invoice pages).
INVOICE_PAGE = "payments:invoice_detail"


def _digest_invoices(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    """Each decision in the window on an invoice or credit note of the user's provider, in the
    order they were made; the reason is on the invoice's page, behind the log-in."""
    if user.provider_id is None or not can_view(user.role, Function.INVOICES):
        return []
    decided = list(
        Event.objects.filter(
            provider_id=user.provider_id,
            object_type=Invoice._meta.label_lower,
            action__in=DECISIONS,
            at__gte=since,
            at__lt=until,
        )
        .order_by("at", "pk")
        .values_list("object_id", "action")
    )
    invoices = invoices_for(user).in_bulk([int(pk) for pk, _action in decided])
    return [
        DigestLine(
            f"{invoice.get_kind_display()} {invoice.reference} ({invoice.service.name}): "
            f"{DECISIONS[action]}",
            site_link(INVOICE_PAGE, invoice.pk),
        )
        for pk, action in decided
        if (invoice := invoices.get(int(pk))) is not None
    ]


def _digest_scheduled_payments(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    """Each run approved or finalised in the window that pays the user's provider scheduled
    payments: its council, billing period and the total of those payments, as the scheduled
    payments page shows them (a run approved and finalised the same day is said once,
    finalised)."""
    if user.provider_id is None or not can_view(user.role, Function.SCHEDULED_PAYMENTS):
        return []
    runs = (
        PaymentRun.objects.filter(
            Q(approved_at__gte=since, approved_at__lt=until)
            | Q(finalised_at__gte=since, finalised_at__lt=until),
            status__in=[RunStatus.APPROVED, RunStatus.FINALISED],
            lines__provider_id=user.provider_id,
            lines__source=LineSource.SCHEDULE,
        )
        # The sum runs over the lines the filter joined: the provider's scheduled ones only.
        .annotate(scheduled=Sum("lines__total"))
        .select_related("council", "period")
        .order_by("council__name", "period__start_date", "pk")
    )
    link = site_link("payments:scheduled_list")
    return [
        DigestLine(
            f"{run.council.name}, {guide_date(run.period.start_date)} to "
            f"{guide_date(run.period.end_date)}: {money(run.scheduled)}, "
            + (
                f"finalised (paid on {guide_date(run.payment_date)})"
                if run.status == RunStatus.FINALISED
                else f"approved (to be paid on {guide_date(run.payment_date)})"
            ),
            link,
        )
        for run in runs
    ]


def _digest_payment_exceptions(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    """Each payment exception created for the user's provider in the window: its council, the
    client (by SS Ref: the summary leaves the portal, so it names no one), the days it corrects
    and the amount the next run pays or recovers."""
    if user.provider_id is None or not (
        can_view(user.role, Function.INVOICES) or can_view(user.role, Function.SCHEDULED_PAYMENTS)
    ):
        return []
    exceptions = (
        PaymentException.objects.filter(
            provider_id=user.provider_id, created_at__gte=since, created_at__lt=until
        )
        .select_related("council", "service_user")
        .order_by("created_at", "pk")
    )
    link = site_link("payments:remittance_list")
    return [
        DigestLine(
            f"{exception.council.name}, client {exception.service_user.ss_ref}, "
            f"{guide_date(exception.covers_from)} to {guide_date(exception.covers_to)}: "
            f"{money(exception.total)} "
            f"{'to pay' if exception.total > 0 else 'to recover'} in the next payment run",
            link,
        )
        for exception in exceptions
    ]


def register_digest_sections() -> None:
    digest_section_register(
        NotificationKind.DAILY_INVOICES, "Invoices/Credit Notes", _digest_invoices
    )
    digest_section_register(
        "daily_scheduled_payments", "Scheduled Payments", _digest_scheduled_payments
    )
    digest_section_register(
        "daily_payment_exceptions", "Payments Exceptions", _digest_payment_exceptions
    )
