"""The reports help topics open to their readers, and the report page's topic says what every
report of the catalogue answers."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from carebridge.help.content.reports import NOT_PAGES, TOPICS
from carebridge.help.tests.support import read_topic, readers_for, topic_page
from carebridge.help.topics import Audience
from carebridge.reports.base import REGISTRY
from carebridge.reports.catalogue import discover
from tests.support import client_for


@pytest.fixture
def readers(council):
    """A provider's Super User (Actuals) and a council's payments officer, who both read reports."""
    return readers_for(council, council_role="payments_officer")


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.slug)
def test_each_reports_topic_opens_to_its_reader(council, readers, topic):
    read_topic(readers, council, topic)


def test_a_councils_officer_reads_the_reports_topics_too(readers):
    for slug in ("reports", "reading-a-report"):
        assert "Reports" in topic_page(readers[Audience.COUNCIL], slug)


def test_the_report_topic_names_every_report_of_the_catalogue(readers):
    discover()
    page = topic_page(readers[Audience.EVERYONE], "reading-a-report")
    missing = [report.title for report in REGISTRY.values() if escape(report.title) not in page]
    assert not missing


def test_the_downloads_are_not_pages_with_help_of_their_own():
    assert {"reports:download", "reports:cld_download", "reports:cld_la_code"} <= NOT_PAGES


def test_the_reports_help_link_opens_its_topic(readers):
    page = client_for(readers[Audience.PROVIDER]).get(reverse("reports:index"))
    assert reverse("help:topic", kwargs={"slug": "reports"}) in page.content.decode()
