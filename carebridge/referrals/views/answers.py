"""The provider's answers to a referral, as the HomeFirst guide lays them out: accept or refuse,
delay or a failed start, the provider update and the visit actuals.

Every answer is one service call: a state the referral is not in shows the service's own message,
and a double click is carried out once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from carebridge.accounts.models import User
from carebridge.core.calendar import LONDON, now, to_london, today
from carebridge.core.formats import guide_datetime
from carebridge.core.forms import GovForm
from carebridge.core.http import acting_user
from carebridge.people import services as people
from carebridge.referrals import services
from carebridge.referrals.access import access_referral, shows_person
from carebridge.referrals.choices import ReferralEventKind
from carebridge.referrals.forms.provider import (
    AcceptForm,
    DelayForm,
    FailedStartForm,
    ProviderUpdateForm,
    RefuseForm,
    ServiceForm,
    VisitActualsForm,
)
from carebridge.referrals.models import Referral
from carebridge.referrals.views.common import carried_out, refusal_of

E = ReferralEventKind


def _referral_to_answer(user: User, pk: int) -> Referral:
    """Only the provider the referral was sent to answers it, and only a role that may edit."""
    referral = access_referral(user, pk, for_change=True)
    if user.provider_id is None or user.provider_id != referral.provider_id:
        raise PermissionDenied
    return referral


def _form_data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _answer_page(
    request: HttpRequest,
    referral: Referral,
    *,
    kind: ReferralEventKind,
    form: GovForm,
    template: str,
    **extra: Any,
) -> HttpResponse:
    # The form sits beside the person's details: showing it is a view of their record.
    people.service_user_viewed(
        person=referral.service_user,
        by=acting_user(request),
        via="referral answer page",
        ip=request.META.get("REMOTE_ADDR"),
    )
    refusal = refusal_of(referral, kind)
    context = {
        "referral": referral,
        "person": referral.service_user,
        "summary_only": not shows_person(acting_user(request), referral),
        # An answer the referral's state does not allow: the page says why, once (not again in an
        # error summary), instead of a form, whether it was opened or sent.
        "form": None if refusal else form,
        "refusal": refusal,
        **extra,
    }
    return render(request, template, context)


CarryOut = Callable[[Referral, User, dict[str, Any]], Referral]


def _with_answers(service: Callable[..., Referral]) -> CarryOut:
    """A service whose arguments are the form's fields, by name (the forms name them so)."""
    return lambda referral, user, data: service(referral=referral, by=user, **data)


def _no_initial(referral: Referral, user: User) -> dict[str, Any]:
    return {}


def _to_detail(referral: Referral) -> HttpResponse:
    return redirect("referrals:detail", pk=referral.pk)


def _to_existing(referral: Referral) -> HttpResponse:
    return redirect("referrals:existing")


def _to_pending(referral: Referral) -> HttpResponse:
    return redirect("referrals:pending")


def _answer(
    request: HttpRequest,
    pk: int,
    *,
    kind: ReferralEventKind,
    form_class: type[ServiceForm],
    template: str,
    carry_out: CarryOut,
    success: Callable[[Referral], str],
    then: Callable[[Referral], HttpResponse],
    initial: Callable[[Referral, User], dict[str, Any]] = _no_initial,
    extra: Callable[[Referral], dict[str, Any]] | None = None,
) -> HttpResponse:
    """One answer page: the form, the service call, what it says when done and where it goes."""
    user = acting_user(request)
    referral = _referral_to_answer(user, pk)
    form = form_class(_form_data(request), initial=initial(referral, user), referral=referral)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answered = carried_out(form, lambda: carry_out(referral, user, data))
        if answered is not None:
            messages.success(request, success(answered))
            return then(answered)
    return _answer_page(
        request,
        referral,
        kind=kind,
        form=form,
        template=template,
        **(extra(referral) if extra else {}),
    )


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    referral = _referral_to_answer(user, pk)
    start = referral.requested_start_date
    form = AcceptForm(
        _form_data(request),
        initial={"visit_date": max(start, today()) if start else None},
        referral=referral,
    )
    warning = bool(request.POST.get("warned"))
    hours = referral.council.rulebook.referral_first_visit_warning_hours
    if request.method == "POST" and form.is_valid():
        first_visit_at = form.first_visit_at()
        # Care should start within the rulebook's hours; later is allowed once it is confirmed.
        warning = first_visit_at - now() > timedelta(hours=hours)
        if warning and not form.cleaned_data["confirmed"]:
            if form.cleaned_data["warned"]:
                form.add_error("confirmed", "Confirm the first visit is agreed for this date")
        elif carried_out(
            form,
            lambda: services.referral_accept(
                referral=referral, by=user, first_visit_at=first_visit_at
            ),
        ):
            messages.success(
                request,
                f"Referral accepted. {referral.service_user.full_name} is now one of your "
                f"existing service users, with the 1st visit at {guide_datetime(first_visit_at)}.",
            )
            return redirect("referrals:detail", pk=referral.pk)
    return _answer_page(
        request,
        referral,
        kind=E.ACCEPTED,
        form=form,
        template="referrals/accept.html",
        warning=warning,
        warning_hours=hours,
    )


