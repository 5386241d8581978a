"""A provider of several councils that chose one looks at that council's work only, on every
page that lists it (referrals, contract documents, CPLIs and orders, the actuals week and
periods, disputes, variations, actions, change requests, home; the money pages are in
`test_council_focus_money.py`); with "All councils" it sees both; a council id it does not work
with shows nothing and never an error; a report's Council filter starts at the chosen council.
Each page is read with work at both councils, a marker of each council's row (a client's name,
a row's link). (The world is made once per test: it is slow to make.)"""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.actions import services as actions
from carebridge.actions.choices import RelatedKind
from carebridge.actuals import services as actuals
from carebridge.actuals.periods import week_of
from carebridge.actuals.rules import Entry
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis
from carebridge.core.calendar import now, today
from carebridge.disputes import services as disputes
from carebridge.disputes.tests.conftest import reason_of
from carebridge.organisations import services as org
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.focus import SESSION_KEY
from carebridge.organisations.models import Council
from carebridge.payments.services.variations import variation_request_create
from carebridge.people import services as people
from carebridge.referrals.services import referral_accept
from tests.support import (
    TwoCouncilProvider,
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_referral,
    make_two_council_provider,
    make_user,
)

pytestmark = pytest.mark.django_db

STRANGER = "Stranger Borough Council"
_waiting = count(1)


def choose_council(client: Client, council_pk: int | None) -> None:
    value = "all" if council_pk is None else str(council_pk)
    assert (
        client.post(reverse("organisations:council_focus"), {"council": value}).status_code == 302
    )


def narrows(client: Client, url: str, markers: Sequence[str], two: TwoCouncilProvider) -> None:
    """Choosing the weekly council shows its marker (`markers[0]`) and not the four-weekly
    council's (`markers[1]`); choosing the four-weekly council the reverse; All councils both."""
    weekly, four_weekly = markers
    for chosen, shown, hidden in (
        (two.weekly.pk, weekly, four_weekly),
        (two.four_weekly.pk, four_weekly, weekly),
    ):
        choose_council(client, chosen)
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert shown in page, (url, chosen)
        assert hidden not in page, (url, chosen)
    choose_council(client, None)
    page = client.get(url).content.decode()
    assert weekly in page and four_weekly in page, url


def a_stranger_shows_neither(
    client: Client,
    url: str,
    markers: tuple[str, ...],
    two: TwoCouncilProvider,
    key: str = "council",
) -> None:
    """A council id the provider does not work with in the list's query string, whichever
    council it looks at: an answer, and none of `markers` (its rows, and another provider's)."""
    stranger = Council.objects.get(name=STRANGER)
    for chosen in (two.weekly.pk, None):
        choose_council(client, chosen)
        response = client.get(url, {key: str(stranger.pk)})
        assert response.status_code == 200, url
        page = response.content.decode()
        assert [marker for marker in markers if marker in page] == [], url


def _markers(two: TwoCouncilProvider) -> dict[str, tuple[str, str]]:
    """Each page, with a marker of the weekly council's data and one of the four-weekly's."""
    people = (two.weekly_person.last_name, two.four_weekly_person.last_name)
    week = f"{reverse('actuals:week')}?service={two.service.pk}&week={two.week.isoformat()}"
    return {
        reverse("contracts:document_list"): people,
        reverse("cplis:cpli_list"): people,
        reverse("cplis:po_list"): people,
        week: people,
        reverse("actuals:period_list"): (
            reverse("actuals:period", args=[two.open_period.pk]),
            reverse("actuals:period", args=[two.paid_period.pk]),
        ),
    }


def test_each_page_shows_only_the_chosen_councils_work_and_both_for_all() -> None:
    two = make_two_council_provider()
    client = client_for(two.carer)
    for url, (weekly, four_weekly) in _markers(two).items():
        choose_council(client, two.weekly.pk)
        page = client.get(url).content.decode()
        assert weekly in page, url
        assert four_weekly not in page, url
        choose_council(client, two.four_weekly.pk)
        page = client.get(url).content.decode()
        assert four_weekly in page, url
        assert weekly not in page, url
        choose_council(client, None)
        page = client.get(url).content.decode()
        assert weekly in page and four_weekly in page, url


def test_the_cpli_export_is_of_the_chosen_council_and_says_so() -> None:
    two = make_two_council_provider()
    client = client_for(two.carer)
    choose_council(client, two.four_weekly.pk)
    response = client.get(reverse("cplis:cpli_export_csv"))
    content = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert two.four_weekly.slug in response["Content-Disposition"]
    assert two.four_weekly_person.ss_ref in content
    assert two.weekly_person.ss_ref not in content


