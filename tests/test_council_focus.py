"""A provider of several councils that chose one looks at that council's work only, on every
page that lists it; with "All councils" it sees both; a council id it does not work with shows
nothing and never an error. (The world is made once per test: it is slow to make.)"""

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.organisations.focus import SESSION_KEY
from tests.support import (
    TwoCouncilProvider,
    client_for,
    make_council,
    make_two_council_provider,
)

pytestmark = pytest.mark.django_db


def _choose(client: Client, council_pk: int | None) -> None:
    value = "all" if council_pk is None else str(council_pk)
    assert (
        client.post(reverse("organisations:council_focus"), {"council": value}).status_code == 302
    )


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
        _choose(client, two.weekly.pk)
        page = client.get(url).content.decode()
        assert weekly in page, url
        assert four_weekly not in page, url
        _choose(client, two.four_weekly.pk)
        page = client.get(url).content.decode()
        assert four_weekly in page, url
        assert weekly not in page, url
        _choose(client, None)
        page = client.get(url).content.decode()
        assert weekly in page and four_weekly in page, url


def test_the_cpli_export_is_of_the_chosen_council_and_says_so() -> None:
    two = make_two_council_provider()
    client = client_for(two.carer)
    _choose(client, two.four_weekly.pk)
    response = client.get(reverse("cplis:cpli_export_csv"))
    content = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert two.four_weekly.slug in response["Content-Disposition"]
    assert two.four_weekly_person.ss_ref in content
    assert two.weekly_person.ss_ref not in content


def test_a_council_filter_in_the_query_string_is_explicit_and_a_strangers_shows_nothing() -> None:
    two = make_two_council_provider()
    stranger = make_council("Stranger Borough Council")
    client = client_for(two.carer)
    _choose(client, two.weekly.pk)
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
