"""Every page of the portal has a help topic, every topic its words, and every page's Help link
opens the topic that explains it."""

import pytest
from django.template.loader import get_template
from django.urls import reverse

from carebridge.help.content import NOT_PAGES
from carebridge.help.topics import all_topics, topic_for_view
from tests.support import client_for, make_contract, make_council, make_provider, make_user
from tests.test_access_matrix import ALL_URLS

NAMES = {name for name, _pattern, _takes in ALL_URLS}


def test_every_page_has_a_help_topic():
    missing = sorted(n for n in NAMES if topic_for_view(n) is None and n not in NOT_PAGES)
    assert missing == [], f"Give these pages a help topic (carebridge/help/content/): {missing}"


def test_no_topic_or_list_names_a_view_that_does_not_exist():
    named = {view for topic in all_topics().values() for view in topic.views} | NOT_PAGES
    assert sorted(named - NAMES) == []


def test_a_page_is_not_both_a_topic_page_and_not_a_page():
    assert sorted(n for n in NOT_PAGES if topic_for_view(n) is not None) == []


@pytest.mark.parametrize("slug", sorted(all_topics()))
def test_every_topic_has_its_words(slug):
    get_template(all_topics()[slug].template)
    assert slug not in {"glossary", "whats-new", "council"}


@pytest.mark.django_db
def test_a_pages_help_link_opens_the_topic_that_explains_it():
    council, provider = make_council(), make_provider()
    make_contract(council, provider)
    client = client_for(make_user(provider=provider, role="super_user_actuals"))
    page = client.get(reverse("actuals:week")).content.decode()
    topic = topic_for_view("actuals:week")
    assert topic is not None
    assert f'href="{reverse("help:topic", kwargs={"slug": topic.slug})}"' in page


@pytest.mark.django_db
def test_a_signed_in_topic_asks_a_visitor_to_log_in_and_a_public_one_does_not(client):
    private = next(t for t in all_topics().values() if not t.public)
    response = client.get(reverse("help:topic", kwargs={"slug": private.slug}))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    public = [t for t in all_topics().values() if t.public]
    for each in public:
        assert client.get(reverse("help:topic", kwargs={"slug": each.slug})).status_code == 200


@pytest.mark.django_db
def test_an_unknown_topic_or_a_tampered_council_is_not_found_or_ignored(client):
    assert client.get("/help/no-such-topic/").status_code == 404
    assert client.get("/help/?council=%00x").status_code == 200
