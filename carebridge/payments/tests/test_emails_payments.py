"""The daily summary's Scheduled Payments and Payments Exceptions sections, for a provider's
users who subscribe: runs approved or finalised that day with scheduled payments for the
provider (council, period, total), and payment exceptions created for it that day (client by
SS Ref, days, amount); only to the roles that may see them, and never another provider's. Runs
are prepared, approved and finalised, and exceptions made, through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from carebridge.actuals.tests.conftest import World
from carebridge.contracts import services as contracts
from carebridge.core.calendar import today
from carebridge.notifications import services as notifications
from carebridge.notifications.digest import digest_for, london_day, send_daily_digests
from carebridge.notifications.models import Subscription
from carebridge.payments.models import PaymentException
from carebridge.payments.services import run_approve, run_finalise
from carebridge.payments.tests.runs_support import (
    approved_run,
    on_schedule,
    prepared_run,
    second_officer,
)
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db

SECTIONS = ("daily_scheduled_payments", "daily_payment_exceptions")


def subscriber(world: World, role: str, *, provider=None):
    """A user of the provider (the world's unless given) subscribed to both new sections."""
    user = make_user(provider=provider or world.provider, role=role)
    notifications.subscription_update(user=user, by=user, choices=dict.fromkeys(SECTIONS, True))
    return user


def summary(user, day: date | None = None) -> str:
    return digest_for(user, *london_day(day or today())) or ""


@pytest.fixture
def scheduled(world: World) -> World:
    """The provider paid on schedule: last week's run pays two blocks of the world's CPLI
    (05/10 to 18/10 and 19/10 to 15/11, £452.48 and £904.96)."""
    on_schedule(world)
    return world


def test_an_approved_run_tells_the_scheduled_super_user_its_period_and_total(scheduled) -> None:
    user = subscriber(scheduled, "super_user_scheduled")
    run = approved_run(scheduled)
    text = summary(user)
    assert "Scheduled Payments" in text
    assert (
        "Ashdown Vale Council, 09/11/2026 to 15/11/2026: £1,357.44, approved (to be paid on "
        "16/11/2026)" in text
    )
    assert "/payments/scheduled-payments/" in text
    # Finalised the same day: said once, as finalised.
    run_finalise(by=scheduled.payments_officer, run=run)
    text = summary(user)
    assert text.count("Ashdown Vale Council, 09/11/2026") == 1
    assert "£1,357.44, finalised (paid on 16/11/2026)" in text


def test_a_prepared_run_or_another_days_says_nothing(scheduled) -> None:
    user = subscriber(scheduled, "super_user_scheduled")
    run = prepared_run(scheduled)
    assert "Scheduled Payments" not in summary(user)
    run_approve(by=second_officer(scheduled), run=run)
    assert "Scheduled Payments" in summary(user)
    for day in (today() - timedelta(days=1), today() + timedelta(days=1)):
        assert "Scheduled Payments" not in summary(user, day)


def test_roles_without_scheduled_payments_and_other_providers_hear_nothing(scheduled) -> None:
    actuals_only = subscriber(scheduled, "super_user_actuals")
    invoices_only = subscriber(scheduled, "invoice_only")
    stranger = subscriber(scheduled, "super_user_scheduled", provider=scheduled.other_provider)
    officer = make_user(council=scheduled.council, role="payments_officer")
    notifications.subscription_update(
        user=officer, by=officer, choices=dict.fromkeys(SECTIONS, True)
    )
    approved_run(scheduled)
    for user in (actuals_only, invoices_only, stranger, officer):
        assert "Scheduled Payments" not in summary(user)


@pytest.fixture
def excepted(scheduled) -> World:
    """The blocks paid by a finalised run, then the order ended on 01/11/2026: the block
    19/10 to 15/11 was overpaid, a negative payment exception to recover."""
    run = approved_run(scheduled)
    run_finalise(by=scheduled.payments_officer, run=run)
    contracts.contract_document_terminate(
        document=scheduled.cpli.document,
        end_date=date(2026, 11, 1),
        reason="Moved into residential care",
        by=scheduled.broker,
    )
    return scheduled


def test_an_exception_tells_the_provider_the_client_days_and_amount(excepted) -> None:
    (exception,) = PaymentException.objects.filter(provider=excepted.provider)
    assert exception.total < 0
    for role in ("invoice_only", "super_user_scheduled", "super_user_actuals", "read_only"):
        text = summary(subscriber(excepted, role))
        assert "Payments Exceptions" in text, role
        assert (
            f"Ashdown Vale Council, client MG123, 19/10/2026 to 15/11/2026: "
            f"-£{abs(exception.total):,.2f} to recover in the next payment run" in text
        )
        assert "Monica" not in text and "Geller" not in text
        assert "/payments/remittances/" in text


def test_an_exception_is_not_told_to_other_roles_providers_or_days(excepted) -> None:
    for user in (
        subscriber(excepted, "administration"),
        subscriber(excepted, "invoice_only", provider=excepted.other_provider),
    ):
        assert "Payments Exceptions" not in summary(user)
    tomorrow = today() + timedelta(days=1)
    assert "Payments Exceptions" not in summary(subscriber(excepted, "invoice_only"), tomorrow)


def test_the_email_page_offers_both_sections_and_saves_them(world) -> None:
    user = make_user(provider=world.provider, role="super_user_scheduled")
    client = client_for(user)
    page = client.get(reverse("actions:subscriptions")).content.decode()
    assert "Scheduled Payments" in page and "Payments Exceptions" in page
    client.post(reverse("actions:subscriptions"), {"daily_scheduled_payments": "on"})
    chosen = Subscription.objects.get(user=user)
    assert chosen.daily_scheduled_payments and not chosen.daily_payment_exceptions


def test_the_morning_run_sends_a_subscriber_of_only_these_sections(scheduled) -> None:
    user = make_user(provider=scheduled.provider, role="super_user_scheduled")
    notifications.subscription_update(
        user=user, by=user, choices={"daily_scheduled_payments": True}
    )
    approved_run(scheduled, approver=second_officer(scheduled))
    (sent,) = [n for n in send_daily_digests(today()) if n.user_id == user.pk]
    assert "Scheduled Payments" in sent.body and "£1,357.44" in sent.body
