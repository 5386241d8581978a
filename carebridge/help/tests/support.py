"""What the help's content tests share: a reader of each audience at a council, a topic's page as
one of them reads it, and the check that a topic shows its title and every rule of its areas at
the reader's council."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from carebridge.accounts.models import User
from carebridge.help.rules import rules_for
from carebridge.help.topics import Audience, Topic
from carebridge.organisations.models import Council
from tests.support import client_for, make_contract, make_provider, make_user

Readers = dict[Audience, User | None]


def readers_for(
    council: Council,
    *,
    council_role: str = "council_administrator",
    everyone_role: str = "",
) -> Readers:
    """A reader of each audience at `council`: a Super User (Actuals) of a provider contracted
    with it reads the provider's topics and (unless `everyone_role` names another role of the
    same provider) everyone's; a user of the council in `council_role` reads the council's; a
    visitor who is not logged in (None) reads the public ones."""
    provider = make_provider()
    make_contract(council, provider)
    super_user = make_user(provider=provider, role="super_user_actuals")
    return {
        Audience.PROVIDER: super_user,
        Audience.EVERYONE: (
            make_user(provider=provider, role=everyone_role) if everyone_role else super_user
        ),
        Audience.COUNCIL: make_user(council=council, role=council_role),
        Audience.PUBLIC: None,
    }


def topic_page(user_or_client: User | Client | None, slug: str, query: str = "") -> str:
    """The topic's page as `user_or_client` reads it (None: a visitor who is not logged in),
    asserting it opens."""
    client = user_or_client if isinstance(user_or_client, Client) else client_for(user_or_client)
    response = client.get(reverse("help:topic", kwargs={"slug": slug}) + query)
    assert response.status_code == 200, slug
    return str(response.content.decode())


def assert_topic_shows_its_rules(page: str, council: Council, topic: Topic) -> None:
    """The page has the topic's title and, under "The rules at <council>", every rule of the
    topic's areas at `council`, each as its escaped text."""
    assert escape(topic.title) in page, topic.title
    if not topic.areas:
        return
    assert f"The rules at {escape(council.name)}" in page
    for _heading, rules in rules_for(council, topic.areas):
        for rule in rules:
            assert escape(rule.text) in page, rule.label


def read_topic(readers: Readers, council: Council, topic: Topic, query: str | None = None) -> str:
    """The topic's page as its audience's reader reads it, after asserting it shows its title
    and every rule of its areas at `council`. A visitor names `council` in the address (as the
    council's public pages link to the help) unless `query` says otherwise."""
    if query is None:
        query = f"?council={council.slug}" if topic.audience == Audience.PUBLIC else ""
    page = topic_page(readers[topic.audience], topic.slug, query)
    assert_topic_shows_its_rules(page, council, topic)
    return page
