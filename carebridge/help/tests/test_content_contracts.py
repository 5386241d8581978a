"""The contracts help topics (contract documents, care package line items, purchase orders and
service levels) open to their readers."""

import pytest
from django.urls import reverse

from carebridge.help.content.contracts import NOT_PAGES, TOPICS
from carebridge.help.tests.support import read_topic, readers_for, topic_page
from carebridge.help.topics import Audience
from tests.support import client_for, make_user

# The council role that uses each council topic's pages.
COUNCIL_ROLE = {
    "publish-contract-document": "broker",
    "service-levels": "council_administrator",
}


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_contracts_topic_opens_to_its_reader(council, topic):
    role = (
        COUNCIL_ROLE[topic.slug] if topic.audience == Audience.COUNCIL else "council_administrator"
    )
    read_topic(readers_for(council, council_role=role), council, topic)


def test_the_contract_documents_help_explains_each_status(readers):
    provider = readers[Audience.PROVIDER].provider
    page = topic_page(make_user(provider=provider, role="read_only"), "contract-documents")
    for status in ("Published", "Agreed", "Rejected", "Terminated"):
        assert f"<strong>{status}</strong>" in page


def test_the_contract_documents_page_help_link_opens_its_topic(readers):
    page = client_for(readers[Audience.PROVIDER]).get(reverse("contracts:document_list"))
    assert reverse("help:topic", kwargs={"slug": "contract-documents"}) in page.content.decode()


def test_the_downloads_and_api_of_contracts_are_not_pages_with_help_of_their_own():
    assert {
        "contracts:document_pdf",
        "cplis:cpli_export_csv",
        "cplis:cpli_export_xlsx",
        "provider_api_cplis",
    } == NOT_PAGES
