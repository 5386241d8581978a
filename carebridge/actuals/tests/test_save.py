"""Saving what a provider entered: the checks of every row, all or nothing, hospital retainers
and short breaks' allocations."""

from datetime import UTC, date, datetime, timedelta

import pytest

from carebridge.actuals import services
from carebridge.actuals.models import Actual
from carebridge.actuals.services import ActualsInvalid, ActualsRefused, Saved
from carebridge.actuals.tests.conftest import (
    THIS_WEEK,
    item,
    open_periods,
    set_level,
    weeks_ago,
)
from carebridge.actuals.tests.services_support import (
    LAST_WEEK,
    D,
    generate,
    hospital,
    period_of,
    row,
    save,
    snapshot,
)
from carebridge.audit.models import Event
from carebridge.organisations.choices import FrustratedReason as FR

pytestmark = pytest.mark.django_db


# --- Saving what was delivered --------------------------------------------------------------------


def test_a_row_that_does_not_add_up_is_saved_with_its_exception_then_corrected(world):
    # Stockport's example: Msd 1 but the Actual left at 14 gets the warning triangle...
    generate(world)
    saved = save(world, item(world.cpli, LAST_WEEK, "14", missed="1", comments="Carer unwell"))
    assert saved == Saved(read=1, changed=1, unchanged=0)
    stored = row(world.cpli)
    assert stored.does_not_add_up
    assert stored.cost == D("226.24")
    # ...until the Actual is put right at 13.
    save(world, item(world.cpli, LAST_WEEK, "13", missed="1", comments="Carer unwell"))
    stored = row(world.cpli)
    assert not stored.does_not_add_up
    assert (stored.actual, stored.missed, stored.cost, stored.planned) == (13, 1, D("210.08"), 14)
    assert stored.comments == "Carer unwell"
    event = Event.objects.filter(action="actuals.saved.page").latest("pk")
    assert event.detail["rows"][0]["before"]["actual"] == "14.00"


def test_it_saves_a_week_that_was_never_generated_against_the_plan(world):
    thursday = LAST_WEEK + timedelta(days=3)
    (starting,) = world.agree(world.line("3.5", start=thursday))
    saved = save(
        world,
        item(world.cpli, LAST_WEEK, "14"),
        item(starting, LAST_WEEK, "1.5", missed="0.5", comments="Refused a call"),
    )
    assert saved == Saved(read=2, changed=2, unchanged=0)
    assert (row(world.cpli).planned, row(world.cpli).cost) == (14, D("226.24"))
    assert row(starting).planned == 2
    assert not row(starting).does_not_add_up


def test_it_flags_an_actual_more_than_20_percent_over_the_plan(world):
    save(world, item(world.cpli, LAST_WEEK, "17", extra="3", variation_code="VC-1", comments="+"))
    stored = row(world.cpli)
    assert stored.over_threshold and not stored.does_not_add_up
    assert stored.variation_code == "VC-1"


def test_unchanged_rows_are_counted_and_not_written(world):
    generate(world, weeks_ago(2), LAST_WEEK)
    before = snapshot()
    saved = save(
        world,
        item(world.cpli, weeks_ago(2), "14", visits=14),
        item(world.cpli, LAST_WEEK, "14", visits=14, comments="  "),
    )
    assert saved == Saved(read=2, changed=0, unchanged=2)
    assert snapshot() == before
    assert not Event.objects.filter(action__startswith="actuals.saved").exists()
    saved = save(
        world,
        item(world.cpli, weeks_ago(2), "14", visits=14),
        item(world.cpli, LAST_WEEK, "12", missed="2", visits=14, comments="Holiday"),
        source="csv",
    )
    assert saved == Saved(read=2, changed=1, unchanged=1)
    assert Event.objects.get(action="actuals.saved.csv").detail["changed"] == 1


def test_one_wrong_row_and_nothing_is_saved_with_every_error_by_row(world):
    (second,) = world.agree(world.line("7"))
    (theirs,) = world.agree(world.line("7"), service=world.other_service)
    generate(world, weeks_ago(2), LAST_WEEK)
    before = snapshot()
    with pytest.raises(ActualsInvalid) as raised:
        save(
            world,
            item(world.cpli, weeks_ago(2), "13", missed="1", comments="Fine", ref="row 1"),
            item(world.cpli, LAST_WEEK, "13.1", missed="0.9", comments="x", ref="row 2"),
            item(second, LAST_WEEK, "6", missed="1", ref="row 3"),
            item(theirs, LAST_WEEK, "7", ref="row 4"),
            item(second, THIS_WEEK, "7", ref="row 5"),
        )
    errors = raised.value.errors
    assert set(errors) == {"row 2", "row 3", "row 4", "row 5"}
    assert errors["row 2"] == {
        "actual": "Enter Actual in units of 0.25 hours, like 3.25",
        "missed": "Enter Msd in units of 0.25 hours, like 3.25",
    }
    assert set(errors["row 3"]) == {"comments"}
    assert errors["row 4"] == {"cpli": "There is no such care package line item of yours"}
    assert "in progress" in errors["row 5"]["week"]
    assert snapshot() == before
    assert not Event.objects.filter(action__startswith="actuals.saved").exists()


