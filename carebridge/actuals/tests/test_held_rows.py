"""Rows held open after their period's payment has been processed (core.holds: disputes holds
the rows of an open dispute). Actuals lets the provider change those rows only, with every other
rule still applying, and confirming the period stays refused. A stand-in source holds the rows
here, so these tests are of actuals alone (disputes' own tests hold them by a real dispute)."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals import services
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.services import ActualsInvalid, ActualsRefused
from carebridge.actuals.tests.conftest import item
from carebridge.actuals.tests.services_support import LAST_WEEK, period_of, row, save, snapshot
from carebridge.core import holds
from carebridge.core.calendar import now
from tests.support import client_for

pytestmark = pytest.mark.django_db

PROCESSED = "payment has already been processed"


class StandIn:
    """A hold source holding whichever actual ids the test puts in `ids`."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.calls = 0

    def __call__(self, actual_ids: Collection[int]) -> set[int]:
        self.calls += 1
        return self.ids & set(actual_ids)


@pytest.fixture
def held(monkeypatch) -> Iterator[StandIn]:
    """Only the stand-in holds rows (the installed apps' sources are left out)."""
    source = StandIn()
    monkeypatch.setattr(holds, "_sources", [source])
    yield source


@pytest.fixture
def two_rows(world):
    """Last week's two rows of the world's client (two CPLIs), then its period processed as a
    finalised payment run leaves it."""
    (second,) = world.agree(world.line("7"))
    save(world, item(world.cpli, LAST_WEEK, "14"), item(second, LAST_WEEK, "7"))
    Period.objects.filter(pk=period_of(world, LAST_WEEK).pk).update(payment_processed_at=now())
    return row(world.cpli), row(second)


def test_a_held_row_of_a_processed_period_can_be_saved(world, held, two_rows):
    kept, _neighbour = two_rows
    held.ids = {kept.pk}
    saved = save(world, item(world.cpli, LAST_WEEK, "12", missed="2", comments="Two calls missed"))
    assert saved.changed == 1
    kept.refresh_from_db()
    assert (kept.actual, kept.missed, kept.comments) == (12, 2, "Two calls missed")


def test_a_neighbouring_row_of_the_processed_period_cannot(world, held, two_rows):
    kept, neighbour = two_rows
    held.ids = {kept.pk}
    before = snapshot()
    with pytest.raises(ActualsInvalid) as invalid:
        save(
            world,
            item(world.cpli, LAST_WEEK, "12", missed="2", comments="Two calls missed"),
            item(neighbour.cpli, LAST_WEEK, "6", missed="1", comments="One call missed"),
        )
    # The neighbour is refused, and so the held row in the same batch is not saved either.
    assert list(invalid.value.errors) == [(neighbour.cpli_id, LAST_WEEK)]
    assert PROCESSED in invalid.value.errors[(neighbour.cpli_id, LAST_WEEK)]["week"]
    assert snapshot() == before


def test_a_row_no_longer_held_cannot_be_saved(world, held, two_rows):
    kept, _neighbour = two_rows
    before = snapshot()
    with pytest.raises(ActualsInvalid) as invalid:
        save(world, item(world.cpli, LAST_WEEK, "12", missed="2", comments="Two calls missed"))
    assert PROCESSED in invalid.value.errors[(kept.cpli_id, LAST_WEEK)]["week"]
    assert snapshot() == before


def test_every_other_rule_still_applies_to_a_held_row(world, held, two_rows):
    kept, _neighbour = two_rows
    held.ids = {kept.pk}
    before = snapshot()
    # A change without a comment is refused, held or not.
    with pytest.raises(ActualsInvalid) as invalid:
        save(world, item(world.cpli, LAST_WEEK, "12", missed="2"))
    assert "comments" in invalid.value.errors[(kept.cpli_id, LAST_WEEK)]
    assert snapshot() == before


def test_confirming_the_processed_period_stays_refused(world, held, two_rows):
    held.ids = {row.pk for row in two_rows}
    with pytest.raises(ActualsRefused, match=PROCESSED):
        services.actuals_confirm(world.carer, period_of(world, LAST_WEEK))


def test_holds_are_asked_once_a_batch_and_not_for_an_open_period(world, held):
    save(world, item(world.cpli, LAST_WEEK, "14"))
    save(world, item(world.cpli, LAST_WEEK, "13", missed="1", comments="One call missed"))
    # The period is open: no row of a processed period, so no source is asked.
    assert held.calls == 0
    Period.objects.filter(pk=period_of(world, LAST_WEEK).pk).update(payment_processed_at=now())
    held.ids = {row(world.cpli).pk}
    save(world, item(world.cpli, LAST_WEEK, "12", missed="2", comments="Two calls missed"))
    assert held.calls == 1


def test_no_source_no_query_and_large_asks_in_chunks(held):
    with CaptureQueriesContext(connection) as queries:
        assert holds.held([]) == set()
    assert len(queries) == 0 and held.calls == 0
    held.ids = {1, holds.CHUNK + 5}
    assert holds.held(range(1, holds.CHUNK * 2 + 1)) == {1, holds.CHUNK + 5}
    assert held.calls == 2


def test_registering_a_source_twice_adds_it_once(held):
    other = StandIn()
    holds.register(other)
    holds.register(other)
    assert holds.sources() == [held, other]


# --- The client's Add/Edit page ------------------------------------------------------------------


def client_url(world) -> str:
    return (
        reverse("actuals:client", args=[world.person.pk])
        + f"?service={world.service.pk}&week={LAST_WEEK.isoformat()}"
    )


def posted(world, row_: Actual, **values: str) -> dict:
    data = {"service": world.service.pk, "week": LAST_WEEK.isoformat()}
    base = {"actual": "14", "frustrated": "0", "missed": "0", "extra": "0", "visits": "0"}
    base.update(values)
    if base["missed"] != "0":
        base.setdefault("missed_reason", "provider_failure")
    data.update({f"line{row_.cpli_id}-{name}": value for name, value in base.items()})
    return data


def test_the_client_page_offers_only_the_held_row(world, held, two_rows):
    kept, neighbour = two_rows
    held.ids = {kept.pk}
    page = client_for(world.carer).get(client_url(world)).content.decode()
    assert "only its rows in an open dispute can still change" in page
    assert f'name="line{kept.cpli_id}-actual"' in page
    assert f'name="line{neighbour.cpli_id}-actual"' not in page


def test_the_client_page_saves_the_held_row_and_ignores_the_neighbours_inputs(
    world, held, two_rows
):
    kept, neighbour = two_rows
    held.ids = {kept.pk}
    data = posted(world, kept, actual="12", missed="2", comments="Two calls missed")
    # Inputs for the neighbour, as a tampered form would send: they are not read.
    data.update(posted(world, neighbour, actual="1", comments="Tampered"))
    response = client_for(world.carer).post(client_url(world), data)
    assert response.status_code == 302
    assert row(kept.cpli).actual == 12
    assert row(neighbour.cpli).actual == 7


def test_the_client_page_of_a_processed_period_without_holds_refuses(world, held, two_rows):
    kept, _neighbour = two_rows
    client = client_for(world.carer)
    page = client.get(client_url(world)).content.decode()
    assert "its actuals can no longer change" in page
    assert f'name="line{kept.cpli_id}-actual"' not in page
    before = snapshot()
    response = client.post(
        client_url(world), posted(world, kept, actual="12", missed="2", comments="Missed")
    )
    assert response.status_code == 400
    assert snapshot() == before
