"""Every page's Help link, as every role: it opens the topic that explains the page.

The access-matrix world is built once. Each persona of our council and our provider (every role)
visits every page without URL arguments that answers it 200; every page with arguments is
visited by its registered owner (`tests/access_matrix.py`); the public pages (log-in, the
residents' front door) by an anonymous visitor. On each, the header's Help link must point at a
topic (`/help/<slug>/`, not the help index), and that topic must answer 200 with its title in its
h1. A page whose Help link still opens the index has no topic yet: the list of problems at the
end names each one, so this test is how the gaps are found.

One browser context per persona, no axe here (the journeys and the reflow test check pages with
axe), nothing blocked.
"""

import html
import re
import time
from collections import defaultdict
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from carebridge.help.content import NOT_PAGES
from carebridge.help.topics import topic, topic_for_view
from tests.access_matrix import REGISTRY, World, build_world
from tests.browser.conftest import new_context
from tests.browser.pages import help_link
from tests.support import client_for
from tests.test_access_matrix import ALL_URLS, SESSION_ENDING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPIC_URL = re.compile(r"^/help/(?P<slug>[a-z0-9-]+)/(\?.*)?$")
H1 = re.compile(r"<h1[^>]*>(?P<text>.*?)</h1>", re.S)


def _client(user: Any) -> Client:
    client = client_for(user)
    client.raise_request_exception = False  # a page that fails is a problem in the list
    return client


def _pages(world: World, problems: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Each persona's pages to visit, as (view name, url): those that answer its GET with 200."""
    skip = NOT_PAGES | SESSION_ENDING
    clients: dict[str, Client] = {}
    visits: dict[str, list[tuple[str, str]]] = defaultdict(list)

    def visit_if_200(persona: str, user: Any, name: str, url: str) -> None:
        client = clients.setdefault(persona, _client(user))
        status = client.get(url).status_code
        if status == 200:
            visits[persona].append((name, url))
        elif status >= 500:
            problems.append(f"{persona} {url} ({name}): the page answers {status}")

    for name, _pattern, takes_args in ALL_URLS:
        if name in skip:
            continue
        if not takes_args:
            for persona, user in world.personas.items():
                visit_if_200(persona, user, name, reverse(name))
            continue
        entry = REGISTRY.get(name)
        if entry is None:
            problems.append(f"{name}: not registered in tests/access_matrix.py, not visited")
            continue
        if entry.owner is not None:
            owner = entry.owner(world)
            visit_if_200(
                f"owner {owner.email}", owner, name, reverse(name, kwargs=entry.kwargs(world))
            )
        elif name.startswith("care:"):
            # The front door's pages: the other council's (closed) and ours (open), anonymously.
            for slug in (world.other_council.slug, world.council.slug):
                kwargs = {**entry.kwargs(world), "council": slug}
                visit_if_200("anonymous", None, name, reverse(name, kwargs=kwargs))
    return visits


def _users(world: World) -> dict[str, Any]:
    users = dict(world.personas)
    for entry in REGISTRY.values():
        if entry.owner is not None:
            owner = entry.owner(world)
            users[f"owner {owner.email}"] = owner
    return users


def _log_in(context: Any, base_url: str, user: Any) -> None:
    """The persona's session, as `client_for` makes it (the log-in pages have their own tests)."""
    if user is None:
        return
    session = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])


def _topic_problem(context: Any, base_url: str, href: str, seen: dict[str, str]) -> str:
    """What is wrong with the topic a Help link opens ("" when nothing is)."""
    if href in seen:
        return seen[href]
    found = TOPIC_URL.match(href)
    if found is None:
        problem = f"the Help link opens {href}, not a topic"
    elif (explained := topic(found["slug"])) is None:
        problem = f"the Help link opens {href}, which is no topic"
    else:
        response = context.request.get(base_url + href)
        heading = H1.search(response.text()) if response.status == 200 else None
        text = html.unescape(re.sub(r"<[^>]+>", "", heading["text"])).strip() if heading else ""
        if response.status != 200:
            problem = f"its topic {href} answers {response.status}"
        elif explained.title not in text:
            problem = f"its topic {href} has the h1 {text!r}, not {explained.title!r}"
        else:
            problem = ""
    seen[href] = problem
    return problem


def _check(page: Any, base_url: str, name: str, url: str, seen: dict[str, str]) -> str:
    page.goto(base_url + url, wait_until="domcontentloaded")
    link = help_link(page)
    if link.count() != 1:
        return f"{link.count()} Help links in the header"
    href = link.get_attribute("href") or ""
    problem = _topic_problem(page.context, base_url, href, seen)
    explains = topic_for_view(name)
    if not problem and explains is not None and f"/help/{explains.slug}/" not in href:
        problem = f"the Help link opens {href}, not {explains.slug}'s topic"
    return problem


def test_every_page_has_a_help_link_to_the_topic_that_explains_it_for_every_role(
    chromium: Any, live_server: Any
) -> None:
    world = build_world()
    base_url = live_server.url
    users = _users(world)
    problems: list[str] = []
    visited = 0
    started = time.monotonic()
    for persona, pages in _pages(world, problems).items():
        context = new_context(chromium)
        _log_in(context, base_url, users[persona])
        page = context.new_page()
        seen: dict[str, str] = {}
        for name, url in pages:
            visited += 1
            problem = _check(page, base_url, name, url, seen)
            if problem:
                problems.append(f"{persona} {url} ({name}): {problem}")
        context.close()
    print(f"{visited} pages visited in {time.monotonic() - started:.0f} s")
    assert visited > 100, f"Only {visited} pages were visited: is the world built?"
    assert problems == [], f"{len(problems)} of {visited} visits:\n" + "\n".join(problems)
