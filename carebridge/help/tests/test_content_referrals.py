"""The referrals and service users help topics open to their readers, with the rules of the
reader's council."""

import pytest
from django.urls import reverse

from carebridge.help.content.referrals import NOT_PAGES, TOPICS
from carebridge.help.tests.support import read_topic, readers_for
from carebridge.help.topics import Audience
from tests.support import client_for, make_council


@pytest.fixture
def council(db):
    """A council whose reply window is 2½ hours."""
    return make_council(referral_response_minutes=150)


@pytest.fixture
def readers(council):
    """A provider's Super User, a read-only user of the same provider and a broker."""
    return readers_for(council, council_role="broker", everyone_role="read_only")


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_referrals_topic_opens_to_its_reader_with_the_councils_rules(council, readers, topic):
    page = read_topic(readers, council, topic)
    if "referrals" in topic.areas:
        assert "2 hours and 30 minutes" in page


def test_the_referral_apis_are_not_pages_with_help_of_their_own():
    assert {"api_referral_list", "provider_api_referral_accept"} <= NOT_PAGES


def test_the_pending_referrals_help_link_opens_its_topic(readers):
    page = client_for(readers[Audience.PROVIDER]).get(reverse("referrals:pending"))
    assert reverse("help:topic", kwargs={"slug": "pending-referrals"}) in page.content.decode()
