"""Rules that differ by service level (Bradford): no extras in supported living, core or shared
hours that should not vary get an exception when they do, and hospital retainers paid for the
level's own number of weeks."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from carebridge.actuals import selectors
from carebridge.actuals.rules import Entry, assess, check
from carebridge.actuals.services import ActualsInvalid
from carebridge.actuals.tests.conftest import item, set_level, weeks_ago
from carebridge.actuals.tests.services_support import (
    LAST_WEEK,
    D,
    generate,
    hospital,
    period_of,
    row,
    save,
)
from carebridge.actuals.tests.test_rules import HOURS, context
from carebridge.organisations.choices import MissedReason as MR
from tests.support import client_for

SUPPORTED_LIVING = "Supported Living - Core Hours"


def test_a_level_without_extras_refuses_them_even_where_the_council_allows_extras():
    rules = replace(HOURS, level_extras_allowed=False)
    entered = Entry(actual=D(15), extra=D(1), variation_code="VC1", comments="Outing")
    assert rules.extras_allowed
    assert check(entered, rules, context("14")) == {
        "extra": (
            f"Extras cannot be claimed for {HOURS.level}: the service is delivered on planned "
            "hours, and any increase must be requested from the operational team"
        )
    }
    assert check(entered, HOURS, context("14")) == {}


@pytest.mark.parametrize(
    ("actual", "varies"), [("14", False), ("13", True), ("15", True), ("0", True)]
)
def test_fixed_hours_that_vary_from_the_plan_are_an_exception(actual, varies):
    rules = replace(HOURS, fixed_hours=True)
    found = assess(Entry(actual=D(actual), comments="x"), rules, D(14))
    assert found.varies_from_fixed is varies
    assert found.has_exception is (varies or found.does_not_add_up)
    assert any("should not vary" in note for note in found.notes) is varies
    # The level's rule never changes the cost or the triangle.
    plain = assess(Entry(actual=D(actual), comments="x"), HOURS, D(14))
    assert (found.cost, found.does_not_add_up) == (plain.cost, plain.does_not_add_up)


pytestmark = pytest.mark.django_db


def test_supported_living_refuses_an_extra_and_the_page_offers_no_variation_code(world):
    set_level(world.hours, name=SUPPORTED_LIVING, extras_allowed=False, fixed_hours=True)
    generate(world)
    with pytest.raises(ActualsInvalid) as refused:
        save(
            world,
            item(world.cpli, LAST_WEEK, "15", extra="1", variation_code="V1", comments="Trip"),
        )
    (errors,) = refused.value.errors.values()
    assert errors["extra"].startswith(f"Extras cannot be claimed for {SUPPORTED_LIVING}")
    assert row(world.cpli).extra == 0
    page = client_for(world.carer).get(
        reverse("actuals:week") + f"?service={world.service.pk}&week={LAST_WEEK.isoformat()}"
    )
    assert page.status_code == 200
    assert f"line{world.cpli.pk}-variation_code" not in page.content.decode()


def test_core_hours_delivered_other_than_planned_are_saved_with_the_exception(world):
    set_level(world.hours, name=SUPPORTED_LIVING, extras_allowed=False, fixed_hours=True)
    generate(world)
    assert not row(world.cpli).varies_from_fixed
    save(
        world,
        item(
            world.cpli,
            LAST_WEEK,
            "12",
            missed="2",
            missed_reason=MR.SHORT_NOTICE,
            comments="Cancelled on the day",
        ),
    )
    stored = row(world.cpli)
    assert stored.varies_from_fixed and stored.has_exception
    assert not stored.does_not_add_up
    # Short-notice cancellation is paid: the cost is the plan's.
    assert stored.cost == D("226.24")
    exceptions = selectors.exceptions_of(world.carer, period_of(world, LAST_WEEK))
    assert list(exceptions) == [stored]
    page = client_for(world.carer).get(
        reverse("actuals:period", args=[period_of(world, LAST_WEEK).pk])
    )
    assert "Fixed hours varied" in page.content.decode()

    save(world, item(world.cpli, LAST_WEEK, "14", comments="Delivered as planned"))
    assert not row(world.cpli).varies_from_fixed


def test_a_level_that_may_vary_has_no_such_exception(world):
    generate(world)
    save(world, item(world.cpli, LAST_WEEK, "12", missed="2", comments="Carer unwell"))
    assert not row(world.cpli).varies_from_fixed


def test_hospital_limits_stay_per_level(world):
    # Bradford: shared support paid up to 6 weeks in hospital, community support 2.
    set_level(world.hours, fixed_hours=True, hospital_retainer_weeks=6)
    weeks = [weeks_ago(n) for n in range(5, 0, -1)]
    generate(world, *weeks)
    save(world, *(hospital(world.cpli, week, n) for n, week in enumerate(weeks, 1)))
    assert row(world.cpli).frustrated == Decimal("14")
    set_level(world.hours, hospital_retainer_weeks=2)
    with pytest.raises(ActualsInvalid):
        save(world, hospital(world.cpli, weeks_ago(1), 6))
