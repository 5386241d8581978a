"""The referrals and service users help topics open to their readers, with the rules of the
reader's council."""

import pytest
from django.urls import reverse

from carebridge.help.content.referrals import NOT_PAGES, TOPICS
from carebridge.help.topics import Audience
from tests.support import client_for, make_contract, make_council, make_provider, make_user


@pytest.fixture
def readers(db):
    """A provider's Super User and a broker of a council whose reply window is 2½ hours."""
    council = make_council(referral_response_minutes=150)
    provider = make_provider()
    make_contract(council, provider)
    return {
        Audience.PROVIDER: make_user(provider=provider, role="super_user_actuals"),
        Audience.EVERYONE: make_user(provider=provider, role="read_only"),
        Audience.COUNCIL: make_user(council=council, role="broker"),
    }


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_referrals_topic_opens_to_its_reader_with_the_councils_rules(readers, topic):
    client = client_for(readers[topic.audience])
    response = client.get(reverse("help:topic", kwargs={"slug": topic.slug}))
    assert response.status_code == 200
    page = response.content.decode()
    assert topic.title.replace("'", "&#x27;") in page
    if "referrals" in topic.areas:
        assert "2 hours and 30 minutes" in page


def test_the_referral_apis_are_not_pages_with_help_of_their_own():
    assert {"api_referral_list", "provider_api_referral_accept"} <= NOT_PAGES


def test_the_pending_referrals_help_link_opens_its_topic(readers):
    page = client_for(readers[Audience.PROVIDER]).get(reverse("referrals:pending"))
    assert reverse("help:topic", kwargs={"slug": "pending-referrals"}) in page.content.decode()
