"""The pages with the real poller and the simulator over HTTP: an administrator's wrong API key
makes the feed fail, which the case-management page and the poll log show; mending the key on
the page has the feed polled at once, and the poll log shows what came of it."""

from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils.html import escape

from carebridge.referrals import casefeed
from carebridge.referrals.tests.casefeed_support import KEY, NOW, Feed, feed_world
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(loopback_allowed) -> Iterator[Feed]:
    with feed_world() as world:
        yield world


def form(feed: Feed, api_key: str) -> dict[str, str]:
    return {
        "name": "Mosaic",
        "base_url": f"{feed.sim.url}/case-management",
        "api_key": api_key,
        "polling_enabled": "on",
        "updates_enabled": "on",
    }


def test_a_wrong_key_shows_as_failed_polls_and_the_mended_key_is_polled_at_once(feed):
    feed.add(2)
    feed.add(1, district="Atlantis")
    administrator = make_user(council=feed.council, role="council_administrator")
    client = client_for(administrator)

    client.post(reverse("integrations:case_system"), form(feed, "not-the-key"))
    failed = casefeed.poll(feed.council.pk)

    assert failed is not None and failed.status_code == 401
    page = client.get(reverse("integrations:case_system")).content.decode()
    assert "Failures in a row" in page and 'govuk-tag--red">1<' in page
    log = client.get(reverse("integrations:polls")).content.decode()
    assert "Failed</strong> 401:" in log

    client.post(reverse("integrations:case_system"), form(feed, KEY))
    system = feed.system()
    assert (system.failures, system.next_poll_at) == (0, NOW)  # due now, not after the back-off
    taken = casefeed.poll(feed.council.pk)

    assert taken is not None
    assert (taken.received, taken.created, taken.duplicates, taken.refused) == (3, 2, 0, 1)
    log = client.get(reverse("integrations:polls"))
    polls = list(log.context["page"].object_list)
    assert [p.pk for p in polls] == [taken.pk, failed.pk]
    refusal = taken.refusals[0]
    assert escape(f"{refusal['id']}: {refusal['reason'][:80]}") in log.content.decode()
    deliveries = client.get(reverse("integrations:deliveries"), {"status": "all", "system": "case"})
    assert deliveries.context["page"].paginator.count == 2  # an acknowledgement of each
