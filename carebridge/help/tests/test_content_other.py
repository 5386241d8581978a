"""The actions, organisations and integrations help topics open to their readers, with the
rules of the reader's council where a council rule applies."""

import pytest
from django.urls import reverse

from carebridge.help.content import actions, integrations, organisations
from carebridge.help.tests.support import read_topic, topic_page
from carebridge.help.topics import Audience
from tests.support import client_for, make_council, make_two_council_provider

TOPICS = [*actions.TOPICS, *organisations.TOPICS, *integrations.TOPICS]


@pytest.fixture
def council(db):
    """A council that polls its case-management system every 5 minutes."""
    return make_council(case_feed_poll_seconds=300)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_topic_opens_to_its_reader_with_the_councils_rules(council, readers, topic):
    read_topic(readers, council, topic)


def test_the_connections_help_gives_the_councils_poll_interval(readers):
    assert "5 minutes" in topic_page(readers[Audience.COUNCIL], "case-management-system")


def test_downloads_approvals_and_the_api_description_are_not_pages():
    assert "actions:attachment_download" in actions.NOT_PAGES
    assert "organisations:change_request_approve" in organisations.NOT_PAGES
    assert {"api_schema", "api_docs"} <= integrations.NOT_PAGES


def test_the_change_council_page_opens_the_help_on_choosing_a_council(db):
    two = make_two_council_provider()
    page = client_for(two.carer).get(reverse("organisations:council_focus")).content.decode()
    assert reverse("help:topic", kwargs={"slug": "choosing-a-council"}) in page
