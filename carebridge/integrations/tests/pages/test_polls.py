"""The poll log: each poll of the council's referral feed, newest first, fifty a page, with what
came of it (received, created, duplicates, each refusal with its reason, the error), in the
guides' times; the council's administrators alone, and only their council's polls."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.integrations import connections
from carebridge.integrations.models import FeedPoll
from tests.support import client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

URL = "integrations:polls"
# 14:23 UTC on 22 May 2026 is 3:23pm in London (summer time).
STARTED = datetime(2026, 5, 22, 14, 23, tzinfo=UTC)


def poll(council, minutes=0, **fields) -> FeedPoll:
    """A poll as the poller records it."""
    started = STARTED + timedelta(minutes=minutes)
    return FeedPoll.objects.create(
        council=council, started_at=started, finished_at=started + timedelta(seconds=2), **fields
    )


@pytest.mark.parametrize("role", ["broker", "payments_officer", "front_door_officer", "provider"])
def test_only_the_councils_administrators_see_it(council, role):
    if role == "provider":
        user = make_user(provider=make_provider(), role="super_user_scheduled")
    else:
        user = make_user(council=council, role=role)

    assert client_for(user).get(reverse(URL)).status_code == 403


def test_it_shows_what_each_poll_took_refused_and_failed_on(council, administrator):
    connections.case_system_update(
        council=council,
        by=None,
        name="Mosaic",
        base_url="https://mosaic.example.org/api",
        polling_enabled=True,
        updates_enabled=True,
    )
    poll(
        council,
        received=12,
        created=9,
        duplicates=2,
        refused=1,
        refusals=[{"id": "CM-000777", "reason": "Enter the district: none is called Neverland"}],
    )
    poll(council, minutes=2, error="The feed answered 503 Service Unavailable", status_code=503)

    response = client_for(administrator).get(reverse(URL))

    page = response.content.decode()
    assert response.status_code == 200
    assert "3:23pm 22/05/2026" in page and "3:25pm 22/05/2026" in page
    assert page.index("3:25pm") < page.index("3:23pm")  # newest first
    for count in (">12<", ">9<", ">2<", ">1<"):
        assert count in page
    assert "CM-000777: Enter the district: none is called Neverland" in page
    assert "503: The feed answered 503 Service Unavailable" in page
    assert "every 2 minutes" in page


def test_it_pages_fifty_polls_and_hides_other_councils_polls(council, administrator):
    for minutes in range(51):
        poll(council, minutes=minutes * 2, received=minutes)
    poll(make_council("Wrekinshire Council"), received=4242)
    client = client_for(administrator)

    first = client.get(reverse(URL))
    second = client.get(reverse(URL), {"page": "2"})

    assert first.context["page"].paginator.count == 51
    assert len(first.context["page"].object_list) == 50
    assert [p.received for p in second.context["page"].object_list] == [0]
    assert 'class="govuk-pagination"' in first.content.decode()
    assert ">4242<" not in first.content.decode() + second.content.decode()


def test_without_a_system_it_says_how_to_set_one_up(administrator):
    page = client_for(administrator).get(reverse(URL)).content.decode()

    assert "not set up yet" in page
    assert reverse("integrations:case_system") in page


def test_a_page_showing_refusals_or_errors_is_audited_and_one_without_is_not(
    council, administrator
):
    client = client_for(administrator)
    poll(council, received=3, created=3)

    client.get(reverse(URL))
    assert not Event.objects.filter(action="integrations.poll_log_read").exists()

    # A refusal's reason may repeat what the system sent of a person.
    poll(council, minutes=2, refused=1, refusals=[{"id": "CM-1", "reason": "Enter a postcode"}])
    client.get(reverse(URL))

    event = Event.objects.get(action="integrations.poll_log_read")
    assert (event.actor, event.council_id) == (administrator, council.pk)
    assert event.detail == {"page": 1, "count": 1}
