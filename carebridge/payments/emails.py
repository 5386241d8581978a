"""The daily summary's section about invoices: the provider's invoices and credit notes that the
council's payments team held, returned or authorised, as the provider's invoice pages show them."""

from __future__ import annotations

from datetime import datetime

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.permissions import Function, can_view
from carebridge.notifications.digest import DigestLine, digest_section_register
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import site_link
from carebridge.payments.choices import InvoiceEvent
from carebridge.payments.models import Invoice
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


def register_digest_sections() -> None:
    digest_section_register(
        NotificationKind.DAILY_INVOICES, "Invoices/Credit Notes", _digest_invoices
    )
