"""The actuals and disputes help topics open to their readers, with the rules of the reader's
council; the weekly actuals page's help explains every step and column of the week."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from carebridge.help.content.actuals import NOT_PAGES, TOPICS
from carebridge.help.tests.support import (
    assert_topic_shows_its_rules,
    read_topic,
    readers_for,
    topic_page,
)
from carebridge.help.topics import Audience, all_topics
from tests.support import client_for, make_council, make_two_council_provider


@pytest.fixture
def council(db):
    """A council that checks actuals 15% over plan and pays no extras."""
    return make_council(actuals_over_plan_percent=15, actuals_extras_allowed=False)


@pytest.fixture
def readers(council):
    """A provider's Super User (Actuals) and the council's payments officer."""
    return readers_for(council, council_role="payments_officer")


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_actuals_topic_opens_to_its_reader_with_the_councils_rules(council, readers, topic):
    read_topic(readers, council, topic)


def test_the_weekly_actuals_help_explains_each_step_and_column(readers):
    page = topic_page(readers[Audience.PROVIDER], "record-actuals")
    for words in (
        "Generate actuals",
        "Pl (planned)",
        "Frstd (",
        "Frustrated because",
        "Msd (",
        "Missed because",
        "Xtr (",
        "Variation code",
        "Vst (visits)",
        "Comments",
        "anything other than the planned service",
        "Does not add up",
        "Over plan",
        "Under plan",
        "Save changes",
        "Save and go to the next page",
        "Confirm actuals",
        "Confirm by",
        "Actuals bulk export",
        "Actuals bulk import",
        "Add/Edit",
    ):
        assert escape(words) in page, words


def test_the_weekly_actuals_help_gives_the_councils_threshold_and_extras(readers):
    page = topic_page(readers[Audience.PROVIDER], "record-actuals")
    assert "15% over its plan" in page
    assert "Extra quantities (Xtr) are not paid" in page


def test_a_provider_of_two_councils_reads_each_councils_actuals_rules(db):
    two = make_two_council_provider()
    record_actuals = all_topics()["record-actuals"]
    page = topic_page(two.carer, record_actuals.slug)
    for council in (two.weekly, two.four_weekly):
        assert_topic_shows_its_rules(page, council, record_actuals)


def test_the_weekly_actuals_page_help_link_opens_its_topic(readers):
    page = client_for(readers[Audience.PROVIDER]).get(reverse("actuals:week"))
    assert reverse("help:topic", kwargs={"slug": "record-actuals"}) in page.content.decode()


def test_the_disputes_help_explains_the_statuses_and_request_resolution(readers):
    page = topic_page(readers[Audience.PROVIDER], "disputes")
    for words in ("In Dispute", "Resolution Requested", "Resolved", "Request resolution"):
        assert words in page


def test_the_downloads_posts_and_api_of_actuals_are_not_pages_with_help_of_their_own():
    assert {
        "actuals:generate",
        "actuals:council_review_csv",
        "actuals:council_review_xlsx",
        "provider_api_actuals",
        "provider_api_actuals_csv",
        "provider_api_disputes",
    } == NOT_PAGES
