"""What's new lists each release, newest first, each change for a named audience."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from carebridge.help.releases import COUNCIL, EVERYONE, PROVIDERS, RELEASES, RESIDENTS
from tests.support import client_for


def test_every_release_has_two_to_five_changes_for_a_known_audience():
    for release in RELEASES:
        assert 2 <= len(release.changes) <= 5, release.name
        assert {who for who, _change in release.changes} <= {
            PROVIDERS,
            COUNCIL,
            RESIDENTS,
            EVERYONE,
        }
    assert len({release.name for release in RELEASES}) == len(RELEASES)


def test_the_releases_are_kept_newest_first():
    days = [release.day for release in RELEASES]
    assert days == sorted(days, reverse=True)


@pytest.mark.django_db
def test_the_page_lists_the_newest_release_first_without_logging_in():
    response = client_for().get(reverse("help:whats_new"))
    html = response.content.decode()
    assert response.status_code == 200
    places = [html.index(f">{escape(release.name)}</h2>") for release in RELEASES]
    assert places == sorted(places)
    assert html.index("Help and a simpler menu") < html.index("Logging in</h2>")
