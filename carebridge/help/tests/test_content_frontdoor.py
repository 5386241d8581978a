"""The front door's help topics: the officers' open to council staff, the residents' to anyone
without logging in, each with the council's front-door phone and hours."""

import pytest
from django.urls import reverse

from carebridge.frontdoor.requests.services import front_door_open_set, front_door_settings_update
from carebridge.help.content.frontdoor import NOT_PAGES, OFFICER_TOPICS, PUBLIC_TOPICS, TOPICS
from carebridge.help.tests.support import read_topic, readers_for
from carebridge.help.topics import Audience
from tests.support import client_for, make_council

PHONE = "01632 960 123"


@pytest.fixture
def council(db):
    council = make_council()
    front_door_settings_update(
        council=council,
        by=None,
        contact_phone=PHONE,
        out_of_hours_contact="Duty team 01632 960 999",
    )
    front_door_open_set(council=council, by=None, is_open=True)
    return council


@pytest.fixture
def readers(council):
    """A front door officer of the council and a resident who is not logged in."""
    return readers_for(council, council_role="front_door_officer")


@pytest.mark.parametrize("topic", OFFICER_TOPICS, ids=lambda topic: topic.slug)
def test_each_officer_topic_opens_to_a_front_door_officer_with_the_councils_settings(
    council, readers, topic
):
    page = read_topic(readers, council, topic)
    if "frontdoor" in topic.areas:
        assert PHONE in page


@pytest.mark.parametrize("topic", PUBLIC_TOPICS, ids=lambda topic: topic.slug)
def test_each_residents_topic_opens_without_logging_in_with_the_councils_phone(
    council, readers, topic
):
    assert readers[topic.audience] is None
    page = read_topic(readers, council, topic)
    assert PHONE in page
    assert "Duty team 01632 960 999" in page
    assert f"/care-and-support/{council.slug}/" in page


def test_every_topic_is_for_council_staff_or_the_public():
    assert {topic.audience for topic in TOPICS} == {Audience.COUNCIL, Audience.PUBLIC}
    assert {"frontdoor:feedback_export", "frontdoor:dashboard"} == NOT_PAGES


def test_a_residents_help_link_carries_the_council_and_opens_the_topic(council):
    page = client_for(None).get(reverse("care:start", kwargs={"council": council.slug}))
    help_url = reverse("help:topic", kwargs={"slug": "asking-for-care-and-support"})
    assert f"{help_url}?council={council.slug}" in page.content.decode()
