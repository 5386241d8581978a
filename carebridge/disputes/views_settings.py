"""The council's catalogue of dispute reasons, kept by the officers who raise disputes (its
payments and contracts officers): the reasons in their order, active or not, adding one at the
end, and stopping or starting again offering one, on a confirmation page. Every write is one
call of disputes.services, audited there."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from carebridge.accounts.models import User
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.disputes import selectors, services
from carebridge.disputes.forms_settings import ReasonAddForm
from carebridge.organisations.models import Council

# What a change's address says it does: the state it asks for, so a repeat changes nothing.
CHANGES = {"stop": False, "offer": True}


def _keeper(request: HttpRequest) -> tuple[User, Council]:
    """A council officer who may raise disputes, and so keeps the reasons they choose from."""
    user = acting_user(request)
    council = user.council
    if council is None or not services.may_raise_dispute(user, council.pk):
        raise PermissionDenied
    return user, council


@require_http_methods(["GET", "POST"])
def reason_list(request: HttpRequest) -> HttpResponse:
    user, council = _keeper(request)
    if request.method == "POST" and "keep_defaults" in request.POST:
        # The guide's list made the council's own, so a reason of it can be stopped.
        services.dispute_reasons_ensure(council, by=user)
        return redirect("disputes:reason_list")
    form = ReasonAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reason = services.dispute_reason_add(
                by=user,
                council=council,
                label=form.cleaned_data["label"],
                idempotency_key=key_from_form(request),
            )
        except ValidationError as error:
            form.add_errors(error)
        except services.DisputeRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"{reason.label} is added to your council's reasons.")
            return redirect("disputes:reason_list")
    # A council that keeps no reasons yet reads the guide's list, as on the raise page, unsaved.
    reasons = selectors.dispute_catalogue_for(council, include_inactive=True)
    defaults = any(reason.pk is None for reason in reasons)
    return render(
        request,
        "disputes/reason_list.html",
        {"council": council, "reasons": reasons, "defaults": defaults, "form": form},
    )


@require_http_methods(["GET", "POST"])
def reason_change(request: HttpRequest, pk: int, change: str) -> HttpResponse:
    """Stop offering a reason, or offer it again, after the officer confirms."""
    user, council = _keeper(request)
    if change not in CHANGES:
        raise Http404("No such change")
    reason = get_object_or_404(selectors.dispute_reasons_for(council, include_inactive=True), pk=pk)
    active = CHANGES[change]
    if request.method == "POST":
        try:
            services.dispute_reason_set_active(by=user, reason=reason, active=active)
        except services.DisputeRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                f"{reason.label} is offered for new disputes."
                if active
                else f"{reason.label} is no longer offered for new disputes.",
            )
        return redirect("disputes:reason_list")
    return render(
        request,
        "disputes/reason_change.html",
        {"council": council, "reason": reason, "active": active, "change": change},
    )
