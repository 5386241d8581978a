"""The actions, organisations and integrations help topics open to their readers, with the
rules of the reader's council where a council rule applies."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from carebridge.help import rules
from carebridge.help.content import actions, integrations, organisations
from carebridge.help.topics import Audience
from tests.support import (
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_two_council_provider,
    make_user,
)

TOPICS = [*actions.TOPICS, *organisations.TOPICS, *integrations.TOPICS]


@pytest.fixture
def council(db):
    """A council that polls its case-management system every 5 minutes."""
    return make_council(case_feed_poll_seconds=300)


@pytest.fixture
def readers(council):
    provider = make_provider()
    make_contract(council, provider)
    super_user = make_user(provider=provider, role="super_user_actuals")
    return {
        Audience.PROVIDER: super_user,
        Audience.EVERYONE: super_user,
        Audience.COUNCIL: make_user(council=council, role="council_administrator"),
    }


def _page(user, slug):
    response = client_for(user).get(reverse("help:topic", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_topic_opens_to_its_reader_with_the_councils_rules(council, readers, topic):
    page = _page(readers[topic.audience], topic.slug)
    assert escape(topic.title) in page
    if topic.areas:
        assert f"The rules at {escape(council.name)}" in page
        for _heading, area_rules in rules.rules_for(council, topic.areas):
            assert escape(area_rules[0].text) in page


def test_the_connections_help_gives_the_councils_poll_interval(readers):
    assert "5 minutes" in _page(readers[Audience.COUNCIL], "case-management-system")


def test_downloads_approvals_and_the_api_description_are_not_pages():
    assert "actions:attachment_download" in actions.NOT_PAGES
    assert "organisations:change_request_approve" in organisations.NOT_PAGES
    assert {"api_schema", "api_docs"} <= integrations.NOT_PAGES


def test_the_change_council_page_opens_the_help_on_choosing_a_council(db):
    two = make_two_council_provider()
    page = client_for(two.carer).get(reverse("organisations:council_focus")).content.decode()
    assert reverse("help:topic", kwargs={"slug": "choosing-a-council"}) in page