def test_a_council_filter_in_the_query_string_is_explicit_and_a_strangers_shows_nothing() -> None:
    two = make_two_council_provider()
    stranger = make_council(STRANGER)
    client = client_for(two.carer)
    choose_council(client, two.weekly.pk)
    lists = (
        "referrals:pending",
        "referrals:existing",
        "payments:invoice_list",
        "payments:remittance_list",
    )
    for name in lists:
        url = reverse(name)
        assert client.get(url, {"council": str(two.four_weekly.pk)}).status_code == 200, url
        for value in (str(stranger.pk), "9" * 30, "abc"):
            assert client.get(url, {"council": value}).status_code == 200, url
    for name in ("payments:variation_list", "payments:claim_list"):
        assert client.get(reverse(name), {"organisation": str(stranger.pk)}).status_code == 200


def test_a_council_user_sees_no_change() -> None:
    two = make_two_council_provider()
    client = client_for(two.weekly_broker)
    session = client.session
    session[SESSION_KEY] = two.four_weekly.pk  # never theirs to choose
    session.save()
    page = client.get(reverse("contracts:document_list")).content.decode()
    assert two.weekly_person.last_name in page
    assert two.four_weekly_person.last_name not in page


# --- Every other page that lists a provider's work, with work at both councils ---------------


def _provider_user(two: TwoCouncilProvider) -> User:
    """The provider's Super User (Scheduled): it sees every provider page, payments too."""
    return make_user(provider=two.provider, role="super_user_scheduled")


def _accepted(council: Council, two: TwoCouncilProvider, by: User) -> str:
    """A referral the provider accepted (an existing service user): the person's surname."""
    referral = make_referral(council, two.provider)
    referral_accept(referral=referral, by=by, first_visit_at=now() + timedelta(days=1))
    return referral.service_user.last_name


def _publish(two: TwoCouncilProvider, council: Council, broker: User, level: object) -> None:
    """A contract document published to the provider and not answered yet."""
    person = people.service_user_create(
        council=council,
        by=broker,
        ss_ref=f"WA{next(_waiting):05d}",
        first_name="Vera",
        last_name="Waiting",
        date_of_birth=date(1944, 3, 8),
    )
    contracts.contract_document_publish(
        council=council,
        service=two.service,
        service_user=person,
        care_package_reference=f"CP-WAIT-{person.pk}",
        lines=[
            contracts.Line(
                service_level=level,  # type: ignore[arg-type]
                quantity=Decimal("5"),
                rate=Decimal("18.50"),
                pricing_basis=PricingBasis.SPOT,
                start_date=today(),
                end_date=None,
                visits=5,
            )
        ],
        by=broker,
    )


def test_the_referral_lists_and_the_home_page_show_the_chosen_councils_work() -> None:
    two = make_two_council_provider()
    user = _provider_user(two)
    client = client_for(user)
    pending = [make_referral(c, two.provider).service_user.last_name for c in _both(two)]
    existing = [_accepted(c, two, user) for c in _both(two)]
    narrows(client, reverse("referrals:pending"), pending, two)
    narrows(client, reverse("referrals:existing"), existing, two)
    # Another provider's referral at a council ours does not work with is never listed.
    stranger = make_council(STRANGER)
    other = make_provider()
    make_contract(stranger, other)
    theirs = make_referral(stranger, other).service_user.last_name
    for name in ("referrals:pending", "referrals:existing"):
        a_stranger_shows_neither(client, reverse(name), (*pending, *existing, theirs), two)

    # Home: the attention items count the chosen council's documents waiting for an answer (one
    # at the weekly council, two at the four-weekly), and its contracts are the chosen one's.
    _publish(two, two.weekly, two.weekly_broker, two.weekly_level)
    for _ in range(2):
        _publish(two, two.four_weekly, two.four_weekly_broker, two.four_weekly_level)
    waiting = "Contract documents waiting for your answer: {}"
    home = reverse("home:home")
    contracts_ = (two.weekly_contract.reference, two.four_weekly_contract.reference)
    narrows(client, home, contracts_, two)
    for chosen, waiting_there in ((two.weekly.pk, 1), (two.four_weekly.pk, 2), (None, 3)):
        choose_council(client, chosen)
        page = client.get(home).content.decode()
        assert [n for n in (1, 2, 3) if waiting.format(n) in page] == [waiting_there], chosen


def _both(two: TwoCouncilProvider) -> tuple[Council, Council]:
    return (two.weekly, two.four_weekly)


