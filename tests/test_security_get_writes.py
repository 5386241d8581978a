"""No GET writes (ASVS 3.5.3): every URL without arguments, and every URL with arguments filled
with the access matrix's objects, asked for with GET by every role's persona (and each object by
its owner, who may open it), writes no row in any table but the sessions and the audit log (a
read of a person's record, a refusal). Each write is caught as its SQL statement runs, naming
the URL; the row counts of every model before and after the walk must agree too."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.urls import resolve, reverse

from tests.access_matrix import REGISTRY, World, build_world
from tests.support import client_for
from tests.test_access_matrix import ALL_URLS, body_of

pytestmark = pytest.mark.django_db

# Where a GET may write: the session (log-in state, the idle timer, a one-hop link's grant, and
# the list of a user's sessions kept beside it) and the audit log (reads of personal data,
# refusals). The rate limits' counts are in the cache, not the database.
MAY_WRITE_LABELS = ("sessions.Session", "accounts.UserSession", "audit.Event")
MAY_WRITE = {model for model in apps.get_models() if model._meta.label in MAY_WRITE_LABELS}

# SQLite's bulk_create(ignore_conflicts=True) says INSERT OR IGNORE INTO.
_WRITE = re.compile(
    r'^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([\w.]+)"?',
    re.I,
)


class WriteCatcher:
    """A database execute wrapper that notes each statement writing a table other than those a
    GET may write."""

    def __init__(self) -> None:
        self.allowed = {model._meta.db_table for model in MAY_WRITE}
        self.writes: set[tuple[str, str]] = set()
        self.url = ""

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        match = _WRITE.match(sql)
        if match and match[1] not in self.allowed:
            self.writes.add((resolve(self.url).view_name, match[1]))
        return execute(sql, params, many, context)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model not in MAY_WRITE
    }


def every_get(world: World) -> list[tuple[Any, str]]:
    """(client, url) for every persona and URL, and each registered object's owner."""
    clients = {persona: client_for(user) for persona, user in world.personas.items()}
    owners: dict[int, Any] = {}
    gets = []
    for name, _pattern, takes_args in ALL_URLS:
        every_kwargs = list(REGISTRY[name].every_kwargs(world)) if takes_args else [{}]
        for kwargs in every_kwargs:
            url = reverse(name, kwargs=kwargs)
            gets += [(client, url) for client in clients.values()]
            owner = REGISTRY[name].owner if takes_args else None
            if owner is not None:
                user = owner(world)
                owners.setdefault(user.pk, client_for(user))
                gets.append((owners[user.pk], url))
    return gets


def test_no_get_writes_anything_but_the_session_and_the_audit_log():
    world = build_world()
    gets = every_get(world)
    assert len(gets) > 1000
    before = row_counts()
    catcher = WriteCatcher()

    with connection.execute_wrapper(catcher):
        for client, url in gets:
            catcher.url = url
            body_of(client.get(url))

    assert catcher.writes == set()
    after = row_counts()
    assert {label for label in before if before[label] != after[label]} == set()


def test_the_catcher_sees_a_write():
    """The control of the test above: a statement writing another table is caught."""
    from tests.support import make_council

    catcher = WriteCatcher()
    catcher.url = reverse("home:home")
    with connection.execute_wrapper(catcher):
        make_council("Caught Council")
    assert ("home:home", "organisations_council") in catcher.writes
