"""The "Change council" page: a provider of several councils chooses the one it looks at (or all
of them), kept in the session and taken back to the page it came from; a council's staff and a
provider of one council see theirs."""

import re

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.http import HttpRequest
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.organisations.focus import SESSION_KEY, chosen_council_id
from tests.support import (
    TwoCouncilProvider,
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_two_council_provider,
    make_user,
)

pytestmark = pytest.mark.django_db

URL = reverse("organisations:council_focus")


@pytest.fixture
def two() -> TwoCouncilProvider:
    return make_two_council_provider()


def test_a_provider_of_two_councils_is_offered_each_and_all(two: TwoCouncilProvider) -> None:
    response = client_for(two.carer).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a council" in page
    assert two.weekly.name in page
    assert two.four_weekly.name in page
    assert "All councils" in page


def test_a_provider_chooses_a_council_and_goes_back_to_the_page_it_came_from(
    two: TwoCouncilProvider,
) -> None:
    client = client_for(two.carer)
    back = reverse("contracts:document_list")
    response = client.post(URL, {"council": str(two.four_weekly.pk), "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    assert client.session[SESSION_KEY] == two.four_weekly.pk
    # The page now starts at the chosen council.
    page = client.get(URL).content.decode()
    assert re.search(rf'value="{two.four_weekly.pk}"[^>]*checked', page)


def test_a_provider_chooses_all_councils_again(two: TwoCouncilProvider) -> None:
    client = client_for(two.carer)
    client.post(URL, {"council": str(two.weekly.pk)})
    response = client.post(URL, {"council": "all"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home:home")
    assert SESSION_KEY not in client.session


def test_a_council_the_provider_does_not_work_with_is_refused_and_not_kept(
    two: TwoCouncilProvider,
) -> None:
    stranger = make_council("Stranger Borough Council")
    client = client_for(two.carer)
    response = client.post(URL, {"council": str(stranger.pk)})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("value", ["", "not-a-number", "9" * 30])
def test_a_missing_or_tampered_choice_is_an_error_never_a_500(
    two: TwoCouncilProvider, value: str
) -> None:
    client = client_for(two.carer)
    response = client.post(URL, {"council": value})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("elsewhere", ["https://evil.example.org/", "//evil.example.org/x"])
def test_next_goes_back_only_to_this_site(two: TwoCouncilProvider, elsewhere: str) -> None:
    response = client_for(two.carer).post(URL, {"council": str(two.weekly.pk), "next": elsewhere})
    assert response.status_code == 302
    assert response["Location"] == reverse("home:home")


def test_a_council_user_sees_their_council_and_cannot_switch(two: TwoCouncilProvider) -> None:
    client = client_for(two.weekly_broker)
    page = client.get(URL).content.decode()
    assert "Your council" in page
    assert two.weekly.name in page
    assert two.four_weekly.name not in page
    response = client.post(URL, {"council": str(two.four_weekly.pk)})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_a_provider_of_one_council_sees_it_only() -> None:
    council = make_council("Solo Council")
    provider = make_provider("Solo Care")
    make_contract(council, provider)
    page = client_for(make_user(provider=provider)).get(URL).content.decode()
    assert "Your council" in page
    assert "Solo Council" in page


def _request_of(user: User, chosen: int | None = None) -> HttpRequest:
    """A request of the user with a session holding the council chosen, if any."""
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionBase()
    if chosen is not None:
        request.session[SESSION_KEY] = chosen
    return request


def test_it_reads_no_council_when_nothing_was_chosen(two: TwoCouncilProvider) -> None:
    request = _request_of(two.carer)
    with CaptureQueriesContext(connection) as captured:
        assert chosen_council_id(request) is None
    assert len(captured) == 0


def test_it_never_uses_a_chosen_council_the_provider_no_longer_works_with(
    two: TwoCouncilProvider,
) -> None:
    assert chosen_council_id(_request_of(two.carer, two.weekly.pk)) == (two.weekly.pk)
    stranger = make_council(name="Elsewhere Council")
    assert chosen_council_id(_request_of(two.carer, stranger.pk)) is None