def test_another_providers_line_is_refused_as_if_it_did_not_exist(world):
    (theirs,) = world.agree(world.line("7"), service=world.other_service)
    with pytest.raises(ActualsInvalid) as refused:
        save(world, item(theirs, LAST_WEEK, "7", ref="theirs"), item(world.cpli, LAST_WEEK, "14"))
    with pytest.raises(ActualsInvalid) as missing:
        save(world, item(world.cpli, LAST_WEEK, "14"), item(theirs, LAST_WEEK, "7", ref="theirs"))
    assert refused.value.errors == {
        "theirs": {"cpli": "There is no such care package line item of yours"}
    }
    assert refused.value.errors == missing.value.errors
    assert not Actual.objects.exists()


def test_a_line_and_week_given_twice_is_refused(world):
    with pytest.raises(ActualsInvalid) as raised:
        save(
            world,
            item(world.cpli, LAST_WEEK, "14", ref=1),
            item(world.cpli, LAST_WEEK, "14", ref=2),
        )
    assert raised.value.errors == {2: {"cpli": "This line and week appear more than once"}}


def test_a_line_that_does_not_run_in_the_week_or_is_not_agreed_is_refused(world):
    (later,) = world.agree(world.line("7", start=LAST_WEEK))
    (proposed,) = world.agree(world.line("7"), agreed=False)
    with pytest.raises(ActualsInvalid) as raised:
        save(
            world,
            item(later, weeks_ago(2), "7", ref="later"),
            item(proposed, LAST_WEEK, "7", ref="proposed"),
        )
    message = {"cpli": "This line does not run in the week"}
    assert raised.value.errors == {"later": message, "proposed": message}


def test_it_refuses_a_week_whose_period_is_not_open(world):
    (earlier,) = world.agree(world.line("7", start=date(2026, 9, 28)))
    with pytest.raises(ActualsInvalid) as raised:
        save(world, item(earlier, date(2026, 9, 28), "7", ref="x"))
    assert raised.value.errors == {
        "x": {"week": "The actuals period for this week has not been opened yet"}
    }


def test_it_refuses_a_week_that_does_not_start_on_the_councils_day(world):
    # A Wednesday would make a second row for the same line and week, paid twice.
    generate(world, weeks_ago(2))
    with pytest.raises(ActualsInvalid) as raised:
        save(world, item(world.cpli, weeks_ago(2) + timedelta(days=2), "14", ref="x"))
    assert "Monday" in raised.value.errors["x"]["week"]
    assert Actual.objects.count() == 1


def test_it_refuses_changes_to_a_paid_period(world):
    generate(world)
    services.period_mark_paid(world.payments_officer, period_of(world, LAST_WEEK))
    with pytest.raises(ActualsInvalid) as raised:
        save(world, item(world.cpli, LAST_WEEK, "13", missed="1", comments="Late", ref="x"))
    assert raised.value.errors == {
        "x": {
            "week": "You cannot change actuals for a week where the payment has already been "
            "processed"
        }
    }
    assert row(world.cpli).actual == 14


@pytest.mark.parametrize("who", ["read_only", "payments_officer", "stranger"])
def test_only_the_providers_own_editors_can_save(world, who):
    user = getattr(world, who)
    if who == "stranger":
        with pytest.raises(ActualsInvalid):
            save(world, item(world.cpli, LAST_WEEK, "14", ref="x"), by=user)
    else:
        with pytest.raises(ActualsRefused, match="permission"):
            save(world, item(world.cpli, LAST_WEEK, "14"), by=user)
    assert not Actual.objects.exists()


# --- Hospital retainers ---------------------------------------------------------------------------


def test_a_hospital_retainer_is_paid_for_the_service_levels_weeks_running(world):
    save(world, hospital(world.cpli, weeks_ago(3), 1))
    save(world, hospital(world.cpli, weeks_ago(2), 2))
    assert row(world.cpli, weeks_ago(2)).cost == D("226.24")
    with pytest.raises(ActualsInvalid) as raised:
        save(world, hospital(world.cpli, LAST_WEEK, 3, ref="week 3"))
    assert "up to 2 weeks and this would be week 3" in raised.value.errors["week 3"]["frustrated"]


