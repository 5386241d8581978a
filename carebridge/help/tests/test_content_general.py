"""The general help topics (the home page, finding your way around, the help itself, the
council's own help and the static pages) open to their readers."""

import pytest
from django.urls import reverse

from carebridge.help.content.general import NOT_PAGES, TOPICS
from carebridge.help.tests.support import read_topic, topic_page
from carebridge.help.topics import Audience
from tests.support import client_for, make_two_council_provider


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_general_topic_opens_to_its_reader(council, readers, topic):
    # A visitor comes to the general help without naming a council.
    assert "If you are stuck" in read_topic(readers, council, topic, query="")


def test_the_health_check_is_not_a_page_with_help_of_its_own():
    assert "core:healthz" in NOT_PAGES


def test_the_home_pages_help_link_opens_the_home_topic(readers):
    page = client_for(readers[Audience.PROVIDER]).get(reverse("home:home")).content.decode()
    assert reverse("help:topic", kwargs={"slug": "home"}) in page


def test_the_help_index_links_a_visitor_to_the_help_on_using_the_help(client, db):
    page = client.get(reverse("help:index")).content.decode()
    assert reverse("help:topic", kwargs={"slug": "using-help"}) in page


def test_finding_your_way_explains_the_header_and_changing_council(readers):
    page = topic_page(readers[Audience.EVERYONE], "finding-your-way-around")
    for words in ("Your account", "Log out", "actions waiting", "Change council", "Looking at"):
        assert words in page


def test_a_provider_of_two_councils_reads_the_home_help_with_both_councils_contacts(db):
    two = make_two_council_provider()
    page = topic_page(two.carer, "home")
    assert f"Contact {two.weekly.name}" in page
    assert f"Contact {two.four_weekly.name}" in page
