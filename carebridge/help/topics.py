"""The help topics: each explains one page, or a few pages that work together, and names the
views (`namespace:name`) whose Help link opens it. Each area's topics are in `content/<area>.py`
and their words in `templates/help/topics/<slug>.html`; `tests/test_topics.py` checks that every
page of the portal has a topic and every topic its template.

A topic's page is laid out by `help/topic.html`: its words, then the rules of each council the
reader is looking at for the topic's `areas` (`rules.py`), the council's note on the page and its
support contacts (`models.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import models


class Audience(models.TextChoices):
    """Who the topic is for: its index lists it to them. Every signed-in user may open any
    signed-in topic (it is the portal's manual, not anyone's data); public topics open to all."""

    PROVIDER = "provider", "Care providers"
    COUNCIL = "council", "Council staff"
    EVERYONE = "everyone", "Everyone signed in"
    PUBLIC = "public", "Everyone, without logging in"


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    # The pages this topic explains: their Help link opens it.
    views: tuple[str, ...]
    audience: Audience = Audience.EVERYONE
    # Which of the council's rules the topic shows (`rules.AREAS`), in this order.
    areas: tuple[str, ...] = ()
    # Where the help index lists it ("Referrals", "Actuals", ...).
    section: str = ""
    # A sentence for the index: what the page is for.
    summary: str = ""

    @property
    def template(self) -> str:
        return f"help/topics/{self.slug}.html"

    @property
    def public(self) -> bool:
        return self.audience == Audience.PUBLIC


@cache
def all_topics() -> dict[str, Topic]:
    """Every topic by slug, in the areas' order."""
    from carebridge.help.content import AREAS

    topics: dict[str, Topic] = {}
    for area in AREAS:
        for topic in area:
            if topic.slug in topics:
                raise ValueError(f"Two help topics are called {topic.slug!r}")
            topics[topic.slug] = topic
    return topics


@cache
def _by_view() -> dict[str, Topic]:
    by_view: dict[str, Topic] = {}
    for topic in all_topics().values():
        for view in topic.views:
            if view in by_view:
                raise ValueError(f"{view} is explained by {by_view[view].slug} and {topic.slug}")
            by_view[view] = topic
    return by_view


def topic_for_view(view_name: str) -> Topic | None:
    """The topic whose Help link a page shows, or None (the link opens the help index)."""
    return _by_view().get(view_name)


def topic(slug: str) -> Topic | None:
    return all_topics().get(slug)
