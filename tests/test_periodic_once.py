"""Two Huey consumers that both schedule the periodic tasks queue each one twice at the same
minute; the second copy must not double what the first did. Run on PostgreSQL, where the two
copies' transactions really overlap (CI runs the suite there too)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection

from carebridge.core.periodic import run_key
from carebridge.frontdoor.models import DirectoryImport, DirectoryService, FrontDoorSettings
from carebridge.frontdoor.tests.directory.directory_support import build, feed
from carebridge.frontdoor.tests.directory.test_directory_fetch import (  # noqa: F401 (fixture)
    feed_server,
    v1_pages,
)
from tests.support import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]


@pytest.fixture
def fresh_runs():
    """No run of the guarded tasks is remembered from another test, nor left for the next."""
    from carebridge.frontdoor.directory.tasks import refresh_directories

    key = run_key(refresh_directories.func)
    cache.delete(key)
    yield
    cache.delete(key)


def test_it_refreshes_a_directory_once_when_two_consumers_run_the_night_at_once(
    feed_server,  # noqa: F811 (the fixture imported above)
    fresh_runs,
):
    from carebridge.frontdoor.directory.tasks import refresh_directories

    server, requests = feed_server
    server.respond = v1_pages(feed()["contents"], 50)
    world = build()
    FrontDoorSettings.objects.create(council=world.council, directory_feed_url=server.url)

    results = run_together(refresh_directories.call_local, 2)

    assert DirectoryImport.objects.filter(council=world.council).count() == 1
    assert len(requests) == 1
    assert sorted(map(len, results)) == [0, 1]
    assert DirectoryService.objects.filter(council=world.council).count() == 16


def test_the_next_nights_refresh_runs(feed_server, fresh_runs):  # noqa: F811
    from carebridge.frontdoor.directory.tasks import refresh_directories

    server, _requests = feed_server
    server.respond = v1_pages(feed()["contents"], 50)
    world = build()
    FrontDoorSettings.objects.create(council=world.council, directory_feed_url=server.url)

    refresh_directories.call_local()
    cache.delete(run_key(refresh_directories.func))  # the hour's window has passed
    refresh_directories.call_local()

    assert DirectoryImport.objects.filter(council=world.council).count() == 2


def test_it_opens_each_period_once_when_two_consumers_open_them_at_once():
    from carebridge.actuals.models import Period
    from carebridge.actuals.tasks import open_actuals_periods
    from tests.support import make_council

    council = make_council()
    Period.objects.filter(council=council).delete()

    run_together(open_actuals_periods.call_local, 2)

    starts = list(Period.objects.filter(council=council).values_list("start_date", flat=True))
    assert starts
    assert len(starts) == len(set(starts))
