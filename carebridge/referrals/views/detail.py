"""A referral's page and its update log. These serve both sides: the provider the referral was
sent to, and the council's staff who sent it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from carebridge.core.calendar import LONDON, now
from carebridge.core.formats import guide_date, guide_datetime
from carebridge.core.http import acting_user
from carebridge.core.permissions import Function, can_edit
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
from carebridge.referrals.models import Referral
from carebridge.referrals.selectors import referral_events, reply_urgency, stage_of, update_urgency

E = ReferralEventKind
S = ReferralStatus


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
