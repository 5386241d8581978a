"""The payments help topics open to their readers, with the payment rules of the reader's
council drawn from its settings."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from carebridge.help.content.payments import NOT_PAGES, TOPICS
from carebridge.help.rules import rules_for
from carebridge.help.topics import Audience
from tests.support import client_for, make_contract, make_council, make_provider, make_user


@pytest.fixture
def council(db):
    """A council that pays in blocks of 5 weeks, 2 in advance, and checks actuals 15% over plan."""
    return make_council(
        scheduled_payment_weeks=5, scheduled_weeks_in_advance=2, actuals_over_plan_percent=15
    )


@pytest.fixture
def readers(council):
    """A provider's Super User (Actuals) and the council's payments officer."""
    provider = make_provider()
    make_contract(council, provider)
    return {
        Audience.PROVIDER: make_user(provider=provider, role="super_user_actuals"),
        Audience.COUNCIL: make_user(council=council, role="payments_officer"),
    }


def _page(user, slug):
    response = client_for(user).get(reverse("help:topic", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_payments_topic_opens_to_its_reader_with_the_councils_rules(council, readers, topic):
    page = _page(readers[topic.audience], topic.slug)
    assert escape(topic.title) in page
    assert topic.areas, "every payments topic shows a council's rules"
    assert f"The rules at {council.name}" in page
    for _heading, rules in rules_for(council, topic.areas):
        for rule in rules:
            assert escape(rule.text) in page


def test_the_scheduled_payments_topic_gives_the_councils_blocks(council, readers):
    page = _page(readers[Audience.PROVIDER], "scheduled-payments")
    assert "5 weeks" in page
    assert "2 weeks" in page


def test_the_variation_topics_give_the_councils_allowance_over_plan(council, readers):
    assert "15%" in _page(readers[Audience.PROVIDER], "variation-requests")
    assert "15%" in _page(readers[Audience.COUNCIL], "variation-decisions")


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
