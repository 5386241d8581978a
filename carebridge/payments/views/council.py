"""The council's payments team's pages: its invoice queue, an invoice with its lines and their
actuals, and its decisions on it (Authorise, Hold with a reason, Return with a reason), each a
confirmation page that POSTs to one service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.core.forms import GovForm
from carebridge.core.http import acting_user
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.payments import selectors, services
from carebridge.payments.access import invoice_for
from carebridge.payments.choices import TRANSITIONS, InvoiceEvent
from carebridge.payments.filters import CouncilQueueFilters
from carebridge.payments.models import Invoice
from carebridge.payments.services.invoices import CHANGED_SINCE_SEEN


class ReasonForm(GovForm):
    reason = forms.CharField(
        label="Reason",
        help_text="The provider reads this on the invoice.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reason, for the provider to read"},
    )


@dataclass(frozen=True)
class Decision:
    """A decision of the payments team on an invoice: its page, its button and its service."""

    event: InvoiceEvent
    title: str
    button: str
    done: str
    needs_reason: bool


DECISIONS = {
    "authorise": Decision(
        InvoiceEvent.AUTHORISE,
        "Authorise this invoice for payment",
        "Authorise invoice",
        "Invoice authorised for payment: the provider is told in its daily e-mail.",
        needs_reason=False,
    ),
    "hold": Decision(
        InvoiceEvent.HOLD,
        "Hold this invoice",
        "Hold invoice",
        "Invoice held: the provider sees your reason on the invoice.",
        needs_reason=True,
    ),
    "return": Decision(
        InvoiceEvent.RETURN,
        "Return this invoice to the provider",
        "Return invoice",
        "Invoice returned: the provider corrects it and submits it again.",
        needs_reason=True,
    ),
}


def seen_token(invoice: Invoice) -> str:
    """What a decision's page showed of the invoice: its last change, sent back with the
    decision."""
    return invoice.changed_at.isoformat()


def _officer(request: HttpRequest, *, edit: bool = False) -> User:
    """A council user whose role has the invoices function; a provider's user gets 403 (its own
    invoices are on its own pages)."""
    user = acting_user(request)
    require_function(user, Function.INVOICES, edit=edit)
    if user.council_id is None:
        raise PermissionDenied
    return user


@require_GET
def council_invoice_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    filters = CouncilQueueFilters(request.GET, selectors.council_queue(user), user=user)
    page = page_of(request, filters.qs)
    totals = selectors.totals_of(invoice.pk for invoice in page.object_list)
    return render(
        request,
        "payments/council/invoice_list.html",
        {
            "page": page,
            "rows": [
                (invoice, totals.get(invoice.pk, selectors.NO_TOTALS))
                for invoice in page.object_list
            ],
            "filters": filters.form,
            "chosen": filters.chosen(),
        },
    )


def _download_links(invoice: Invoice) -> list[tuple[str, str]]:
    """The invoice's PDF and CSV, where the provider's pages offer them."""
    links = []
    for name, label in (("payments:invoice_pdf", "PDF"), ("payments:invoice_csv", "CSV")):
        try:
            links.append((reverse(name, args=[invoice.pk]), label))
        except NoReverseMatch:
            continue
    return links


def _detail_context(user: User, invoice: Invoice) -> dict[str, Any]:
    excl, vat, total = selectors.invoice_totals(invoice)
    offered = (
        TRANSITIONS.events_from(invoice.status) if can_edit(user.role, Function.INVOICES) else []
    )
    return {
        "invoice": invoice,
        "lines": list(selectors.invoice_lines(invoice)),
        "excl_vat": excl,
        "vat": vat,
        "total": total,
        "decisions": [(slug, d) for slug, d in DECISIONS.items() if d.event in offered],
        "downloads": _download_links(invoice),
    }


def _viewed(request: HttpRequest, user: User, invoice: Invoice) -> None:
    # The lines name the provider's clients: every view is audited.
    services.invoice_viewed(invoice=invoice, by=user, ip=request.META.get("REMOTE_ADDR"))


@require_GET
def council_invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    invoice = invoice_for(user, pk)
    _viewed(request, user, invoice)
    return render(request, "payments/council/invoice_detail.html", _detail_context(user, invoice))


def _decide(decision: Decision, user: User, invoice: Invoice, reason: str) -> Invoice:
    # As seen: the page's token matched this very read of the invoice.
    if decision.event == InvoiceEvent.AUTHORISE:
        return services.invoice_authorise(by=user, invoice=invoice, as_seen=True)
    if decision.event == InvoiceEvent.HOLD:
        return services.invoice_hold(by=user, invoice=invoice, reason=reason, as_seen=True)
    return services.invoice_return(by=user, invoice=invoice, reason=reason, as_seen=True)


@require_http_methods(["GET", "POST"])
def council_invoice_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = _officer(request, edit=True)
    invoice = invoice_for(user, pk)
    chosen = DECISIONS.get(decision)
    if chosen is None:
        raise Http404("No such decision")
    back = redirect("payments:council_invoice_detail", pk=invoice.pk)
    if chosen.event not in TRANSITIONS.events_from(invoice.status):
        messages.error(request, services.MOVE_REFUSED[chosen.event])
        return back
    if request.method == "POST" and request.POST.get("seen") != seen_token(invoice):
        # Someone decided on it (or the provider resubmitted it) since this officer's page showed
        # it: they look again rather than decide on what they did not see.
        messages.error(request, CHANGED_SINCE_SEEN)
        return back
    data = request.POST if request.method == "POST" else None
    form = ReasonForm(data) if chosen.needs_reason else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            _decide(chosen, user, invoice, form.cleaned_data["reason"] if form else "")
        except ValidationError as error:
            assert form is not None
            form.add_errors(error)
        except services.PaymentsRefused as refusal:
            messages.error(request, refusal.message)
            return back
        else:
            messages.success(request, chosen.done)
            return back
    _viewed(request, user, invoice)
    context = _detail_context(user, invoice)
    context.update(decision=chosen, form=form, seen=seen_token(invoice))
    return render(request, "payments/council/invoice_decide.html", context)