def _disputed(two: TwoCouncilProvider, council: Council, week: date, officer: User) -> int:
    """A dispute the council raised about the provider's actual row for `week`."""
    cpli = two.weekly_cpli if council == two.weekly else two.four_weekly_cpli
    actuals.actuals_save(
        two.carer, [actuals.Item(cpli.pk, week, Entry(actual=cpli.quantity, visits=10), week)]
    )
    row = cpli.actuals.get(week_start=week)
    dispute = disputes.dispute_raise(
        by=officer, reason=reason_of(council), details="Two visits were short.", actual_ids=[row.pk]
    )
    return dispute.pk


def _asked(two: TwoCouncilProvider, council: Council, user: User) -> tuple[str, str, str]:
    """At the council: a variation request, an action and a change request from the provider;
    the detail page of each (the lists link each row to its page)."""
    team = org.team_create(council=council, name="Brokerage Team", kind=TeamKind.BROKERAGE)
    weekly = council == two.weekly
    cpli = two.weekly_cpli if weekly else two.four_weekly_cpli
    this_week = week_of(today(), council.rulebook.actuals_week_start)
    variation = variation_request_create(
        by=user,
        cpli=cpli,
        first_week=this_week,
        last_week=this_week,
        extra_quantity=Decimal("2"),
        reason="More help after a fall.",
    )
    action = actions.action_create(
        by=user,
        new=actions.NewAction(
            council=council,
            provider=two.provider,
            action_type=two.weekly_action_type if weekly else two.four_weekly_action_type,
            related_kind=RelatedKind.PROVIDER,
            related_id=None,
            due_date=today() + timedelta(days=7),
            team=team,
            title=f"Rounding question for {council.name}",
            text="How are part hours rounded?",
        ),
    )
    request = org.change_request_raise(
        by=user,
        kind="new_contact",
        council=council,
        proposed={
            "first_name": "Morgan",
            "last_name": f"Reeve{council.pk}",
            "email": f"morgan.reeve{council.pk}@example.org",
            "role": "read_only",
        },
    )
    return (
        reverse("payments:variation_detail", args=[variation.pk]),
        reverse("actions:action_detail", args=[action.pk]),
        reverse("organisations:change_request_detail", args=[request.pk]),
    )


def test_disputes_variations_actions_and_change_requests_are_the_chosen_councils() -> None:
    two = make_two_council_provider()
    user = _provider_user(two)
    client = client_for(user)
    weeks = (two.week, two.paid_period.end_date + timedelta(days=1))  # not paid at either
    officers = (two.weekly_officer, two.four_weekly_officer)
    raised = [
        reverse("disputes:dispute_detail", args=[_disputed(two, council, week, officer)])
        for council, week, officer in zip(_both(two), weeks, officers, strict=True)
    ]
    narrows(client, reverse("disputes:dispute_list"), raised, two)
    weekly, four_weekly = (_asked(two, council, user) for council in _both(two))
    lists = ("payments:variation_list", "actions:action_list", "organisations:change_request_list")
    for name, at_weekly, at_four_weekly in zip(lists, weekly, four_weekly, strict=True):
        narrows(client, reverse(name), (at_weekly, at_four_weekly), two)
    make_council(STRANGER)
    variations = (weekly[0], four_weekly[0])
    a_stranger_shows_neither(
        client, reverse("payments:variation_list"), variations, two, key="organisation"
    )


def test_a_reports_council_filter_starts_at_the_chosen_council() -> None:
    two = make_two_council_provider()
    client = client_for(_provider_user(two))
    report = reverse("reports:report", args=["commissioned-v-actuals"])
    for chosen in (two.weekly.pk, two.four_weekly.pk, None):
        choose_council(client, chosen)
        assert client.get(reverse("reports:index")).status_code == 200
        response = client.get(report)
        assert response.status_code == 200
        page = response.content.decode()
        selected = [c.pk for c in _both(two) if f'value="{c.pk}" selected' in page]
        assert selected == ([] if chosen is None else [chosen])
        assert response.context["form"]["council"].value() in ((chosen,) if chosen else ("", None))


def test_the_week_and_the_cpli_list_take_as_many_queries_for_one_council_as_for_all() -> None:
    two = make_two_council_provider()
    client = client_for(two.carer)
    week = f"{reverse('actuals:week')}?service={two.service.pk}&week={two.week.isoformat()}"
    for url in (week, reverse("cplis:cpli_list")):
        counted = []
        for chosen in (two.weekly.pk, None):
            choose_council(client, chosen)
            client.get(url)  # the session and caches warmed alike
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counted.append(len(queries))
        assert counted[0] == counted[1], (url, counted)
