"""The shared personas (the root conftest.py) and client_for: each persona's browser reaches what
that persona may see."""

import pytest

from tests.support import client_for

pytestmark = pytest.mark.django_db


def test_it_logs_each_persona_in_and_leaves_the_anonymous_visitor_out(personas):
    for user in (
        personas.officer,
        personas.provider_user,
        personas.other_provider_user,
        personas.other_council_officer,
    ):
        assert client_for(user).get("/").status_code == 200
    response = client_for(personas.anonymous).get("/")
    assert response.status_code == 302


def test_it_gives_the_provider_two_councils_and_the_others_neither_of_its_work(personas):
    two = personas.two
    assert personas.council == two.weekly
    assert {c.council for c in two.provider.contracts.all()} == {two.weekly, two.four_weekly}
    assert personas.other_provider.contracts.get().council == personas.council
    assert not personas.other_council.contracts.exists()
