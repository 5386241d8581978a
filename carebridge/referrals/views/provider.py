"""The provider's referral screens, as the HomeFirst guide lays them out.

The details page and the update log also serve the council's staff; the lists and the answer
forms are the provider's alone. Every answer is one service call: a state the referral is not in
shows the service's own message, and a double click is carried out once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.access import require_function
from carebridge.accounts.http import acting_user
from carebridge.accounts.models import User
from carebridge.core.calendar import LONDON, now, to_london, today
from carebridge.core.formats import guide_date, guide_datetime
from carebridge.core.forms import GovForm
from carebridge.core.http import HtmxHttpRequest
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.models import District
from carebridge.organisations.selectors import councils_visible_to
from carebridge.people import services as people
from carebridge.referrals import services
from carebridge.referrals.access import access_referral, shows_person
from carebridge.referrals.choices import (
    OPEN_STATES,
    FailureReason,
    ReferralEventKind,
    ReferralStatus,
    RefusalReason,
    Stage,
)
from carebridge.referrals.filters import ExistingFilters, PendingFilters
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
from carebridge.referrals.selectors import (
    PENDING_COLUMNS,
    pending_rows,
    referral_events,
    referrals_existing_for,
    referrals_pending_for,
    reply_urgency,
    stage_of,
    update_urgency,
)

E = ReferralEventKind
S = ReferralStatus


# --- The two lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    """The districts and councils a provider's lists can be filtered by."""

    districts: list[tuple[int, str]]
    councils: list[tuple[int, str]]

    @property
    def several_councils(self) -> bool:
        return len(self.councils) > 1


def _filter_options(user: User) -> FilterOptions:
    """In one query: the districts of every council the provider works for, and so the councils
    (a council without districts cannot have sent a referral)."""
    districts = list(
        District.objects.filter(council__in=councils_visible_to(user)).values_list(
            "pk", "name", "council_id", "council__name"
        )
    )
    councils = {council_id: council for _pk, _name, council_id, council in districts}
    several = len(councils) > 1
    return FilterOptions(
        districts=sorted(
            (
                (pk, f"{name} ({council})" if several else name)
                for pk, name, _c, council in districts
            ),
            key=lambda choice: choice[1],
        ),
        councils=sorted(councils.items(), key=lambda choice: choice[1]),
    )


def _require_provider(user: User) -> None:
    require_function(user, Function.REFERRALS)
    if user.provider_id is None:
        raise PermissionDenied