def test_an_earlier_week_entered_late_counts_the_hospital_weeks_after_it(world):
    save(world, hospital(world.cpli, weeks_ago(2)), hospital(world.cpli, LAST_WEEK))
    with pytest.raises(ActualsInvalid) as raised:
        save(world, hospital(world.cpli, weeks_ago(3), ref="back-dated"))
    assert "up to 2 weeks" in raised.value.errors["back-dated"]["frustrated"]


def test_only_the_row_that_goes_over_is_refused_around_a_saved_hospital_week(world):
    save(world, hospital(world.cpli, weeks_ago(2)))
    with pytest.raises(ActualsInvalid) as raised:
        save(
            world,
            hospital(world.cpli, LAST_WEEK, ref="week 3"),
            hospital(world.cpli, weeks_ago(3), ref="week 1"),
        )
    assert set(raised.value.errors) == {"week 3"}


def test_a_week_out_of_hospital_starts_the_count_again(world):
    save(world, hospital(world.cpli, weeks_ago(4)), hospital(world.cpli, weeks_ago(3)))
    save(world, item(world.cpli, weeks_ago(2), "14"))
    save(world, hospital(world.cpli, LAST_WEEK))
    assert row(world.cpli).frustrated == 14


def test_hospital_weeks_entered_together_count_together(world):
    # A CSV file with three weeks running in hospital: the third is over the limit all the same.
    with pytest.raises(ActualsInvalid) as raised:
        save(
            world,
            hospital(world.cpli, LAST_WEEK, ref="week 3"),
            hospital(world.cpli, weeks_ago(3), ref="week 1"),
            hospital(world.cpli, weeks_ago(2), ref="week 2"),
        )
    assert set(raised.value.errors) == {"week 3"}
    assert not Actual.objects.exists()


def test_taking_a_hospital_week_back_in_the_same_batch_frees_the_next(world):
    save(world, hospital(world.cpli, weeks_ago(3)), hospital(world.cpli, weeks_ago(2)))
    save(
        world,
        item(world.cpli, weeks_ago(2), "14"),
        hospital(world.cpli, LAST_WEEK),
    )
    assert row(world.cpli).frustrated == 14


def test_shared_support_is_paid_for_six_weeks_in_hospital(world):
    set_level(world.hours, hospital_retainer_weeks=6)
    save(world, *(hospital(world.cpli, weeks_ago(n)) for n in range(6, 0, -1)))
    assert Actual.objects.filter(frustrated_reason=FR.HOSPITAL).count() == 6


# --- Short breaks ---------------------------------------------------------------------------------


def test_short_break_nights_are_entered_as_taken_up_to_the_allocation(world, short_break):
    save(world, item(short_break, weeks_ago(3), "7"))
    save(world, item(short_break, weeks_ago(2), "0"), item(short_break, LAST_WEEK, "7"))
    assert row(short_break).cost == D("560.00")
    assert not row(short_break).has_exception
    with pytest.raises(ActualsInvalid) as raised:
        save(world, item(short_break, weeks_ago(4), "1", ref="over"))
    assert "over the allocation of 14" in raised.value.errors["over"]["actual"]


def test_a_short_break_never_goes_over_its_allocation_in_one_batch(world, short_break):
    with pytest.raises(ActualsInvalid) as raised:
        save(
            world,
            item(short_break, weeks_ago(2), "7", ref="a"),
            item(short_break, LAST_WEEK, "8", ref="b"),
        )
    # Both rows add nights that take the year over: both are pointed out.
    assert set(raised.value.errors) == {"a", "b"}
    assert "to 15 nights" in raised.value.errors["b"]["actual"]
    assert not Actual.objects.exists()


def test_a_short_break_batch_is_checked_as_a_whole_in_any_order(world, short_break):
    save(world, item(short_break, weeks_ago(2), "7"), item(short_break, LAST_WEEK, "7"))
    # Raising one week before lowering another stays within the 14 nights once both are in.
    save(world, item(short_break, weeks_ago(2), "9"), item(short_break, LAST_WEEK, "5"))
    assert sum(Actual.objects.values_list("actual", flat=True)) == 14


def test_changing_a_short_break_week_counts_its_new_nights_not_both(world, short_break):
    save(world, item(short_break, weeks_ago(2), "7"), item(short_break, LAST_WEEK, "7"))
    save(world, item(short_break, LAST_WEEK, "5"))
    save(world, item(short_break, weeks_ago(3), "2"))
    assert sum(Actual.objects.values_list("actual", flat=True)) == 14


def test_a_new_financial_year_brings_a_new_allocation(world, short_break, clock):
    save(world, item(short_break, weeks_ago(2), "7"), item(short_break, LAST_WEEK, "7"))
    clock.set(datetime(2027, 4, 13, 10, 0, tzinfo=UTC))
    open_periods()
    save(world, item(short_break, date(2027, 4, 5), "7"))
    assert row(short_break, date(2027, 4, 5)).actual == 7
