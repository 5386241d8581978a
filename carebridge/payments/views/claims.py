"""The pages of one-off claims. The provider's: its claims, a new claim, a claim with its client
items, provider items and files, and Update, Submit claim and Delete claim while it is
Unsubmitted, and Create invoice (at contract level) once it is approved. The payments team's:
its queue of submitted claims, a claim, and Approve or Reject. A step the claim's state does not
allow shows why, on its page. Every write is a service in payments.services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebridge.accounts.models import User
from carebridge.core.calendar import today
from carebridge.core.formats import money
from carebridge.core.forms import GovForm
from carebridge.core.http import acting_user
from carebridge.core.idempotency import created_before, key_from_form
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit, can_view, require_function
from carebridge.organisations.focus import filter_data, names_a_stranger
from carebridge.organisations.models import Council, Provider, Service
from carebridge.payments import selectors, services
from carebridge.payments.access import claim_attachment_for, claim_for
from carebridge.payments.choices import CLAIM_TRANSITIONS, ClaimEvent, ClaimStatus
from carebridge.payments.filters_claims import ClaimFilters
from carebridge.payments.forms import InvoiceForm
from carebridge.payments.forms_claims import (
    ClaimFileForm,
    ClaimForm,
    ClientItemForm,
    DecisionForm,
    ProviderItemForm,
)
from carebridge.payments.models import Invoice, OneOffClaim
from carebridge.payments.services.claims import REMOVABLE

M = TypeVar("M")

# The payments team's decisions: (event, title, button, what the page says when done).
DECISIONS = {
    "approve": (
        ClaimEvent.APPROVE,
        "Approve this claim",
        "Approve claim",
        "Claim approved: the provider is told on an action, and can now invoice it.",
    ),
    "reject": (
        ClaimEvent.REJECT,
        "Reject this claim",
        "Reject claim",
        "Claim rejected: the provider reads your reason on an action and on the claim.",
    ),
}


class ConfirmForm(GovForm):
    """A confirmation with no fields: its refusals show in the error summary."""


def _user(request: HttpRequest, *, edit: bool = False) -> User:
    user = acting_user(request)
    require_function(user, Function.ONE_OFF_CLAIMS, edit=edit)
    return user


def _provider(request: HttpRequest, *, edit: bool = False) -> User:
    """A provider's user whose role has one-off claims (to change them, when `edit`)."""
    user = _user(request, edit=edit)
    if user.provider_id is None:
        raise PermissionDenied
    return user


def _officer(request: HttpRequest, *, edit: bool = False) -> User:
    """A council's user whose role has one-off claims: the payments team."""
    user = _user(request, edit=edit)
    if user.council_id is None:
        raise PermissionDenied
    return user


def _carried_out(form: GovForm, call: Callable[[], M]) -> M | None:
    """Run a service; its errors and refusals go onto the form for the error summary."""
    try:
        return call()
    except ValidationError as error:
        form.add_errors(error)
    except services.PaymentsRefused as refusal:
        form.add_error(None, refusal.message)
    return None


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _list(request: HttpRequest, user: User, *, council_side: bool) -> HttpResponse:
    claims = selectors.claims_for(user)
    # A provider's Council filter starts at the council it chose to look at, if it has.
    data = filter_data(request, "organisation")
    if names_a_stranger(request, "organisation"):
        claims = claims.none()
    if council_side:
        # The payments team's queue: submitted claims, oldest first, until it chooses others.
        data.setdefault("status", ClaimStatus.SUBMITTED)
        claims = claims.order_by("changed_at", "pk")
        others: QuerySet[Any] = Provider.objects.filter(pk__in=claims.values("provider_id"))
    else:
        others = Council.objects.filter(pk__in=claims.values("council_id"))
    offered = Service.objects.filter(pk__in=claims.values("service_id")).order_by("name", "pk")
    filters = ClaimFilters(
        data,
        claims,
        council_side=council_side,
        organisations=list(others.order_by("name", "pk").values_list("pk", "name")),
        services=list(offered.values_list("pk", "name")),
    )
    page = page_of(request, filters.qs)
    totals = selectors.claim_totals_of(claim.pk for claim in page.object_list)
    context = {
        "page": page,
        "rows": [(claim, totals.get(claim.pk)) for claim in page.object_list],
        "filters": filters.form,
        "chosen": filters.chosen(),
        "council_side": council_side,
        "can_create": not council_side
        and can_edit(user.role, Function.ONE_OFF_CLAIMS)
        and bool(selectors.claim_dates_for(user)),
    }
    return render(request, "payments/claims/list.html", context)


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    return _list(request, _provider(request), council_side=False)


