"""Every URL, as every role, against another council's and another provider's objects.

A URL with arguments must answer 403 or 404 (anonymous visitors: a redirect to log in) and change
nothing; a URL without arguments must never show the other organisations' data.
"""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from carebridge.accounts.models import User
from carebridge.audit.services import snapshot
from tests.access_matrix import REGISTRY, World, build_world
from tests.support import client_for

pytestmark = pytest.mark.django_db

# Pages that change the session itself, tried separately below.
SESSION_ENDING = {"accounts:logout"}


def url_names(
    patterns=None, namespace: str = "", outer_args: bool = False
) -> Iterator[tuple[str, URLPattern, bool]]:
    """Every named URL, and whether it takes arguments (its own, or those of an include it is
    in, like the council of /care-and-support/<council>/...)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        takes = outer_args or bool(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, inner, takes)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry, takes


ALL_URLS = sorted(url_names(), key=lambda item: item[0])


def body_of(response) -> str:
    """The page, or a streamed download (an export) read to its end."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def refused(response, anonymous: bool) -> bool:
    # 405: the method is refused before any object is looked up, so nothing is revealed.
    # 401: the API asks for its token (sessions are not how systems log in).
    if response.status_code in (401, 403, 404, 405):
        return True
    login = reverse(settings.LOGIN_URL)
    return anonymous and response.status_code == 302 and response["Location"].startswith(login)


@pytest.fixture
def world() -> World:
    return build_world()


def test_every_url_with_arguments_is_registered():
    missing = [
        name for name, _pattern, takes_args in ALL_URLS if takes_args and name not in REGISTRY
    ]
    assert missing == [], f"Register these URLs in tests/access_matrix.py: {missing}"


def _refusals(world: World, clients: dict, url: str) -> list[str]:
    """What each persona's GET and POST of the URL let through or showed of the others."""
    problems = []
    for persona, client in clients.items():
        user = world.personas[persona]
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not refused(response, anonymous=user is None):
                problems.append(f"{persona} {method.upper()} {url} -> {response.status_code}")
            body = body_of(response)
            problems += [
                f"{persona} {method.upper()} {url} shows {m!r}" for m in world.markers if m in body
            ]
    return problems


def test_every_url_refuses_other_organisations_objects(world):
    foreign_before = {
        u.pk: snapshot(u)
        for u in User.objects.exclude(council=world.council).exclude(provider=world.provider)
    }
    clients = {persona: client_for(user) for persona, user in world.personas.items()}
    problems = []
    for name, _pattern, takes_args in ALL_URLS:
        if not takes_args:
            continue
        for kwargs in REGISTRY[name].every_kwargs(world):
            problems += _refusals(world, clients, reverse(name, kwargs=kwargs))
    assert problems == []
    foreign_after = {u.pk: snapshot(u) for u in User.objects.filter(pk__in=foreign_before)}
    assert foreign_after == foreign_before, "another organisation's user was changed"


def test_the_owner_can_reach_every_registered_object(world):
    """A positive control: the refusals above are about tenancy, not a broken URL."""
    for name, entry in REGISTRY.items():
        if entry.owner is None:
            continue
        client = client_for(entry.owner(world))
        for kwargs in entry.every_kwargs(world):
            url = reverse(name, kwargs=kwargs)
            response = client.get(url)
            if response.status_code == 405:  # an action: the owner's POST must be carried out
                response = client.post(url)
                # It redirects, or (the subject access export's button) answers with the file.
                assert response.status_code in (200, 302), f"{url} POST -> {response.status_code}"
            else:
                assert response.status_code == 200, f"{url} -> {response.status_code}"


def test_no_page_without_arguments_shows_another_organisations_data(world):
    clients = {persona: client_for(user) for persona, user in world.personas.items()}
    problems = []
    for name, _pattern, takes_args in ALL_URLS:
        if takes_args or name in SESSION_ENDING:
            continue
        url = reverse(name)
        for persona, client in clients.items():
            for term in ("", "Vandersnoot", "Zephyrine", "QX990001", "9434765919"):
                query = (
                    f"?q={term}&status=locked&council={world.other_council.slug}" if term else ""
                )
                response = client.get(url + query)
                # A search box shows back what was typed: that is not a leak.
                body = body_of(response).replace(f'value="{term}"', "")
                problems += [
                    f"{persona} GET {url}{query} shows {m!r}" for m in world.markers if m in body
                ]
                if response.status_code >= 500:
                    problems.append(f"{persona} GET {url}{query} -> {response.status_code}")
    assert problems == []


def test_logging_out_is_post_only(world):
    user = world.personas["provider:read_only"]
    assert client_for(user).get(reverse("accounts:logout")).status_code == 405


def test_no_help_topic_shows_another_organisations_data(world):
    """A topic shows the rules, notes and contacts of the councils its reader looks at: never the
    other council's (the matrix's markers include its help notes and contacts)."""
    from carebridge.help.topics import all_topics

    readers = {
        persona: client_for(world.personas[persona])
        for persona in ("provider:super_user_actuals", "council:council_administrator", "anonymous")
    }
    problems = []
    for slug, topic in all_topics().items():
        url = reverse("help:topic", kwargs={"slug": slug})
        for persona, client in readers.items():
            if world.personas[persona] is None and not topic.public:
                continue
            response = client.get(url)
            assert response.status_code == 200, f"{persona} {url} -> {response.status_code}"
            body = body_of(response)
            problems += [f"{persona} {url} shows {m!r}" for m in world.markers if m in body]
    assert problems == []
