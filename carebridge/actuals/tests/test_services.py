"""Every write to actuals: opening periods, generating the plan, saving what a provider entered,
confirming a period and recording its payment."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from carebridge.actuals import services
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.services import ActualsInvalid, ActualsRefused, Saved
from carebridge.actuals.tests.conftest import (
    FIRST_PERIOD,
    NOW,
    THIS_WEEK,
    item,
    open_periods,
    set_level,
    weeks_ago,
)
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from carebridge.organisations.choices import FrustratedReason as FR
from tests.support import make_council, make_user

pytestmark = pytest.mark.django_db

LAST_WEEK = weeks_ago(1)
D = Decimal


def period_of(world, week: date, council=None) -> Period:
    return Period.objects.get(
        council=council or world.council, start_date__lte=week, end_date__gte=week
    )


def generate(world, *weeks: date, by=None, **kwargs) -> int:
    return services.actuals_generate(by or world.carer, weeks=list(weeks) or [LAST_WEEK], **kwargs)


def save(world, *items, by=None, source: str = "page") -> Saved:
    return services.actuals_save(by or world.carer, list(items), source=source)


def row(cpli, week: date = LAST_WEEK) -> Actual:
    return Actual.objects.get(cpli=cpli, week_start=week)


def snapshot() -> list[tuple]:
    return list(
        Actual.objects.order_by("pk").values_list(
            "pk", "actual", "frustrated", "missed", "extra", "comments", "cost", "changed_at"
        )
    )


def hospital(cpli, week: date, weeks: int = 1, ref=None):
    return item(
        cpli,
        week,
        "0",
        ref=ref,
        frustrated="14",
        frustrated_reason=FR.HOSPITAL,
        comments=f"Week {weeks} hospital",
    )


# --- Opening periods ------------------------------------------------------------------------------


def test_it_opens_each_councils_periods_from_the_first_up_to_todays(world):
    periods = list(Period.objects.filter(council=world.council).order_by("start_date"))
    assert [p.start_date for p in periods] == [FIRST_PERIOD + timedelta(weeks=n) for n in range(7)]
    assert all(p.end_date == p.start_date + timedelta(days=6) for p in periods)
    assert periods[-1].start_date == THIS_WEEK
    assert all(p.opened_at == NOW and not p.is_paid for p in periods)
    assert Period.objects.filter(council=world.other_council).count() == 7


def test_opening_again_opens_nothing_more(world):
    assert open_periods() == 0
    assert Period.objects.count() == 14


def test_it_catches_up_on_the_runs_it_missed(world, clock):
    clock.move(weeks=3)
    assert open_periods() == 6  # three weeks for each of the two councils
    assert period_of(world, THIS_WEEK + timedelta(weeks=3)).start_date == date(2026, 12, 7)
    assert open_periods() == 0


def test_a_four_weekly_council_opens_four_weeks_at_a_time(clock):
    council = make_council(actuals_period="four_weekly", actuals_periods_from=FIRST_PERIOD)
    assert open_periods() == 2
    bounds = Period.objects.filter(council=council).order_by("start_date")
    assert list(bounds.values_list("start_date", "end_date")) == [
        (date(2026, 10, 5), date(2026, 11, 1)),
        (date(2026, 11, 2), date(2026, 11, 29)),
    ]


def test_nothing_opens_before_a_councils_first_period(clock):
    make_council(actuals_periods_from=date(2027, 1, 4))
    assert open_periods() == 0


# --- Generating the plan --------------------------------------------------------------------------


def test_it_fills_a_line_with_its_plan(world):
    assert generate(world) == 1
    made = row(world.cpli)
    assert (made.planned, made.actual, made.frustrated, made.missed, made.extra) == (
        14,
        14,
        0,
        0,
        0,
    )
    assert (made.cost, made.planned_cost) == (D("226.24"), D("226.24"))
    assert made.visits == 14
    assert not made.has_exception
    assert made.period == period_of(world, LAST_WEEK)
    assert (made.provider, made.service, made.service_user) == (
        world.provider,
        world.service,
        world.person,
    )
    assert made.changed_by == world.carer
    event = Event.objects.get(action="actuals.generated")
    assert event.detail["rows"] == 1
    assert event.provider_id == world.provider.pk


def test_a_part_week_is_planned_pro_rata_by_the_days_it_runs(world):
    thursday = LAST_WEEK + timedelta(days=3)
    starting, ending = world.agree(
        world.line("3.5", start=thursday, visits=7),
        world.line("14", end=LAST_WEEK + timedelta(days=1)),
    )
    assert generate(world) == 3
    assert (row(starting).planned, row(starting).actual, row(starting).visits) == (2, 2, 4)
    assert row(starting).cost == D("32.32")
    assert (row(ending).planned, row(ending).actual) == (4, 4)


def test_generating_twice_adds_nothing(world):
    assert generate(world, weeks_ago(2), LAST_WEEK) == 2
    before = snapshot()
    assert generate(world, weeks_ago(2), LAST_WEEK) == 0
    assert snapshot() == before
    assert Event.objects.filter(action="actuals.generated").count() == 1


def test_generating_keeps_what_was_entered(world):
    generate(world)
    save(world, item(world.cpli, LAST_WEEK, "13", missed="1", comments="Carer unwell"))
    (new,) = world.agree(world.line("3.5", start=LAST_WEEK))
    assert generate(world) == 1
    assert row(world.cpli).actual == 13
    assert row(new).actual == D("3.5")


def test_it_does_not_generate_short_breaks_lines_not_agreed_or_other_providers(world):
    world.agree(world.short_break_line())
    world.agree(world.line("7"), agreed=False)
    world.agree(world.line("7"), service=world.other_service)
    assert generate(world) == 1
    assert list(Actual.objects.values_list("cpli", flat=True)) == [world.cpli.pk]


def test_it_generates_one_service_at_a_time(world):
    from carebridge.organisations import services as org

    tame_valley = org.service_create(
        provider=world.provider, name="Diamond Home Care - Tame Valley", postcode="SK6 6AB"
    )
    (there,) = world.agree(world.line("7"), service=tame_valley)
    assert generate(world, service_id=tame_valley.pk) == 1
    assert list(Actual.objects.values_list("cpli", flat=True)) == [there.pk]


def test_it_refuses_to_generate_a_week_in_progress(world):
    with pytest.raises(ActualsRefused, match="while the week is in progress"):
        generate(world, LAST_WEEK, THIS_WEEK)
    assert not Actual.objects.exists()


def test_it_refuses_to_generate_in_a_paid_period(world):
    services.period_mark_paid(world.payments_officer, period_of(world, LAST_WEEK))
    with pytest.raises(ActualsRefused, match="payment has already been processed"):
        generate(world)
    assert not Actual.objects.exists()


def test_it_refuses_to_generate_a_week_that_does_not_start_on_the_councils_day(world):
    with pytest.raises(ActualsRefused, match="Monday"):
        generate(world, weeks_ago(2) + timedelta(days=2))
    assert not Actual.objects.exists()


@pytest.mark.parametrize("who", ["read_only", "payments_officer", "broker"])
def test_only_a_provider_user_who_edits_actuals_can_generate_them(world, who):
    with pytest.raises(ActualsRefused, match="permission"):
        generate(world, by=getattr(world, who))


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


@pytest.fixture
def short_break(world):
    (line,) = world.agree(world.short_break_line("14"))
    return line


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


# --- Confirming a period --------------------------------------------------------------------------


def confirm(world, week: date = LAST_WEEK, by=None) -> Confirmation:
    return services.actuals_confirm(by or world.carer, period_of(world, week))


def test_it_refuses_to_confirm_a_period_in_progress(world):
    with pytest.raises(ActualsRefused, match="while the period is in progress"):
        confirm(world, THIS_WEEK)


def test_it_refuses_to_confirm_with_actuals_missing(world):
    world.agree(world.line("3.5", start=LAST_WEEK + timedelta(days=3)))
    with pytest.raises(ActualsRefused, match="2 weekly actuals"):
        confirm(world)
    save(world, item(world.cpli, LAST_WEEK, "14"))
    with pytest.raises(ActualsRefused, match="1 weekly actuals"):
        confirm(world)
    assert not Confirmation.objects.exists()


def test_a_short_break_without_nights_is_not_missing(world, short_break):
    generate(world)
    assert confirm(world).provider == world.provider


def test_it_confirms_on_time_before_close_of_business_on_tuesday(world, clock):
    generate(world)
    clock.set(datetime(2026, 11, 17, 17, 0, tzinfo=UTC))  # 5pm on Tuesday, in GMT
    confirmation = confirm(world)
    assert not confirmation.late
    assert (confirmation.confirmed_by, confirmation.confirmed_at) == (world.carer, clock.moment)
    event = Event.objects.get(action="actuals.confirmed")
    assert event.detail == {"late": False, "total": "226.24"}
    assert event.provider_id == world.provider.pk


def test_a_confirmation_after_the_deadline_is_late(world, clock):
    generate(world)
    clock.set(datetime(2026, 11, 17, 17, 0, 1, tzinfo=UTC))
    assert confirm(world).late


def test_confirming_twice_confirms_once(world):
    generate(world)
    first = confirm(world)
    assert confirm(world) == first
    assert Confirmation.objects.count() == 1
    assert Event.objects.filter(action="actuals.confirmed").count() == 1


def test_a_change_after_confirming_needs_confirming_again(world, clock):
    generate(world)
    period = period_of(world, LAST_WEEK)
    first = confirm(world)
    state = services.confirmation_state(world.provider.pk, period)
    assert state.is_confirmed and state.confirmed_at == first.confirmed_at
    assert state.deadline == datetime(2026, 11, 17, 17, 0, tzinfo=UTC)
    clock.move(minutes=5)
    save(world, item(world.cpli, LAST_WEEK, "13", missed="1", comments="Carer unwell"))
    state = services.confirmation_state(world.provider.pk, period)
    assert state.changed_since and not state.is_confirmed
    clock.move(minutes=5)
    second = confirm(world)
    assert second != first
    assert Confirmation.objects.count() == 2
    assert services.confirmation_state(world.provider.pk, period).is_confirmed


def test_a_line_ended_early_does_not_hide_another_lines_missing_week(world):
    # The order ends the week before last (a late termination), after last week was generated;
    # a new, backdated line starts last week and has no actual yet.
    generate(world)
    contracts.contract_document_terminate(
        document=world.cpli.document,
        end_date=weeks_ago(2) + timedelta(days=6),
        reason="Moved into residential care",
        by=world.broker,
    )
    world.agree(world.line("7", start=LAST_WEEK))
    assert services.missing_actuals(world.provider.pk, period_of(world, LAST_WEEK)) == 1
    with pytest.raises(ActualsRefused, match="1 weekly actuals"):
        confirm(world)


def test_it_refuses_to_confirm_a_paid_period(world):
    generate(world)
    services.period_mark_paid(world.payments_officer, period_of(world, LAST_WEEK))
    with pytest.raises(ActualsRefused, match="payment has already been processed"):
        confirm(world)


@pytest.mark.parametrize("who", ["read_only", "payments_officer"])
def test_only_the_providers_editors_can_confirm(world, who):
    generate(world)
    with pytest.raises(ActualsRefused, match="permission"):
        confirm(world, by=getattr(world, who))


def test_another_providers_confirmation_is_its_own(world):
    generate(world)
    confirm(world)
    state = services.confirmation_state(world.other_provider.pk, period_of(world, LAST_WEEK))
    assert state.confirmed_at is None and not state.is_confirmed


# --- Recording payment ----------------------------------------------------------------------------


def test_the_councils_payments_officer_records_a_periods_payment_once(world, clock):
    period = period_of(world, LAST_WEEK)
    assert services.period_mark_paid(world.payments_officer, period)
    period.refresh_from_db()
    assert period.is_paid
    assert (period.payment_processed_by, period.payment_processed_at) == (
        world.payments_officer,
        NOW,
    )
    clock.move(hours=1)
    another = make_user(council=world.council, role="payments_officer")
    # A stale copy of the period, as a second officer's page would have: compare-and-set.
    assert not services.period_mark_paid(another, period_of(world, LAST_WEEK))
    period.refresh_from_db()
    assert (period.payment_processed_by, period.payment_processed_at) == (
        world.payments_officer,
        NOW,
    )
    assert Event.objects.filter(action="actuals.period_paid").count() == 1


@pytest.mark.parametrize("who", ["other_officer", "broker", "carer"])
def test_only_a_payments_officer_of_the_council_records_payment(world, who):
    period = period_of(world, LAST_WEEK)
    with pytest.raises(ActualsRefused, match="permission"):
        services.period_mark_paid(getattr(world, who), period)
    period.refresh_from_db()
    assert not period.is_paid


def test_a_period_cannot_be_paid_before_it_ends(world):
    with pytest.raises(ActualsRefused, match="before it has ended"):
        services.period_mark_paid(world.payments_officer, period_of(world, THIS_WEEK))
