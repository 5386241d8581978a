"""The provider's invoice pages: its invoices of every council it works for, the wizard that
raises one from a service's pre-invoice, an invoice with its lines and totals, and Edit, Delete
and Submit while the invoice is still the provider's to change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebridge.accounts.models import User
from carebridge.core.calendar import today
from carebridge.core.formats import guide_date
from carebridge.core.http import acting_user
from carebridge.core.idempotency import created_before, key_from_form
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.organisations.choices import PaymentMethod
from carebridge.organisations.focus import filter_data, names_a_stranger
from carebridge.payments import selectors, services
from carebridge.payments.access import invoice_for
from carebridge.payments.choices import InvoiceStatus
from carebridge.payments.filters import ProviderInvoiceFilters
from carebridge.payments.forms import ChoosePeriodForm, InvoiceForm
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.selectors import PreInvoiceLine
from carebridge.payments.selectors.provider import (
    Invoiceable,
    invoiceable,
    provider_list_choices,
    service_period_of,
)

# Why a pre-invoice has no lines: the council's payment rule, or nothing left to invoice.
NOT_ON_INVOICE = (
    "{council} does not pay this service's care on invoice: it pays from the confirmed "
    "actuals or on a schedule, so there is nothing to invoice here."
)
NOTHING_TO_INVOICE = (
    "Every week of this service's actuals in this period is on an invoice already, or none "
    "has been entered yet. Enter and confirm the period's actuals first."
)


def _provider(request: HttpRequest, *, edit: bool = False) -> User:
    """A provider's user whose role has invoices (to edit them, when `edit`); a council's user
    has the payments team's pages instead."""
    user = acting_user(request)
    require_function(user, Function.INVOICES, edit=edit)
    if user.provider_id is None:
        raise PermissionDenied
    return user


def _period_label(choice: Invoiceable) -> str:
    period = choice.period
    return (
        f"{choice.service.name}: {guide_date(period.start_date)} to "
        f"{guide_date(period.end_date)} ({period.council.name})"
    )


def _variation_url() -> str | None:
    """Where an over-exception line asks for a temporary CPLI, once that page exists."""
    try:
        return reverse("payments:variation_new")
    except NoReverseMatch:
        return None


@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    user = _provider(request)
    councils, services_ = provider_list_choices(user)
    # Its Council filter starts at the council a provider of several chose to look at.
    invoices = selectors.invoices_for(user)
    filters = ProviderInvoiceFilters(
        filter_data(request),
        invoices.none() if names_a_stranger(request) else invoices,
        councils=councils,
        services=services_,
    )
    page = page_of(request, filters.qs)
    totals = selectors.totals_of(invoice.pk for invoice in page.object_list)
    context = {
        "page": page,
        "rows": [
            (invoice, totals.get(invoice.pk, selectors.NO_TOTALS)) for invoice in page.object_list
        ],
        "filters": filters.form,
        "chosen": filters.chosen(),
        "can_create": can_edit(user.role, Function.INVOICES),
    }
    return render(request, "payments/invoice_list.html", context)


@require_GET
def invoice_new(request: HttpRequest) -> HttpResponse:
    """Step 1: the service and actuals period, chosen by GET so the step needs no state."""
    user = _provider(request, edit=True)
    choices = invoiceable(user)
    form = ChoosePeriodForm(
        # The form's hidden "choose" makes a Continue with nothing chosen a bound, wrong answer.
        request.GET if request.GET else None,
        choices=[(choice.value, _period_label(choice)) for choice in choices],
    )
    if form.is_bound and form.is_valid():
        chosen = next(c for c in choices if c.value == form.cleaned_data["period"])
        return redirect(
            "payments:invoice_pre", service_id=chosen.service.pk, period_id=chosen.period.pk
        )
    return render(request, "payments/invoice_new.html", {"form": form, "choices": choices})


def _why_empty(scope: Invoiceable) -> str:
    method = selectors.payment_method_of(scope.service, scope.period)
    if method != PaymentMethod.ON_INVOICE:
        return NOT_ON_INVOICE.format(council=scope.period.council.name)
    return NOTHING_TO_INVOICE