@require_http_methods(["GET", "POST"])
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        kind=E.REFUSED,
        form_class=RefuseForm,
        template="referrals/refuse.html",
        carry_out=_with_answers(services.referral_refuse),
        success=lambda referral: (
            f"Referral refused. {referral.service_user.full_name} has been removed from your "
            "pending referrals and the council has been told."
        ),
        then=_to_pending,
    )


@require_http_methods(["GET", "POST"])
def delay(request: HttpRequest, pk: int) -> HttpResponse:
    def carry_out(referral: Referral, user: User, data: dict[str, Any]) -> Referral:
        first_visit_at = datetime.combine(data["visit_date"], data["visit_time"], tzinfo=LONDON)
        return services.referral_delay(referral=referral, by=user, first_visit_at=first_visit_at)

    def extra(referral: Referral) -> dict[str, Any]:
        allowed = referral.council.rulebook.referral_max_delays
        return {"delays_allowed": allowed, "delays_left": max(allowed - referral.delay_count, 0)}

    return _answer(
        request,
        pk,
        kind=E.DELAYED,
        form_class=DelayForm,
        template="referrals/delay.html",
        carry_out=carry_out,
        success=lambda referral: (
            "The start of this service is delayed to "
            f"{guide_datetime(referral.first_visit_at)}. The council has been told."
        ),
        then=_to_detail,
        extra=extra,
    )


@require_http_methods(["GET", "POST"])
def failed_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        kind=E.FAILED,
        form_class=FailedStartForm,
        template="referrals/failed_start.html",
        carry_out=_with_answers(services.referral_fail),
        success=lambda referral: (
            f"Failed service start sent for {referral.service_user.full_name}. They have been "
            "removed from your existing service users."
        ),
        then=_to_existing,
    )


def _visit_day(referral: Referral) -> date | None:
    return to_london(referral.first_visit_at).date() if referral.first_visit_at else None


@require_http_methods(["GET", "POST"])
def provider_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        kind=E.UPDATED,
        form_class=ProviderUpdateForm,
        template="referrals/provider_update.html",
        initial=lambda referral, user: {
            "care_start_date": _visit_day(referral),
            "completed_by": user.full_name,
            "completed_on": today(),
        },
        carry_out=_with_answers(services.referral_update),
        success=lambda referral: (
            f"Provider update submitted for {referral.service_user.full_name}. Send the visit "
            "actuals on the last day of the service."
        ),
        then=_to_detail,
    )


@require_http_methods(["GET", "POST"])
def visit_actuals(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        kind=E.ACTUALS,
        form_class=VisitActualsForm,
        template="referrals/visit_actuals.html",
        initial=lambda referral, user: {
            "start_date": referral.care_start_date or _visit_day(referral),
            "end_date": today(),
        },
        carry_out=_with_answers(services.referral_send_actuals),
        success=lambda referral: (
            f"Visit actuals submitted for {referral.service_user.full_name}. The service has "
            "ended and they have been removed from your existing service users."
        ),
        then=_to_existing,
    )
