"""The Email Notifications page: each user chooses the e-mails they receive."""

from __future__ import annotations

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from carebridge.core.http import acting_user
from carebridge.notifications.models import Subscription
from carebridge.notifications.services import (
    SUBSCRIPTION_FIELDS,
    subscription_for,
    subscription_update,
    undelivered,
)

DAILY = (
    "daily_actions",
    "daily_cplis",
    "daily_contract_documents",
    "daily_invoices",
    "daily_disputes",
    "daily_scheduled_payments",
    "daily_payment_exceptions",
)
IMMEDIATE = ("actions_immediate", "password_immediate")


def _label(field: str) -> str:
    model_field = Subscription._meta.get_field(field)
    assert isinstance(model_field, models.Field)
    return str(model_field.verbose_name)


def _options(subscription: Subscription, fields: tuple[str, ...]) -> list[dict[str, object]]:
    return [
        {
            "name": field,
            "label": _label(field),
            "checked": bool(getattr(subscription, field)),
        }
        for field in fields
    ]


@require_http_methods(["GET", "POST"])
def subscriptions(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if request.method == "POST":
        choices = {field: request.POST.get(field) == "on" for field in SUBSCRIPTION_FIELDS}
        subscription_update(user=user, by=user, choices=choices)
        messages.success(request, "Your e-mail notifications have been saved.")
        return redirect("actions:subscriptions")
    subscription = subscription_for(user)
    return render(
        request,
        "actions/subscriptions.html",
        {
            # So a wrong or full mailbox is noticed by the one who misses the e-mails.
            "undelivered": list(undelivered().filter(user=user)[:5]),
            # Each group: its id, heading, hint and checkboxes.
            "groups": [
                (
                    "daily",
                    "Daily summary",
                    "One e-mail each morning about the day before, when something changed. "
                    "Select all that apply.",
                    _options(subscription, DAILY),
                ),
                (
                    "immediate",
                    "Immediate e-mails",
                    "Sent as soon as an action waits for you, or your password is changed. A "
                    "safeguarding team always hears of a safeguarding concern at once.",
                    _options(subscription, IMMEDIATE),
                ),
            ],
        },
    )