def _save_form(form: InvoiceForm, call: Any) -> Invoice | None:
    """Run a service with the form's data; its refusals go onto the form for the error summary."""
    try:
        made: Invoice = call(form.cleaned_data)
        return made
    except ValidationError as error:
        form.add_errors(error)
    except services.PaymentsRefused as refusal:
        form.add_error(None, refusal.message)
    return None


@require_http_methods(["GET", "POST"])
def invoice_pre(request: HttpRequest, service_id: int, period_id: int) -> HttpResponse:
    """Step 2: the pre-invoice, one row per CPLI week not yet invoiced, to tick, with the
    provider's reference and date; Create raises it once however often it is pressed."""
    user = _provider(request, edit=True)
    scope = service_period_of(user, service_id, period_id)
    if scope is None:
        raise Http404("No such service or period")
    if request.method == "POST":
        # A repeat of a Create already done (a double click, a resent form) shows that invoice:
        # its lines have left the pre-invoice, so the form would only say they cannot be ticked.
        done = created_before(key=key_from_form(request), purpose=services.INVOICE_CREATE)
        first = selectors.invoices_for(user).filter(pk=done).first() if done else None
        if first is not None:
            return redirect("payments:invoice_detail", pk=first.pk)
    lines = selectors.pre_invoice(user, scope.service, scope.period)
    form = InvoiceForm(
        request.POST if request.method == "POST" else None,
        line_ids=[line.actual_id for line in lines],
        initial={"invoice_date": today(), "lines": [line.actual_id for line in lines]},
    )
    if request.method == "POST" and lines and form.is_valid():
        invoice = _save_form(
            form,
            lambda data: services.invoice_create(
                by=user,
                service=scope.service,
                period=scope.period,
                reference=data["reference"],
                invoice_date=data["invoice_date"],
                actual_ids=data["lines"],
                idempotency_key=key_from_form(request),
            ),
        )
        if invoice is not None:
            messages.success(
                request,
                f"Invoice {invoice.reference} created. Check it, then submit it to "
                f"{scope.period.council.name}.",
            )
            return redirect("payments:invoice_detail", pk=invoice.pk)
    context = {
        "scope": scope,
        "lines": lines,
        "form": form,
        "ticked": _ticked(form),
        "why_empty": "" if lines else _why_empty(scope),
        "over_exception": any(line.over_exception for line in lines),
        "ask_url": _variation_url(),
    }
    return render(request, "payments/invoice_pre.html", context)


def _ticked(form: InvoiceForm) -> set[str]:
    """The ticked lines' ids as the page shows them: what was posted, else the initial ticks."""
    if "lines" not in form.fields:
        return set()
    if form.is_bound:
        return set(form.data.getlist("lines")) if hasattr(form.data, "getlist") else set()
    return {str(pk) for pk in form.initial.get("lines", [])}


def _may_change(user: User, invoice: Invoice) -> bool:
    return (
        user.provider_id == invoice.provider_id
        and can_edit(user.role, Function.INVOICES)
        and invoice.status == InvoiceStatus.UNSUBMITTED
    )


def _may_submit(user: User, invoice: Invoice) -> bool:
    return (
        user.provider_id == invoice.provider_id
        and can_edit(user.role, Function.INVOICES)
        and invoice.status in (InvoiceStatus.UNSUBMITTED, InvoiceStatus.RETURNED)
    )


def _detail(request: HttpRequest, user: User, invoice: Invoice, refusal: str = "") -> HttpResponse:
    services.invoice_viewed(invoice=invoice, by=user, ip=request.META.get("REMOTE_ADDR"))
    lines = list(selectors.invoice_lines(invoice))
    excl, vat, total = selectors.invoice_totals(invoice)
    may_submit = _may_submit(user, invoice)
    context = {
        "invoice": invoice,
        "lines": lines,
        "excl_vat": excl,
        "vat": vat,
        "total": total,
        "corrections": selectors.invoices_for(user).filter(corrects=invoice).order_by("pk"),
        "can_change": _may_change(user, invoice),
        "can_submit": may_submit,
        "submit_label": "Submit again"
        if invoice.status == InvoiceStatus.RETURNED
        else "Submit invoice",
        "over_exception": may_submit and any(line.over_exception for line in lines),
        "ask_url": _variation_url() if may_submit else None,
        "refusal": refusal,
    }
    return render(request, "payments/invoice_detail.html", context)