@require_GET
def council_claim_list(request: HttpRequest) -> HttpResponse:
    return _list(request, _officer(request), council_side=True)


@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest) -> HttpResponse:
    user = _provider(request, edit=True)
    dates = selectors.claim_dates_for(user)
    offered = list(selectors.claim_services_for(user))
    form = ClaimForm(
        request.POST if request.method == "POST" else None,
        services=[(service.pk, service.name) for service in offered],
        dates=dates.choices(),
    )
    if request.method == "POST" and dates and form.is_valid():
        data = form.cleaned_data
        claim = _carried_out(
            form,
            lambda: services.claim_create(
                by=user,
                service=next(s for s in offered if s.pk == data["service"]),
                period=next(p for p in dates.periods if p.pk == data["period"]),
                notes=data["notes"],
                idempotency_key=key_from_form(request),
            ),
        )
        if claim is not None:
            messages.success(request, "Claim created: now add its client and provider items.")
            return redirect("payments:claim_detail", pk=claim.pk)
    return render(request, "payments/claims/new.html", {"form": form, "dates": dates})


def _invoice_url(user: User, invoice: Invoice | None) -> str | None:
    if invoice is None:
        return None
    if user.provider_id is not None:
        return reverse("payments:invoice_detail", args=[invoice.pk])
    if selectors.invoices_for(user).filter(pk=invoice.pk).exists():
        return reverse("payments:council_invoice_detail", args=[invoice.pk])
    return None


def _claim_context(user: User, claim: OneOffClaim) -> dict[str, Any]:
    """The claim as its pages show it: its items, files and total payable."""
    return {
        "claim": claim,
        "client_items": list(
            claim.client_items.select_related("service_user", "cpli__service_level")
        ),
        "provider_items": list(claim.provider_items.all()),
        "files": list(claim.attachments.all()),
        "total": selectors.claim_total(claim),
        "is_council": user.council_id is not None,
    }


def _may_change(user: User, claim: OneOffClaim) -> bool:
    return (
        user.provider_id == claim.provider_id
        and can_edit(user.role, Function.ONE_OFF_CLAIMS)
        and claim.status == ClaimStatus.UNSUBMITTED
    )


def _may_invoice(user: User, claim: OneOffClaim) -> bool:
    return (
        user.provider_id == claim.provider_id
        and can_edit(user.role, Function.INVOICES)
        and claim.status == ClaimStatus.APPROVED
    )


@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    claim = claim_for(user, pk)
    # The client items name the provider's clients: every view is audited.
    services.claim_viewed(by=user, claim=claim, ip=_ip(request))
    context = _claim_context(user, claim)
    decide = (
        user.council_id is not None
        and can_edit(user.role, Function.ONE_OFF_CLAIMS)
        and claim.status == ClaimStatus.SUBMITTED
    )
    context.update(
        may_change=_may_change(user, claim),
        may_invoice=_may_invoice(user, claim),
        decisions=[(slug, d[2]) for slug, d in DECISIONS.items()] if decide else [],
        invoice_url=_invoice_url(user, Invoice.objects.filter(claim=claim).first()),
        action_url=(
            reverse("actions:action_detail", args=[claim.action_id])
            if claim.action_id and can_view(user.role, Function.ACTIONS)
            else None
        ),
    )
    return render(request, "payments/claims/detail.html", context)


def _step(
    request: HttpRequest,
    user: User,
    claim: OneOffClaim,
    *,
    title: str,
    button: str,
    form: GovForm | None,
    refusal: str | None = None,
    **extra: Any,
) -> HttpResponse:
    """A step's page: its form (none when the claim's state refuses the step, saying why)."""
    context = {
        "claim": claim,
        "title": title,
        "button": button,
        "form": form,
        "refusal": refusal,
        "is_council": user.council_id is not None,
        **extra,
    }
    if extra.get("show_claim"):
        services.claim_viewed(by=user, claim=claim, ip=_ip(request))
        context.update(_claim_context(user, claim))
    return render(request, "payments/claims/step.html", context)


def _unsubmitted_refusal(claim: OneOffClaim) -> str | None:
    return None if claim.status == ClaimStatus.UNSUBMITTED else services.CLAIM_NOT_UNSUBMITTED


