"""No page answers 500 whatever is put in its URL: every URL pattern, with its path parameters
and the query parameters the pages read filled with hostile values (years 0001 and 9999, huge and
negative numbers, NUL and other control characters, very long and non-ASCII text), as a council
officer of each role, a provider, an anonymous visitor and the owner of the objects the access
matrix registers. Hypothesis draws the combinations; every URL is also tried once in each
persona with the worst values at once."""

import re
from pathlib import Path

import pytest
from django import forms
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carebridge
from carebridge.core.tests.test_bounded_forms import FORMS
from tests.access_matrix import REGISTRY, World, build_world
from tests.test_access_matrix import ALL_URLS, SESSION_ENDING

pytestmark = pytest.mark.django_db

# The values an attacker or a broken link sends.
HOSTILE_NUMBERS = [
    "0",
    "1",
    "9999",
    "2147483648",
    "9223372036854775808",
    "9" * 40,
]
HOSTILE_TEXT = [
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "9999",
    "0001",
    "-1",
    "-9223372036854775809",
    "9" * 40,
    "²",
    "١٢",
    "1e309",
    "NaN",
    "\x00",
    "Ann\x00Smith",
    "\x1b[31m",
    "x" * 5000,
    "Zoë Łukasz 漢字 🙂",
    "../../",
    "' OR 1=1 --",
    "%00",
    "",
]

_GET_NAMES = re.compile(r"""GET(?:\.get|\.getlist)?\(\s*["'](\w+)["']|GET\[["'](\w+)["']\]""")


def _query_names() -> list[str]:
    """Every query parameter a page reads: by name in the views, or as a field of a form the
    query string fills (a date's day, month and year boxes as name_0, name_1, name_2)."""
    names: set[str] = set()
    for path in Path(carebridge.__path__[0]).rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            for found in _GET_NAMES.finditer(path.read_text()):
                names.add(found[1] or found[2])
    for form in FORMS:
        for name, field in form.base_fields.items():
            if isinstance(field, forms.MultiValueField):
                names.update(f"{name}_{number}" for number in range(len(field.fields)))
            else:
                names.add(name)
    return sorted(names)


def _plausible_values() -> list[str]:
    """Every status, kind and choice the project knows: a page often reads a parameter further
    (an id after a kind) only when an earlier one is a real choice."""
    found: set[str] = set()
    waiting = list(models.TextChoices.__subclasses__())
    while waiting:
        choices = waiting.pop()
        waiting.extend(choices.__subclasses__())
        if choices.__module__.startswith("carebridge."):
            found.update(str(value) for value in choices.values)
    return sorted(found)


QUERY_NAMES = _query_names()
PLAUSIBLE = _plausible_values()
URLS = [(name, pattern) for name, pattern, _takes in ALL_URLS if name not in SESSION_ENDING]
PERSONAS = [
    "anonymous",
    "council:broker",
    "council:payments_officer",
    "council:front_door_officer",
    "council:council_administrator",
    "provider:super_user_actuals",
    "owner",
]


def _fits(pattern: URLPattern, name: str, value: str) -> bool:
    converter = pattern.pattern.converters.get(name)
    regex = converter.regex if converter is not None else "[^/]+"
    return re.fullmatch(regex, value) is not None


def _candidates(pattern: URLPattern, name: str, real: object) -> list[str]:
    values = [str(real)] if real is not None else []
    values += [value for value in HOSTILE_NUMBERS + HOSTILE_TEXT if value]
    return [value for value in values if _fits(pattern, name, value)]