@require_GET
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _provider(request)
    return _detail(request, user, invoice_for(user, pk))


@require_POST
def invoice_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit (or, once returned, submit again); a refusal (a line over the exception) is shown
    on the invoice in the error summary."""
    user = _provider(request, edit=True)
    invoice = invoice_for(user, pk)
    submit = (
        services.invoice_resubmit
        if invoice.status == InvoiceStatus.RETURNED
        else services.invoice_submit
    )
    try:
        submitted = submit(by=user, invoice=invoice)
    except services.PaymentsRefused as refusal:
        return _detail(request, user, invoice, refusal.message)
    messages.success(
        request,
        f"Invoice {submitted.reference} submitted to {submitted.council.name}'s payments team.",
    )
    return redirect("payments:invoice_detail", pk=submitted.pk)


def _as_row(line: InvoiceLine) -> PreInvoiceLine:
    """One of the invoice's own lines, shown as a pre-invoice row to keep or untick."""
    assert line.actual is not None and line.cpli is not None
    return PreInvoiceLine(
        actual_id=line.actual.pk,
        cpli_id=line.cpli.pk,
        client=line.actual.service_user.full_name,
        ss_ref=line.actual.service_user.ss_ref,
        service_level=line.cpli.service_level.name,
        week_start=line.actual.week_start,
        quantity=line.quantity,
        rate=line.rate,
        amount=line.amount,
        vat_rate=line.vat_rate,
        over_exception=line.over_exception,
    )


@require_http_methods(["GET", "POST"])
def invoice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an Unsubmitted invoice: its reference, date and lines (its own, and the period's
    lines still on the pre-invoice); unticking a line removes it."""
    user = _provider(request, edit=True)
    invoice = invoice_for(user, pk)
    if invoice.status != InvoiceStatus.UNSUBMITTED:
        context = {"invoice": invoice, "refusal": services.NOT_UNSUBMITTED}
        return render(request, "payments/invoice_edit.html", context)
    own = list(selectors.invoice_lines(invoice))
    by_week = all(line.actual_id is not None for line in own)
    rows = [_as_row(line) for line in own] if by_week else []
    if by_week:
        rows += selectors.pre_invoice(user, invoice.service, invoice.period)
    form = InvoiceForm(
        request.POST if request.method == "POST" else None,
        line_ids=[row.actual_id for row in rows] if by_week else None,
        initial={
            "reference": invoice.reference,
            "invoice_date": invoice.invoice_date,
            "lines": [line.actual_id for line in own],
        },
    )
    if request.method == "POST" and form.is_valid():
        changed = _save_form(
            form,
            lambda data: services.invoice_update(
                by=user,
                invoice=invoice,
                reference=data["reference"],
                invoice_date=data["invoice_date"],
                actual_ids=data.get("lines"),
            ),
        )
        if changed is not None:
            messages.success(request, f"Invoice {changed.reference} changed.")
            return redirect("payments:invoice_detail", pk=changed.pk)
    else:
        services.invoice_viewed(invoice=invoice, by=user, ip=request.META.get("REMOTE_ADDR"))
    context = {
        "invoice": invoice,
        "lines": rows,
        "form": form,
        "ticked": _ticked(form),
        "over_exception": any(row.over_exception for row in rows),
        "ask_url": _variation_url(),
    }
    return render(request, "payments/invoice_edit.html", context)


@require_http_methods(["GET", "POST"])
def invoice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an Unsubmitted invoice, after a confirmation page: its weeks go back on the
    pre-invoice."""
    user = _provider(request, edit=True)
    invoice = invoice_for(user, pk)
    refusal = "" if invoice.status == InvoiceStatus.UNSUBMITTED else services.NOT_UNSUBMITTED
    if request.method == "POST" and not refusal:
        try:
            services.invoice_delete(by=user, invoice=invoice)
        except services.PaymentsRefused as refused:
            refusal = refused.message
        else:
            messages.success(
                request,
                f"Invoice {invoice.reference} deleted. Its lines are on the pre-invoice again.",
            )
            return redirect("payments:invoice_list")
    return render(request, "payments/invoice_delete.html", {"invoice": invoice, "refusal": refusal})
