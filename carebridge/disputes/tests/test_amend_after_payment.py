"""A disputed row stays amendable after its period's payment is processed (decision 0011: the
run leaves an open dispute's rows out, and a later run pays them at their final value): disputes
holds them open through core.holds, so the provider amends them from the dispute page; a
neighbouring row of the period cannot change, nor the disputed row once its dispute is resolved.
Raising a dispute on a processed period's rows stays refused."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.services import ActualsInvalid
from carebridge.actuals.tests.conftest import item
from carebridge.actuals.tests.services_support import snapshot
from carebridge.core import holds
from carebridge.core.calendar import now
from carebridge.disputes import services
from carebridge.disputes.selectors import held_for_amending
from carebridge.disputes.tests.conftest import LAST_WEEK
from carebridge.disputes.tests.test_views_flow import amend, body
from tests.support import client_for

pytestmark = pytest.mark.django_db

PROCESSED = "payment has already been processed"


def process_payment(actual: Actual) -> None:
    """The row's period processed, as a finalised payment run leaves it."""
    Period.objects.filter(pk=actual.period_id).update(payment_processed_at=now())


def services_save(world, *items):
    return actuals.actuals_save(world.carer, list(items))


def amended(world, actual: Actual, value: str = "12"):
    return item(actual.cpli, LAST_WEEK, value, missed="2", comments="Two calls were not delivered")


@pytest.fixture
def disputed(disputing):
    """The provider's first row in an open dispute, its neighbour (the same client's other line
    that week) not, and then the period processed."""
    first, neighbour = disputing.rows
    dispute = disputing.raise_([first])
    process_payment(first)
    return dispute, first, neighbour


def test_disputes_holds_its_open_rows_through_core(disputed):
    _dispute, first, neighbour = disputed
    assert held_for_amending in holds.sources()
    assert holds.held([first.pk, neighbour.pk]) == {first.pk}


def test_an_open_disputed_row_of_a_processed_period_can_be_saved(disputing, disputed):
    w = disputing.world
    _dispute, first, _neighbour = disputed
    saved = services_save(w, amended(w, first))
    assert saved.changed == 1
    first.refresh_from_db()
    assert (first.actual, first.missed) == (12, 2)


def test_its_neighbouring_row_cannot(disputing, disputed):
    w = disputing.world
    _dispute, _first, neighbour = disputed
    before = snapshot()
    with pytest.raises(ActualsInvalid) as invalid:
        services_save(w, amended(w, neighbour, "5"))
    assert PROCESSED in invalid.value.errors[(neighbour.cpli_id, LAST_WEEK)]["week"]
    assert snapshot() == before


def test_once_resolved_it_cannot(disputing, disputed):
    w = disputing.world
    dispute, first, _neighbour = disputed
    services.dispute_resolve(by=w.payments_officer, dispute=dispute)
    before = snapshot()
    with pytest.raises(ActualsInvalid) as invalid:
        services_save(w, amended(w, first))
    assert PROCESSED in invalid.value.errors[(first.cpli_id, LAST_WEEK)]["week"]
    assert snapshot() == before


def test_another_providers_open_dispute_holds_nothing_of_this_provider(disputing):
    w = disputing.world
    first, _second = disputing.rows
    disputing.raise_([disputing.other_row])
    process_payment(first)
    with pytest.raises(ActualsInvalid):
        services_save(w, amended(w, first))


def test_the_provider_amends_it_from_the_dispute_page_and_comes_back(disputing, disputed):
    w = disputing.world
    dispute, first, neighbour = disputed
    carer = client_for(w.carer)
    page = body(carer.get(reverse("disputes:dispute_detail", args=[dispute.pk])))
    link = re.search(r'href="(/actuals/clients/[^"]+)"', page)
    assert link
    actuals_page = body(carer.get(link.group(1).replace("&amp;", "&")))
    assert "only its rows in an open dispute can still change" in actuals_page
    assert f'name="line{first.cpli_id}-actual"' in actuals_page
    assert f'name="line{neighbour.cpli_id}-actual"' not in actuals_page
    response = amend(carer, w, dispute, first, "12")
    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:dispute_detail", args=[dispute.pk])
    first.refresh_from_db()
    assert first.actual == 12
    neighbour.refresh_from_db()
    assert neighbour.actual == 7


def test_raising_a_dispute_on_the_processed_periods_rows_stays_refused(disputing, disputed):
    _dispute, _first, neighbour = disputed
    with pytest.raises(services.DisputeRefused, match="payment of these rows has been processed"):
        disputing.raise_([neighbour])
