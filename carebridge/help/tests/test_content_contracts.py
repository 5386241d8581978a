"""The contracts help topics (contract documents, care package line items, purchase orders and
service levels) open to their readers."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from carebridge.help.content.contracts import NOT_PAGES, TOPICS
from carebridge.help.rules import rules_for
from carebridge.help.topics import Audience
from tests.support import client_for, make_contract, make_council, make_provider, make_user

# The council role that uses each council topic's pages.
COUNCIL_ROLE = {
    "publish-contract-document": "broker",
    "service-levels": "council_administrator",
}


@pytest.fixture
def council(db):
    return make_council()


@pytest.fixture
def provider(council):
    provider = make_provider()
    make_contract(council, provider)
    return provider


def _reader(topic, council, provider):
    if topic.audience == Audience.COUNCIL:
        return make_user(council=council, role=COUNCIL_ROLE[topic.slug])
    return make_user(provider=provider, role="super_user_actuals")


def _page(user, slug):
    response = client_for(user).get(reverse("help:topic", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_contracts_topic_opens_to_its_reader(council, provider, topic):
    page = _page(_reader(topic, council, provider), topic.slug)
    assert escape(topic.title) in page
    for _heading, rules in rules_for(council, topic.areas):
        for rule in rules:
            assert escape(rule.text) in page


def test_the_contract_documents_help_explains_each_status(council, provider):
    page = _page(make_user(provider=provider, role="read_only"), "contract-documents")
    for status in ("Published", "Agreed", "Rejected", "Terminated"):
        assert f"<strong>{status}</strong>" in page


def test_the_contract_documents_page_help_link_opens_its_topic(council, provider):
    user = make_user(provider=provider, role="super_user_actuals")
    page = client_for(user).get(reverse("contracts:document_list")).content.decode()
    assert reverse("help:topic", kwargs={"slug": "contract-documents"}) in page


def test_the_downloads_and_api_of_contracts_are_not_pages_with_help_of_their_own():
    assert {
        "contracts:document_pdf",
        "cplis:cpli_export_csv",
        "cplis:cpli_export_xlsx",
        "provider_api_cplis",
    } == NOT_PAGES