def _done(request: HttpRequest, claim: OneOffClaim, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("payments:claim_detail", pk=claim.pk)


@require_http_methods(["GET", "POST"])
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Update: the claim's Date of Claim (among its council's periods) and notes."""
    user = _provider(request, edit=True)
    claim = claim_for(user, pk)
    refusal = _unsubmitted_refusal(claim)
    dates = selectors.claim_dates_for(user, council_id=claim.council_id)
    form = ClaimForm(
        request.POST if request.method == "POST" else None,
        services=None,
        dates=dates.choices(),
        initial={"period": claim.period_id, "notes": claim.notes},
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        done = _carried_out(
            form,
            lambda: services.claim_update(
                by=user,
                claim=claim,
                period=next(p for p in dates.periods if p.pk == data["period"]),
                notes=data["notes"],
            ),
        )
        if done is not None:
            return _done(request, claim, "Claim updated.")
    return _step(
        request, user, claim, title="Update the claim", button="Update", form=form, refusal=refusal
    )


def _add_step(
    request: HttpRequest,
    pk: int,
    form_class: type[GovForm],
    add: Callable[[User, OneOffClaim, dict[str, Any], str | None], M],
    said: Callable[[M], str],
    **page: Any,
) -> HttpResponse:
    """One add step of an Unsubmitted claim (a client item, a provider item, a file): its form,
    the service that adds the part once per form token, and the claim again with what was added."""
    user = _provider(request, edit=True)
    claim = claim_for(user, pk)
    refusal = _unsubmitted_refusal(claim)
    posted = request.method == "POST"
    form = form_class(request.POST if posted else None, request.FILES if posted else None)
    if posted and refusal is None and form.is_valid():
        data = form.cleaned_data
        added = _carried_out(form, lambda: add(user, claim, data, key_from_form(request)))
        if added is not None:
            return _done(request, claim, said(added))
    return _step(request, user, claim, form=form, refusal=refusal, creates=True, **page)


@require_http_methods(["GET", "POST"])
def claim_client_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a client item: a client's unplanned absence after a hospital or respite stay."""
    return _add_step(
        request,
        pk,
        ClientItemForm,
        lambda user, claim, data, key: services.claim_client_item_add(
            by=user,
            claim=claim,
            ss_ref=data["ss_ref"],
            absence_start=data["absence_start"],
            absence_end=data["absence_end"],
            stay=data["stay"],
            hours=data["hours"],
            authorised_by=data["authorised_by"],
            idempotency_key=key,
        ),
        lambda item: f"Client item added: {money(item.amount)}.",
        title="Add a client item",
        button="Add client item",
    )


@require_http_methods(["GET", "POST"])
def claim_provider_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a provider item: a cost of the provider's own."""
    return _add_step(
        request,
        pk,
        ProviderItemForm,
        lambda user, claim, data, key: services.claim_provider_item_add(
            by=user,
            claim=claim,
            description=data["description"],
            amount=data["amount"],
            idempotency_key=key,
        ),
        lambda item: f"Provider item added: {money(item.amount)}.",
        title="Add a provider item",
        button="Add provider item",
    )


