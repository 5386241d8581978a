"""A provider of several councils that chose one sees that council's money only: its invoices,
one-off claims, scheduled payments and remittance advice; "All councils" shows both, and a
council id it does not work with in a list's query string shows nothing and never an error.
Under the actuals tests' frozen clock (Monday 16 November 2026): both councils' CPLIs run from
21 September; the four-weekly council's period of 19 October to 15 November has ended unpaid."""

from datetime import date

import pytest
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.rules import Entry
from carebridge.actuals.tests.conftest import clock, make_payment_rule  # noqa: F401 (a fixture)
from carebridge.core.calendar import today
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.organisations.models import Council
from carebridge.payments import services as payments
from carebridge.payments.selectors import claim_dates_for, pre_invoice
from carebridge.payments.tests.pay_support import period_at
from tests.provpay_support import confirm_four_weeks, finalise, on_schedule
from tests.support import (
    TwoCouncilProvider,
    client_for,
    make_council,
    make_two_council_provider,
    make_user,
)
from tests.test_council_focus import STRANGER, a_stranger_shows_neither, choose_council, narrows

pytestmark = pytest.mark.django_db

WEEKLY_WEEK = date(2026, 11, 9)  # the weekly council's last ended week
FOUR_WEEKS = date(2026, 10, 19)  # the four-weekly council's last ended period starts


@pytest.fixture
def two(clock) -> TwoCouncilProvider:  # noqa: F811 (the frozen clock)
    return make_two_council_provider()


def _provider_user(two: TwoCouncilProvider) -> User:
    """The provider's Super User (Scheduled): it sees every payments page."""
    return make_user(provider=two.provider, role="super_user_scheduled")


def _invoiced(two: TwoCouncilProvider, council: Council, user: User) -> str:
    """The provider's invoice to the council for its last ended period's actuals (entered and
    confirmed): the invoice's page."""
    if council == two.weekly:
        cpli = two.weekly_cpli
        entry = Entry(actual=cpli.quantity, visits=10)
        actuals.actuals_save(two.carer, [actuals.Item(cpli.pk, WEEKLY_WEEK, entry, WEEKLY_WEEK)])
        period = period_at(council, WEEKLY_WEEK)
        actuals.actuals_confirm(two.carer, period)
    else:
        confirm_four_weeks(two, FOUR_WEEKS)
        period = period_at(council, FOUR_WEEKS)
    invoice = payments.invoice_create(
        by=user,
        service=two.service,
        period=period,
        reference=f"INV-{council.slug}",
        invoice_date=today(),
        actual_ids=[line.actual_id for line in pre_invoice(user, two.service, period)],
    )
    return reverse("payments:invoice_detail", args=[invoice.pk])


def _claimed(two: TwoCouncilProvider, council: Council, user: User) -> str:
    """An unsubmitted one-off claim of the provider's service to the council: its page."""
    period = claim_dates_for(user, council_id=council.pk).periods[0]
    claim = payments.claim_create(by=user, service=two.service, period=period, notes="Absences")
    return reverse("payments:claim_detail", args=[claim.pk])


def test_invoices_and_one_off_claims_are_the_chosen_councils(two: TwoCouncilProvider) -> None:
    for council in (two.weekly, two.four_weekly):
        make_payment_rule(
            council,
            ContractType.SPOT,
            payment_method=PaymentMethod.ON_INVOICE,
            one_off_claims_allowed=True,
        )
    user = _provider_user(two)
    client = client_for(user)
    invoices = [_invoiced(two, council, user) for council in (two.weekly, two.four_weekly)]
    claims = [_claimed(two, council, user) for council in (two.weekly, two.four_weekly)]
    narrows(client, reverse("payments:invoice_list"), invoices, two)
    narrows(client, reverse("payments:claim_list"), claims, two)
    make_council(STRANGER)
    a_stranger_shows_neither(client, reverse("payments:invoice_list"), tuple(invoices), two)
    a_stranger_shows_neither(
        client, reverse("payments:claim_list"), tuple(claims), two, key="organisation"
    )


def test_scheduled_payments_and_remittances_are_the_chosen_councils(
    two: TwoCouncilProvider,
) -> None:
    """Both councils pay on schedule; each finalised a run (the weekly council's for the week of
    9 November, the four-weekly council's for the period from 19 October)."""
    on_schedule(two.weekly)
    on_schedule(two.four_weekly)
    runs = (
        finalise(two, four_weekly=False, day=WEEKLY_WEEK, payment_date=date(2026, 11, 16)),
        finalise(two, four_weekly=True, day=FOUR_WEEKS, payment_date=date(2026, 11, 20)),
    )
    client = client_for(_provider_user(two))
    # Each billing period is headed with its council's name, then a dash and its dates.
    headings = (f"{two.weekly.name} – ", f"{two.four_weekly.name} – ")
    narrows(client, reverse("payments:scheduled_list"), headings, two)
    advice = [reverse("payments:remittance_detail", args=[run.pk, two.provider.pk]) for run in runs]
    narrows(client, reverse("payments:remittance_list"), advice, two)
    stranger = make_council(STRANGER)
    a_stranger_shows_neither(client, reverse("payments:remittance_list"), tuple(advice), two)
    # A billing period is named "<council id>:<first day>"; one of a stranger council is not
    # offered, so the filter drops it (as any choice not offered): an answer, the chosen
    # council's periods only, never the other's. (The council filters show nothing instead.)
    scheduled = reverse("payments:scheduled_list")
    choose_council(client, two.weekly.pk)
    response = client.get(scheduled, {"period": f"{stranger.pk}:{WEEKLY_WEEK.isoformat()}"})
    assert response.status_code == 200
    assert headings[1] not in response.content.decode()
