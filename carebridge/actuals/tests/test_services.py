"""Writes to actuals other than saving rows: opening periods, generating the plan, confirming a
period and recording its payment. Saving is in test_save.py."""

from datetime import UTC, date, datetime, timedelta

import pytest

from carebridge.actuals import services
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.services import ActualsRefused
from carebridge.actuals.tests.conftest import (
    FIRST_PERIOD,
    NOW,
    THIS_WEEK,
    item,
    open_periods,
    weeks_ago,
)
from carebridge.actuals.tests.services_support import (
    LAST_WEEK,
    D,
    generate,
    period_of,
    row,
    save,
    snapshot,
)
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from tests.support import make_council, make_user

pytestmark = pytest.mark.django_db


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