@require_http_methods(["GET", "POST"])
def claim_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file to the claim (the details of several clients in the council's format)."""
    return _add_step(
        request,
        pk,
        ClaimFileForm,
        lambda user, claim, data, key: services.claim_attachment_add(
            by=user, claim=claim, upload=data["file"], idempotency_key=key
        ),
        lambda attached: f"File {attached.name} attached.",
        title="Attach a file",
        button="Attach file",
        multipart=True,
    )


@require_POST
def claim_remove(request: HttpRequest, pk: int, kind: str, part: int) -> HttpResponse:
    """Remove a client item, provider item or file from an Unsubmitted claim."""
    user = _provider(request, edit=True)
    claim = claim_for(user, pk)
    if kind not in REMOVABLE:
        raise Http404("Nothing of that kind is on a claim")
    try:
        services.claim_part_remove(by=user, claim=claim, kind=kind, pk=part)
    except services.PaymentsRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("payments:claim_detail", pk=claim.pk)
    return _done(request, claim, "Removed from the claim.")


@require_GET
def claim_file_download(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    user = _user(request)
    attachment = claim_attachment_for(user, claim_for(user, pk), file_pk)
    services.claim_attachment_downloaded(by=user, attachment=attachment, ip=_ip(request))
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def claim_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _provider(request, edit=True)
    claim = claim_for(user, pk)
    refusal = (
        None
        if CLAIM_TRANSITIONS.allows(claim.status, ClaimEvent.SUBMIT)
        else services.CLAIM_MOVE_REFUSED[ClaimEvent.SUBMIT]
    )
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and refusal is None and form.is_valid():
        done = _carried_out(form, lambda: services.claim_submit(by=user, claim=claim))
        if done is not None:
            return _done(request, claim, f"Claim submitted to {claim.council.name}.")
    return _step(
        request,
        user,
        claim,
        title="Submit the claim",
        button="Submit claim",
        form=form,
        refusal=refusal,
        show_claim=True,
        intro=f"{claim.council.name}'s payments team will approve or reject it.",
    )


@require_http_methods(["GET", "POST"])
def claim_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _provider(request, edit=True)
    claim = claim_for(user, pk)
    refusal = _unsubmitted_refusal(claim)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and refusal is None and form.is_valid():
        _carried_out(form, lambda: services.claim_delete(by=user, claim=claim))
        if not form.errors:
            messages.success(request, "Claim deleted.")
            return redirect("payments:claim_list")
    return _step(
        request,
        user,
        claim,
        title="Delete the claim",
        button="Delete claim",
        form=form,
        refusal=refusal,
        warning=True,
        intro="Its items and files are deleted with it. You cannot undo this.",
    )


def _invoice_refusal(user: User, claim: OneOffClaim) -> str | None:
    if not can_edit(user.role, Function.INVOICES):
        return "Only the provider's users who may edit invoices can invoice a claim."
    if claim.status == ClaimStatus.INVOICED:
        return "This claim is invoiced already: see its invoice on the claim's page."
    if claim.status != ClaimStatus.APPROVED:
        return "Only a claim the council has approved can be invoiced."
    return None


@require_http_methods(["GET", "POST"])
def claim_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    """Create invoice: an approved claim invoiced at contract level, under the provider's own
    reference and date, with a line for each item."""
    user = _provider(request, edit=True)
    claim = claim_for(user, pk)
    if request.method == "POST":
        # A repeat of a Create done already (a double click) shows that invoice.
        done = created_before(key=key_from_form(request), purpose=services.CLAIM_INVOICE_CREATE)
        first = selectors.invoices_for(user).filter(pk=done, claim=claim).first() if done else None
        if first is not None:
            return redirect("payments:invoice_detail", pk=first.pk)
    refusal = _invoice_refusal(user, claim)
    form = InvoiceForm(
        request.POST if request.method == "POST" else None,
        line_ids=None,
        initial={"invoice_date": today()},
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        invoice = _carried_out(
            form,
            lambda: services.claim_invoice_create(
                by=user,
                claim=claim,
                reference=data["reference"],
                invoice_date=data["invoice_date"],
                idempotency_key=key_from_form(request),
            ),
        )
        if invoice is not None:
            messages.success(
                request,
                f"Invoice {invoice.reference} created at contract level. Check it, then "
                f"submit it to {claim.council.name}.",
            )
            return redirect("payments:invoice_detail", pk=invoice.pk)
    return _step(
        request,
        user,
        claim,
        title="Create an invoice at contract level",
        button="Create invoice",
        form=form,
        refusal=refusal,
        show_claim=True,
        creates=True,
        intro="Each item of the claim becomes a line of the invoice.",
    )


@require_http_methods(["GET", "POST"])
def claim_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve, or Reject with a reason: either tells the provider on an action thread."""
    user = _officer(request, edit=True)
    claim = claim_for(user, pk)
    if decision not in DECISIONS:
        raise Http404("No such decision")
    event, title, button, done_message = DECISIONS[decision]
    refusal = (
        None
        if CLAIM_TRANSITIONS.allows(claim.status, event)
        else services.CLAIM_MOVE_REFUSED[event]
    )
    types = selectors.claim_action_types(claim.council_id)
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        action_types=[(t.pk, t.name) for t in types],
        needs_reason=event == ClaimEvent.REJECT,
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        chosen = next((t for t in types if t.pk == data["action_type"]), None)
        if event == ClaimEvent.APPROVE:
            call = lambda: services.claim_approve(by=user, claim=claim, action_type=chosen)  # noqa: E731
        else:
            call = lambda: services.claim_reject(  # noqa: E731
                by=user, claim=claim, reason=data["reason"], action_type=chosen
            )
        if _carried_out(form, call) is not None:
            return _done(request, claim, done_message)
    return _step(
        request,
        user,
        claim,
        title=title,
        button=button,
        form=form,
        refusal=refusal,
        show_claim=True,
    )
