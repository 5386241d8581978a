"""Actions about an invoice (Norfolk's guide, section 12: "Selecting Invoice will allow you to
select any invoices that you have created in the Portal"). Actions sits below payments and never
names an invoice: the action keeps the invoice's id (Action.related_id), and payments answers
which invoices a new action may be about and what an action's "Re:" says and links to
(both through core.related_to), always through invoices_for, so nobody is offered or shown another
provider's invoice or another council's."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from django.urls import reverse

from carebridge.actions.models import Action
from carebridge.core.formats import guide_date
from carebridge.core.permissions import Function, can_view
from carebridge.core.related_to import RelatedTo
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import invoices_for

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.organisations.models import Council


def _may_read(user: User) -> bool:
    return can_view(user.role, Function.INVOICES)


def _label(invoice: Invoice) -> str:
    return (
        f"{invoice.get_kind_display()} {invoice.reference}, {invoice.service.name}, "
        f"{guide_date(invoice.invoice_date)}"
    )


def invoice_choices(user: User, council: Council, provider_id: int) -> list[tuple[int, str]]:
    """The invoices an action between this council and provider may be about, newest first:
    those of the provider with this council that the user may see (a provider's own, a council
    officer's submitted ones); none for a role that does not see invoices."""
    if not _may_read(user):
        return []
    invoices = (
        invoices_for(user)
        .filter(council=council, provider_id=provider_id)
        .order_by("-invoice_date", "-pk")
    )
    return [(invoice.pk, _label(invoice)) for invoice in invoices]


def _page(user: User, invoice: Invoice) -> str:
    if user.provider_id is not None:
        return reverse("payments:invoice_detail", args=[invoice.pk])
    return reverse("payments:council_invoice_detail", args=[invoice.pk])


def related_to_actions(user: User, action_ids: Collection[int]) -> dict[int, RelatedTo]:
    """core.related_to's source for actions about an invoice: "Invoice INV-12, <service>,
    <date> (Invoice)", linking to the invoice's page for a user who may see it; an invoice the
    user may not see (a council officer and a provider's draft) is named without its link. Three
    queries for all the actions shown, whatever their number."""
    held = dict(
        Action.objects.filter(pk__in=list(action_ids), related_id__isnull=False).values_list(
            "pk", "related_id"
        )
    )
    if not held:
        return {}
    invoices = Invoice.objects.select_related("service").in_bulk(set(held.values()))
    visible: set[int] = set()
    if _may_read(user):
        visible = set(invoices_for(user).filter(pk__in=list(invoices)).values_list("pk", flat=True))
    found: dict[int, RelatedTo] = {}
    for action_id, invoice_id in held.items():
        invoice = invoices.get(invoice_id)
        if invoice is None:
            continue
        url = _page(user, invoice) if invoice.pk in visible else ""
        found[action_id] = RelatedTo(label=f"{_label(invoice)} (Invoice)", url=url)
    return found
