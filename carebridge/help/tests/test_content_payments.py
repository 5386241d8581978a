"""The payments help topics open to their readers, with the payment rules of the reader's
council drawn from its settings."""

import pytest
from django.urls import reverse

from carebridge.help.content.payments import NOT_PAGES, TOPICS
from carebridge.help.tests.support import read_topic, readers_for, topic_page
from carebridge.help.topics import Audience
from tests.support import client_for, make_council


@pytest.fixture
def council(db):
    """A council that pays in blocks of 5 weeks, 2 in advance, and checks actuals 15% over plan."""
    return make_council(
        scheduled_payment_weeks=5, scheduled_weeks_in_advance=2, actuals_over_plan_percent=15
    )


@pytest.fixture
def readers(council):
    """A provider's Super User (Actuals) and the council's payments officer."""
    return readers_for(council, council_role="payments_officer")


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_payments_topic_opens_to_its_reader_with_the_councils_rules(council, readers, topic):
    assert topic.areas, "every payments topic shows a council's rules"
    read_topic(readers, council, topic)


def test_the_scheduled_payments_topic_gives_the_councils_blocks(council, readers):
    page = topic_page(readers[Audience.PROVIDER], "scheduled-payments")
    assert "5 weeks" in page
    assert "2 weeks" in page


def test_the_variation_topics_give_the_councils_allowance_over_plan(council, readers):
    assert "15%" in topic_page(readers[Audience.PROVIDER], "variation-requests")
    assert "15%" in topic_page(readers[Audience.COUNCIL], "variation-decisions")


def test_the_downloads_posts_and_api_of_payments_are_not_pages_with_help_of_their_own():
    assert {
        "payments:invoice_pdf",
        "payments:run_export",
        "payments:invoice_submit",
        "provider_api_invoices",
        "provider_api_payments",
    } <= NOT_PAGES


def test_the_invoices_help_link_opens_its_topic(readers):
    page = client_for(readers[Audience.PROVIDER]).get(reverse("payments:invoice_list"))
    assert reverse("help:topic", kwargs={"slug": "invoices"}) in page.content.decode()


def test_the_payment_runs_help_link_opens_its_topic(readers):
    page = client_for(readers[Audience.COUNCIL]).get(reverse("payments:run_list"))
    assert reverse("help:topic", kwargs={"slug": "payment-runs"}) in page.content.decode()