class Pages:
    """The world, a logged-in client per persona, and a GET that must never answer 500."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.clients: dict[str, Client] = {}
        for persona, user in world.personas.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            self.clients[persona] = client
        self.owners: dict[str, Client] = {}

    def client(self, persona: str, url_name: str) -> Client:
        if persona != "owner":
            return self.clients[persona]
        entry = REGISTRY.get(url_name)
        if entry is None or entry.owner is None:
            return self.clients["anonymous"]
        owner = entry.owner(self.world)
        if owner.pk not in self.owners:
            client = Client()
            client.force_login(owner)
            self.owners[owner.pk] = client
        return self.owners[owner.pk]

    def real_kwargs(self, url_name: str) -> dict[str, object]:
        entry = REGISTRY.get(url_name)
        return entry.kwargs(self.world) if entry is not None else {}

    def get(self, persona: str, url_name: str, kwargs: dict[str, str], query: dict[str, str]):
        try:
            url = reverse(url_name, kwargs=kwargs)
        except NoReverseMatch:
            return None
        response = self.client(persona, url_name).get(url, query)
        assert response.status_code < 500, (persona, url, query, response.status_code)
        return response


@pytest.fixture
def pages() -> Pages:
    return Pages(build_world())


# The deterministic sweep: each URL with every path parameter hostile and every query parameter
# the pages read set at once, three ways (the last gives half the parameters a NUL and the other
# half "²", which str.isdigit takes and int refuses); then, as the owner of a registered URL's
# objects, the real objects with a hostile query, and with one path parameter made hostile at a
# time (a real client with the year 9999).
SWEEPS = [
    ("9223372036854775808", "Ann\x00Smith", ["9999-12-31"]),
    ("9223372036854775807", "x" * 5000, ["0001-01-01"]),
    ("9" * 40, "Zoë Łukasz ² 漢字 🙂", ["\x00", "²"]),
]
# Another organisation's objects answer 404 to everyone but their owner, so most roles sweep
# only the pages without arguments (lists, forms, exports), which differ by role.
SWEEPS_WITH_ARGUMENTS = {"anonymous", "owner", "council:broker"}


def _query(values: list[str]) -> dict[str, str]:
    return {name: values[index % len(values)] for index, name in enumerate(QUERY_NAMES)}


def _sweep(pages: Pages, persona: str, url_name: str, pattern: URLPattern) -> None:
    names = list(pattern.pattern.converters)
    if names and persona not in SWEEPS_WITH_ARGUMENTS:
        return
    if persona == "owner" and url_name not in REGISTRY:
        return
    for number, text, query_values in SWEEPS:
        kwargs = {name: number if _fits(pattern, name, number) else text for name in names}
        pages.get(persona, url_name, kwargs, _query(query_values))
    real = {name: str(value) for name, value in pages.real_kwargs(url_name).items()}
    if not real or persona != "owner":
        return
    for _number, _text, query_values in SWEEPS:
        pages.get(persona, url_name, real, _query(query_values))
    for name in names:
        for number, text, _query_values in (SWEEPS[0], SWEEPS[-1]):
            value = number if _fits(pattern, name, number) else text
            pages.get(persona, url_name, {**real, name: value}, {})


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_answers_500_to_the_worst_values_at_once(pages, persona):
    for url_name, pattern in URLS:
        _sweep(pages, persona, url_name, pattern)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_page_answers_500_to_hostile_url_parameters(pages, data):
    url_name, pattern = data.draw(st.sampled_from(URLS), label="url")
    persona = data.draw(st.sampled_from(PERSONAS), label="persona")
    real = pages.real_kwargs(url_name)
    kwargs = {
        name: data.draw(st.sampled_from(_candidates(pattern, name, real.get(name))), label=name)
        for name in pattern.pattern.converters
    }
    chosen = data.draw(st.lists(st.sampled_from(QUERY_NAMES), max_size=4, unique=True))
    query = {
        name: data.draw(
            st.one_of(
                st.sampled_from(HOSTILE_TEXT), st.sampled_from(PLAUSIBLE), st.text(max_size=30)
            ),
            label=f"?{name}",
        )
        for name in chosen
    }
    pages.get(persona, url_name, kwargs, query)


# --- The cases that answered 500 before, one by one --------------------------------------------


def _owner_get(pages: Pages, url_name: str, query: dict[str, str] | None = None, **kwargs):
    real = {**pages.real_kwargs(url_name), **kwargs}
    return pages.client("owner", url_name).get(reverse(url_name, kwargs=real), query or {})


def test_a_purchase_orders_year_beyond_2100_is_not_found(pages):
    assert _owner_get(pages, "cplis:po_detail", year=9999).status_code == 404
    assert _owner_get(pages, "cplis:po_detail", year=2100).status_code == 404
    assert _owner_get(pages, "cplis:po_detail").status_code == 200


def test_an_id_beyond_the_databases_integers_is_not_found(pages):
    # A foreign key compared with 2**63 overflowed SQLite's driver (a primary key's exact lookup
    # is guarded by Django itself).
    response = _owner_get(pages, "cplis:po_detail", service_user_id=2**63)
    assert response.status_code == 404
    assert _owner_get(pages, "cplis:po_detail", service_user_id=2**63 - 1).status_code == 404


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_a_hubs_page_shows_this_week_for_a_tampered_week(pages, week):
    response = _owner_get(pages, "frontdoor:hub_detail", {"week": week})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "9" * 40])
def test_a_referral_from_a_service_users_page_ignores_a_tampered_id(pages, value):
    broker = pages.clients["council:broker"]
    for name in ("service_user", "again"):
        assert broker.get(reverse("referrals:new"), {name: value}).status_code == 200


def test_a_new_action_ignores_a_tampered_related_id(pages):
    provider = pages.clients["provider:super_user_actuals"]
    query = {"related_kind": "client", "related_id": "²"}
    assert provider.get(reverse("actions:action_new"), query).status_code == 200