def _list_response(
    request: HtmxHttpRequest, page_template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only the list when htmx refreshes it."""
    response = render(request, partial if request.htmx else page_template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def pending(request: HtmxHttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_provider(user)
    moment = now()
    options = _filter_options(user)
    filters = PendingFilters(
        request.GET,
        referrals_pending_for(user),
        at=moment,
        districts=options.districts,
        councils=options.councils,
    )
    chosen = filters.chosen()
    referrals = filters.qs
    # Counted without the joins the rows need: counting through them cost more than the rows.
    page = page_of(request, referrals)
    rows = []
    if page.paginator.count:
        shown = referrals.values(*PENDING_COLUMNS)[page.start_index() - 1 : page.end_index()]
        rows = pending_rows(shown, moment)
    context = {
        "page": page,
        "rows": rows,
        "now": moment,
        "filters": filters.form,
        "chosen": chosen,
        "options": options,
    }
    return _list_response(
        request, "referrals/pending.html", "referrals/_partials/pending_list.html", context
    )


@dataclass(frozen=True)
class ExistingRow:
    referral: Referral
    stage: Stage


@require_GET
def existing(request: HtmxHttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_provider(user)
    moment = now()
    options = _filter_options(user)
    filters = ExistingFilters(
        request.GET,
        referrals_existing_for(user, at=moment),
        districts=options.districts,
        councils=options.councils,
    )
    chosen = filters.chosen()
    page = page_of(request, filters.qs)
    rows = [ExistingRow(r, Stage(r.stage)) for r in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters.form,
        "chosen": chosen,
        "options": options,
    }
    return _list_response(
        request, "referrals/existing.html", "referrals/_partials/existing_list.html", context
    )


# --- Details and the update log ----------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    label: str
    url: str


# The "Submit…" buttons, in the guide's order, each only while the service would take it. Visit
# actuals shows while the service runs, even before the update, and then explains why it must wait.
SUBMIT = [
    (E.UPDATED, "Provider update", "referrals:provider_update"),
    (E.ACTUALS, "Visit actuals", "referrals:visit_actuals"),
    (E.DELAYED, "Service start delay", "referrals:delay"),
    (E.FAILED, "Failed service start", "referrals:failed_start"),
]


def _submit_actions(referral: Referral) -> list[Action]:
    return [
        Action(label, reverse(url, args=[referral.pk]))
        for kind, label, url in SUBMIT
        if services.transition_refusal(referral, kind) is None
        or (kind == E.ACTUALS and referral.status == S.ACCEPTED)
    ]


def _status_label(referral: Referral, stage: Stage) -> str:
    return S(referral.status).label if stage == Stage.CLOSED else stage.label


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    referral = access_referral(user, pk)
    people.service_user_viewed(
        person=referral.service_user, by=user, ip=request.META.get("REMOTE_ADDR")
    )
    moment = now()
    rulebook = referral.council.rulebook
    stage = stage_of(referral, moment)
    may_edit = can_edit(user.role, Function.REFERRALS)
    answers = may_edit and user.provider_id == referral.provider_id
    context = {
        "referral": referral,
        "person": referral.service_user,
        "summary_only": not shows_person(user, referral),
        "stage": stage,
        "status_label": _status_label(referral, stage),
        "is_pending": referral.status == S.PENDING,
        "reply_urgency": (
            reply_urgency(referral.respond_by, rulebook, moment)
            if referral.status == S.PENDING
            else None
        ),
        "update_urgency": update_urgency(referral, rulebook, moment),
        "max_delays": rulebook.referral_max_delays,
        "can_answer": answers and referral.status == S.PENDING,
        "actions": _submit_actions(referral) if answers else [],
        "is_council": user.council_id == referral.council_id,
        "can_withdraw": (
            may_edit and user.council_id == referral.council_id and referral.status in OPEN_STATES
        ),
        # After a refusal or a failed start the broker offers the same referral to someone else.
        "can_send_again": (
            may_edit
            and user.council_id == referral.council_id
            and referral.status in {S.REFUSED, S.FAILED}
        ),
    }
    return render(request, "referrals/detail.html", context)


# Human words for what an update-log event recorded; the event's own time is shown already.
DETAIL_LABELS = {
    "provider": "Provider",
    "received_at": "Referral time",
    "respond_by": "Respond by",
    "first_visit_at": "Date and time of 1st visit",
    "update_due_by": "Provider update due by",
    "refusal_reason": "Reason for refusal",
    "refusal_details": "Details about this refusal",
    "delay_count": "Number of delays so far",
    "failure_reason": "Reason why service was cancelled",
    "failure_details": "Details",
    "care_start_date": "Start date",
    "predicted_end_date": "Predicted end date",
    "terminated_within_72_hours": "Was the service terminated within 72 hours?",
    "needs_changed": "Have there been any changes to the needs / package?",
    "needs_change_details": "Changes to the needs / package",
    "update_completed_by": "Completed by",
    "update_completed_on": "Date",
    "actuals_start_date": "Start date",
    "actuals_end_date": "End date",
    "visits_delivered": "Total number of visits delivered",
    "hours_delivered": "Total number of hours delivered",
    "carers_at_start": "Number of carers on commencement of service",
    "carers_at_end": "Number of carers at end of service",
    "withdrawal_reason": "Reason for withdrawal",
}
DETAIL_CHOICES: dict[str, Any] = {"refusal_reason": RefusalReason, "failure_reason": FailureReason}
HIDDEN_DETAILS = frozenset({"answered_at", "provider_update_at", "actuals_at"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _readable_value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key in DETAIL_CHOICES and value in DETAIL_CHOICES[key].values:
        return str(DETAIL_CHOICES[key](value).label)
    if isinstance(value, str) and _ISO_DATE.match(value):
        return guide_date(date.fromisoformat(value))
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return guide_datetime(moment if moment.tzinfo else moment.replace(tzinfo=LONDON))
    return str(value)


def readable_details(details: dict[str, Any]) -> list[tuple[str, str]]:
    """An event's details as label and value, in words and the guide's date format."""
    return [
        (DETAIL_LABELS.get(key, key.replace("_", " ").capitalize()), _readable_value(key, value))
        for key, value in details.items()
        if key not in HIDDEN_DETAILS
    ]


@require_GET
def update_log(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    referral = access_referral(user, pk)
    people.service_user_viewed(
        person=referral.service_user,
        by=user,
        via="referral update log",
        ip=request.META.get("REMOTE_ADDR"),
    )
    entries = [(event, readable_details(event.details)) for event in referral_events(referral)]
    return render(
        request,
        "referrals/update_log.html",
        {
            "referral": referral,
            "person": referral.service_user,
            "summary_only": not shows_person(user, referral),
            "entries": entries,
        },
    )


# --- The provider's answers ----------------------------------------------------------------------


def _referral_to_answer(user: User, pk: int) -> Referral:
    """Only the provider the referral was sent to answers it, and only a role that may edit."""
    referral = access_referral(user, pk, for_change=True)
    if user.provider_id is None or user.provider_id != referral.provider_id:
        raise PermissionDenied
    return referral


def _refusal(referral: Referral, kind: ReferralEventKind) -> str:
    """The service's own words when the referral's state does not allow this answer."""
    refusal = services.transition_refusal(referral, kind)
    return refusal.message if refusal else ""


def _carried_out(form: ServiceForm, action: Callable[[], Referral]) -> Referral | None:
    """Run the service; a rule it finds broken is shown on the form."""
    try:
        return action()
    except services.TransitionRefused as refusal:
        form.add_error(None, refusal.message)
    except ValidationError as error:
        form.add_errors(error)
    except PermissionError as error:
        raise PermissionDenied from error
    return None


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
    refusal = _refusal(referral, kind)
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


def _answer(
    request: HttpRequest,
    pk: int,
    *,
    kind: ReferralEventKind,
    form_class: type[ServiceForm],
    template: str,
    initial: Callable[[Referral, User], dict[str, Any]],
    carry_out: Callable[[Referral, User, dict[str, Any]], Referral],
    done: Callable[[Referral], HttpResponse],
    extra: Callable[[Referral], dict[str, Any]] | None = None,
) -> HttpResponse:
    """One answer page: the form, the service call, and where to go after."""
    user = acting_user(request)
    referral = _referral_to_answer(user, pk)
    form = form_class(_form_data(request), initial=initial(referral, user), referral=referral)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answered = _carried_out(form, lambda: carry_out(referral, user, data))
        if answered is not None:
            return done(answered)
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
        elif _carried_out(
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
    def done(referral: Referral) -> HttpResponse:
        messages.success(
            request,
            f"Referral refused. {referral.service_user.full_name} has been removed from your "
            "pending referrals and the council has been told.",
        )
        return redirect("referrals:pending")

    return _answer(
        request,
        pk,
        kind=E.REFUSED,
        form_class=RefuseForm,
        template="referrals/refuse.html",
        initial=lambda referral, user: {},
        carry_out=lambda referral, user, data: services.referral_refuse(
            referral=referral, by=user, reason=data["reason"], details=data["details"]
        ),
        done=done,
    )


@require_http_methods(["GET", "POST"])
def delay(request: HttpRequest, pk: int) -> HttpResponse:
    def carry_out(referral: Referral, user: User, data: dict[str, Any]) -> Referral:
        first_visit_at = datetime.combine(data["visit_date"], data["visit_time"], tzinfo=LONDON)
        return services.referral_delay(referral=referral, by=user, first_visit_at=first_visit_at)

    def done(referral: Referral) -> HttpResponse:
        messages.success(
            request,
            "The start of this service is delayed to "
            f"{guide_datetime(referral.first_visit_at)}. The council has been told.",
        )
        return redirect("referrals:detail", pk=referral.pk)

    def extra(referral: Referral) -> dict[str, Any]:
        allowed = referral.council.rulebook.referral_max_delays
        return {"delays_allowed": allowed, "delays_left": max(allowed - referral.delay_count, 0)}

    return _answer(
        request,
        pk,
        kind=E.DELAYED,
        form_class=DelayForm,
        template="referrals/delay.html",
        initial=lambda referral, user: {},
        carry_out=carry_out,
        done=done,
        extra=extra,
    )


@require_http_methods(["GET", "POST"])
def failed_start(request: HttpRequest, pk: int) -> HttpResponse:
    def done(referral: Referral) -> HttpResponse:
        messages.success(
            request,
            f"Failed service start sent for {referral.service_user.full_name}. They have been "
            "removed from your existing service users.",
        )
        return redirect("referrals:existing")

    return _answer(
        request,
        pk,
        kind=E.FAILED,
        form_class=FailedStartForm,
        template="referrals/failed_start.html",
        initial=lambda referral, user: {},
        carry_out=lambda referral, user, data: services.referral_fail(
            referral=referral, by=user, reason=data["reason"], details=data["details"]
        ),
        done=done,
    )


def _visit_day(referral: Referral) -> date | None:
    return to_london(referral.first_visit_at).date() if referral.first_visit_at else None


@require_http_methods(["GET", "POST"])
def provider_update(request: HttpRequest, pk: int) -> HttpResponse:
    def carry_out(referral: Referral, user: User, data: dict[str, Any]) -> Referral:
        return services.referral_update(
            referral=referral,
            by=user,
            care_start_date=data["care_start_date"],
            predicted_end_date=data["predicted_end_date"],
            terminated_within_72_hours=data["terminated_within_72_hours"],
            needs_changed=data["needs_changed"],
            needs_change_details=data["needs_change_details"],
            completed_by=data["completed_by"],
            completed_on=data["completed_on"],
        )

    def done(referral: Referral) -> HttpResponse:
        messages.success(
            request,
            f"Provider update submitted for {referral.service_user.full_name}. Send the visit "
            "actuals on the last day of the service.",
        )
        return redirect("referrals:detail", pk=referral.pk)

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
        carry_out=carry_out,
        done=done,
    )


@require_http_methods(["GET", "POST"])
def visit_actuals(request: HttpRequest, pk: int) -> HttpResponse:
    def carry_out(referral: Referral, user: User, data: dict[str, Any]) -> Referral:
        return services.referral_send_actuals(
            referral=referral,
            by=user,
            start_date=data["start_date"],
            end_date=data["end_date"],
            visits_delivered=data["visits_delivered"],
            hours_delivered=data["hours_delivered"],
            carers_at_start=data["carers_at_start"],
            carers_at_end=data["carers_at_end"],
        )

    def done(referral: Referral) -> HttpResponse:
        messages.success(
            request,
            f"Visit actuals submitted for {referral.service_user.full_name}. The service has "
            "ended and they have been removed from your existing service users.",
        )
        return redirect("referrals:existing")

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
        carry_out=carry_out,
        done=done,
    )
