"""Variation requests' pages: the provider asks for a temporary CPLI from an actuals row or an
invoice line (with the week and the extra over plan filled in) and lists its requests; the
council lists its requests and its brokerage officers approve (publishing the temporary CPLI) or
refuse them. Every write is a service in payments.services.variations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.contracts.choices import Unit
from carebridge.core.bounds import parse_id
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit, can_view, require_function
from carebridge.core.ratelimits import rate_limited
from carebridge.organisations.focus import filter_data, names_a_stranger
from carebridge.payments.access import variation_request_for
from carebridge.payments.choices import VARIATION_TRANSITIONS, VariationEvent
from carebridge.payments.filters_variations import VariationFilters
from carebridge.payments.forms_variations import VariationRefuseForm, VariationRequestForm
from carebridge.payments.models import VariationRequest
from carebridge.payments.selectors.variations import (
    variation_choices,
    variation_requests_for,
    variation_source,
)
from carebridge.payments.services import variations as services


def _provider(request: HttpRequest, *, edit: bool = False) -> User:
    """A provider's user whose role has invoices; a council's user has the council's pages."""
    user = acting_user(request)
    require_function(user, Function.INVOICES, edit=edit)
    if user.provider_id is None:
        raise PermissionDenied
    return user


def _council(request: HttpRequest, *, decide: bool = False) -> User:
    """A council's user who sees contract documents or invoices (to decide: one who publishes
    contract documents); a provider's user has its own pages."""
    user = acting_user(request)
    if user.council_id is None:
        raise PermissionDenied
    if decide:
        require_function(user, Function.CONTRACT_DOCUMENTS, edit=True)
    elif not (
        can_view(user.role, Function.CONTRACT_DOCUMENTS) or can_view(user.role, Function.INVOICES)
    ):
        raise PermissionDenied
    return user


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _list(request: HttpRequest, user: User, template: str, **extra: Any) -> HttpResponse:
    # A provider's Council filter starts at the council it chose to look at, if it has.
    listed = variation_requests_for(user)
    filters = VariationFilters(
        filter_data(request, "organisation"),
        listed.none() if names_a_stranger(request, "organisation") else listed,
        for_council=user.council_id is not None,
        organisations=variation_choices(user),
    )
    page = page_of(request, filters.qs)
    context = {"page": page, "filters": filters.form, "chosen": filters.chosen(), **extra}
    return render(request, template, context)


@require_GET
def variation_list(request: HttpRequest) -> HttpResponse:
    user = _provider(request)
    return _list(request, user, "payments/variations/list.html")


@require_GET
def council_variation_list(request: HttpRequest) -> HttpResponse:
    user = _council(request)
    return _list(request, user, "payments/variations/council_list.html")


@require_http_methods(["GET", "POST"])
@rate_limited("e-mail-sending")
def variation_new(request: HttpRequest) -> HttpResponse:
    """Ask for a temporary CPLI, from an actuals row (`?actual=`): its client, CPLI and week,
    and the extra over plan that week, filled in."""
    user = _provider(request, edit=True)
    actual_id = parse_id(request.GET.get("actual"))
    source = variation_source(user, actual_id) if actual_id is not None else None
    if source is None:
        raise Http404("No such actuals row")
    cpli = source.cpli
    initial = {"first_week": source.week, "last_week": source.week, "extra_quantity": source.extra}
    form = VariationRequestForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.variation_request_create(
                by=user,
                cpli=cpli,
                first_week=data["first_week"],
                last_week=data["last_week"],
                extra_quantity=data["extra_quantity"],
                reason=data["reason"],
                files=data["attachments"],
                invoice_line=source.invoice_line,
                idempotency_key=key_from_form(request),
            )
        except ValidationError as error:
            form.add_errors(error)
        except services.VariationRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                "Variation request sent: the council's brokerage team has it in its actions.",
            )
            return redirect("payments:variation_detail", pk=made.pk)
    context = {"form": form, "cpli": cpli, "unit": Unit(cpli.unit).label.lower()}
    return render(request, "payments/variations/new.html", context)


@require_GET
def variation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _provider(request)
    found = variation_request_for(user, pk)
    services.variation_request_viewed(by=user, request=found, ip=_ip(request))
    return render(request, "payments/variations/detail.html", {"variation": found})


def _decisions(user: User, found: VariationRequest) -> list[str]:
    if not can_edit(user.role, Function.CONTRACT_DOCUMENTS):
        return []
    return VARIATION_TRANSITIONS.events_from(found.status)


@require_GET
def council_variation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _council(request)
    found = variation_request_for(user, pk)
    services.variation_request_viewed(by=user, request=found, ip=_ip(request))
    context = {"variation": found, "decisions": _decisions(user, found)}
    return render(request, "payments/variations/council_detail.html", context)


@require_http_methods(["GET", "POST"])
def council_variation_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page whose button publishes the temporary CPLI."""
    user = _council(request, decide=True)
    found = variation_request_for(user, pk)
    back = redirect("payments:council_variation_detail", pk=found.pk)
    if request.method == "POST":
        try:
            decided = services.variation_request_approve(by=user, request=found)
        except services.VariationRefused as refusal:
            messages.error(request, refusal.message)
        else:
            assert decided.document is not None
            messages.success(
                request,
                f"Approved: {decided.document.reference} is published for the provider to agree.",
            )
        return back
    if VariationEvent.APPROVE not in _decisions(user, found):
        messages.error(request, services.DECIDED)
        return back
    services.variation_request_viewed(by=user, request=found, ip=_ip(request))
    return render(request, "payments/variations/approve.html", {"variation": found})


@require_http_methods(["GET", "POST"])
def council_variation_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    user = _council(request, decide=True)
    found = variation_request_for(user, pk)
    back = redirect("payments:council_variation_detail", pk=found.pk)
    if VariationEvent.REFUSE not in _decisions(user, found):
        messages.error(request, services.DECIDED)
        return back
    form = VariationRefuseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.variation_request_refuse(
                by=user, request=found, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_errors(error)
        except services.VariationRefused as refusal:
            messages.error(request, refusal.message)
            return back
        else:
            messages.success(request, "Refused: the provider reads your reason on its action.")
            return back
    services.variation_request_viewed(by=user, request=found, ip=_ip(request))
    return render(request, "payments/variations/refuse.html", {"variation": found, "form": form})
