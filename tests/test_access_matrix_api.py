"""The API's tenancy, by key: every provider API URL called with our provider's key against the
other council's and the other provider's objects (refused, showing nothing of theirs), every
list read with the other council named (nothing of theirs), and each side's key refused on the
other side's API."""

import json

import pytest
from django.urls import reverse

from carebridge.integrations.services import api_token_create
from tests.access_matrix import REGISTRY, World, build_world
from tests.test_access_matrix import ALL_URLS

pytestmark = pytest.mark.django_db

PROVIDER_API = sorted(
    (name, takes) for name, _pattern, takes in ALL_URLS if name.startswith("provider_api_")
)
COUNCIL_API = sorted(name for name, _pattern, _takes in ALL_URLS if name.startswith("api_referral"))


@pytest.fixture
def world() -> World:
    return build_world()


def _key(world: World, *, provider: bool) -> str:
    if provider:
        maker = world.personas["provider:super_user_scheduled"]
        _token, key = api_token_create(provider=world.provider, name="Roster", by=maker)
    else:
        _token, key = api_token_create(council=world.council, name="Case system", by=None)
    return key


def _calls(client, url: str, key: str):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    yield "GET", client.get(url, **headers)
    yield "POST", client.post(url, data=json.dumps({}), content_type="application/json", **headers)


def _shown(world: World, response) -> list[str]:
    body = response.content.decode(errors="replace")
    return [marker for marker in world.markers if marker in body]


def test_the_provider_api_is_registered_and_found():
    assert PROVIDER_API, "no provider API URL found"
    assert COUNCIL_API


def test_a_provider_key_reaches_nothing_of_the_other_organisations(world, client):
    key = _key(world, provider=True)
    problems = []
    for name, takes in PROVIDER_API:
        if takes:
            urls = [reverse(name, kwargs=kwargs) for kwargs in REGISTRY[name].every_kwargs(world)]
        else:
            urls = [reverse(name) + f"?council={world.other_council.slug}", reverse(name)]
        for url in urls:
            for method, response in _calls(client, url, key):
                if takes and response.status_code < 400:
                    problems.append(f"{method} {url} -> {response.status_code}")
                if response.status_code >= 500:
                    problems.append(f"{method} {url} -> {response.status_code}")
                problems += [f"{method} {url} shows {m!r}" for m in _shown(world, response)]
    assert problems == []


def test_a_council_key_is_refused_on_the_provider_api(world, client):
    key = _key(world, provider=False)
    for name, takes in PROVIDER_API:
        kwargs = next(REGISTRY[name].every_kwargs(world)) if takes else {}
        for method, response in _calls(client, reverse(name, kwargs=kwargs), key):
            assert response.status_code == 403, (name, method, response.status_code)


def test_a_provider_key_is_refused_on_the_councils_api(world, client):
    key = _key(world, provider=True)
    for name in COUNCIL_API:
        kwargs = {"pk": world.other_referral.pk} if name.endswith("detail") else {}
        for method, response in _calls(client, reverse(name, kwargs=kwargs), key):
            assert response.status_code == 403, (name, method, response.status_code)
