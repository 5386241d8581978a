"""A termination ends lines that already have actuals: the weeks follow the new plan, what the
provider changed is kept and checked again, and a paid week cannot change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carebridge.actuals import services
from carebridge.actuals.models import Actual
from carebridge.actuals.tests.conftest import item, weeks_ago
from carebridge.contracts import services as contracts

pytestmark = pytest.mark.django_db


def terminate(world, last_day):
    return contracts.contract_document_terminate(
        document=world.cpli.document,
        end_date=last_day,
        reason="Moved to residential care",
        by=world.broker,
    )


def actual(world, week):
    return Actual.objects.get(cpli=world.cpli, week_start=week)


def test_weeks_after_the_last_day_plan_nothing_and_the_last_week_its_days(world):
    services.actuals_generate(world.carer, weeks=[weeks_ago(3), weeks_ago(2), weeks_ago(1)])
    # The last day of care is the Wednesday of three weeks ago: 3 of its 7 days.
    terminate(world, weeks_ago(3) + timedelta(days=2))
    first = actual(world, weeks_ago(3))
    assert first.planned == Decimal("6") and first.actual == Decimal("6")
    assert first.cost == Decimal("96.96")
    for week in (weeks_ago(2), weeks_ago(1)):
        row = actual(world, week)
        assert (row.planned, row.actual, row.cost) == (0, 0, 0)
        assert not row.has_exception


def test_a_row_the_provider_changed_keeps_its_figures_and_is_checked_again(world):
    services.actuals_generate(world.carer, weeks=[weeks_ago(1)])
    services.actuals_save(
        world.carer, [item(world.cpli, weeks_ago(1), "12", missed="2", comments="Cancelled")]
    )
    terminate(world, weeks_ago(2) + timedelta(days=6))
    row = actual(world, weeks_ago(1))
    assert row.planned == 0 and row.actual == 12 and row.missed == 2
    assert row.does_not_add_up and row.over_threshold


def test_a_corrected_termination_brings_the_plan_back(world):
    services.actuals_generate(world.carer, weeks=[weeks_ago(2), weeks_ago(1)])
    first = terminate(world, weeks_ago(2) + timedelta(days=6))
    assert actual(world, weeks_ago(1)).actual == 0
    contracts.contract_document_terminate(
        document=world.cpli.document,
        end_date=weeks_ago(1) + timedelta(days=6),
        reason="Corrected last day",
        by=world.broker,
        replaces=_rejected(world, first),
    )
    row = actual(world, weeks_ago(1))
    assert row.planned == 14 and row.actual == 14


def _rejected(world, termination):
    from tests.support import PASSWORD

    contracts.contract_document_reject(
        document=termination, by=world.carer, password=PASSWORD, notes="Care went on a week more"
    )
    termination.refresh_from_db()
    return termination


def test_a_paid_week_refuses_the_termination_and_nothing_changes(world, clock):
    services.actuals_generate(world.carer, weeks=[weeks_ago(2), weeks_ago(1)])
    period = actual(world, weeks_ago(1)).period
    services.period_mark_paid(world.payments_officer, period)
    with pytest.raises(ValidationError) as refused:
        terminate(world, weeks_ago(2) + timedelta(days=6))
    assert "have been paid" in str(refused.value.message_dict["end_date"])
    world.cpli.refresh_from_db()
    assert world.cpli.end_date is None
    assert actual(world, weeks_ago(1)).actual == 14
