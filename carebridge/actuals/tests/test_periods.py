"""Weeks and periods of actuals, and which rules apply to a CPLI in a week."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebridge.actuals.periods import (
    RuleSource,
    days_active,
    period_bounds,
    week_has_ended,
    week_of,
    weeks_between,
)
from carebridge.actuals.tests.conftest import FIRST_PERIOD, THIS_WEEK, make_payment_rule
from carebridge.contracts.models import Cpli
from carebridge.organisations.choices import ActualsPeriod, ContractType
from carebridge.organisations.models import Rulebook
from tests.support import make_contract, make_council, make_provider

WEEKLY = Rulebook(actuals_period=ActualsPeriod.WEEKLY, actuals_periods_from=FIRST_PERIOD)
FOUR_WEEKLY = Rulebook(actuals_period=ActualsPeriod.FOUR_WEEKLY, actuals_periods_from=FIRST_PERIOD)


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("rulebook", "day", "start", "end"),
    [
        (WEEKLY, "2026-10-05", "2026-10-05", "2026-10-11"),  # the first period's first day
        (WEEKLY, "2026-11-18", "2026-11-16", "2026-11-22"),
        (WEEKLY, "2026-11-22", "2026-11-16", "2026-11-22"),  # a Sunday ends its week
        (WEEKLY, "2026-10-04", "2026-09-28", "2026-10-04"),  # the day before the first period
        (WEEKLY, "2025-01-01", "2024-12-30", "2025-01-05"),  # long before it
        (FOUR_WEEKLY, "2026-10-05", "2026-10-05", "2026-11-01"),
        (FOUR_WEEKLY, "2026-11-01", "2026-10-05", "2026-11-01"),
        (FOUR_WEEKLY, "2026-11-02", "2026-11-02", "2026-11-29"),
        (FOUR_WEEKLY, "2026-11-30", "2026-11-30", "2026-12-27"),
        (FOUR_WEEKLY, "2026-10-04", "2026-09-07", "2026-10-04"),  # before the first period
        (FOUR_WEEKLY, "2026-09-06", "2026-08-10", "2026-09-06"),
    ],
)
def test_it_finds_the_period_that_holds_a_day(rulebook, day, start, end):
    assert period_bounds(rulebook, d(day)) == (d(start), d(end))


days = st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=200, deadline=None)
@given(days, st.sampled_from([WEEKLY, FOUR_WEEKLY]))
def test_periods_follow_on_from_the_first_and_hold_the_day(day, rulebook):
    start, end = period_bounds(rulebook, day)
    length = 28 if rulebook is FOUR_WEEKLY else 7
    assert start <= day <= end
    assert (end - start).days + 1 == length
    assert (start - FIRST_PERIOD).days % length == 0
    assert period_bounds(rulebook, end + timedelta(days=1))[0] == end + timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "week_start", "week"),
    [
        ("2026-11-18", 0, "2026-11-16"),  # a Wednesday, in a week from Monday
        ("2026-11-16", 0, "2026-11-16"),
        ("2026-11-22", 0, "2026-11-16"),
        ("2026-11-18", 6, "2026-11-15"),  # in a week from Sunday
        ("2026-11-14", 6, "2026-11-08"),
    ],
)
def test_it_finds_the_week_that_holds_a_day(day, week_start, week):
    assert week_of(d(day), week_start) == d(week)


@settings(max_examples=200, deadline=None)
@given(days, st.integers(min_value=0, max_value=6))
def test_a_week_starts_on_the_rulebooks_day_and_holds_the_day(day, week_start):
    week = week_of(day, week_start)
    assert week.weekday() == week_start
    assert 0 <= (day - week).days <= 6


def test_it_lists_the_weeks_of_a_period():
    assert list(weeks_between(d("2026-11-02"), d("2026-11-29"))) == [
        d("2026-11-02"),
        d("2026-11-09"),
        d("2026-11-16"),
        d("2026-11-23"),
    ]


@pytest.mark.parametrize(
    ("on", "ended"),
    [
        ("2026-11-16", False),  # its first day
        ("2026-11-22", False),  # its last day: still in progress
        ("2026-11-23", True),  # the Monday after
        ("2026-12-25", True),
    ],
)
def test_a_week_ends_after_its_last_day(on, ended):
    assert week_has_ended(d("2026-11-16"), d(on)) is ended


def test_a_week_has_ended_by_todays_date_in_london(clock):
    assert not week_has_ended(THIS_WEEK)
    assert week_has_ended(THIS_WEEK - timedelta(weeks=1))
    # 23:30 UTC on Sunday 22 November is still Sunday in London (GMT)...
    clock.set(clock.moment.replace(day=22, hour=23, minute=30))
    assert not week_has_ended(THIS_WEEK)
    # ...and in summer 23:30 UTC on a Sunday is already Monday in London.
    clock.set(clock.moment.replace(month=6, day=21))
    assert week_has_ended(date(2026, 6, 15))


def line(start: str, end: str | None = None) -> Cpli:
    return Cpli(start_date=d(start), end_date=d(end) if end else None)


@pytest.mark.parametrize(
    ("cpli", "active"),
    [
        (line("2026-10-05"), 7),
        (line("2026-11-16"), 7),
        (line("2026-11-19"), 4),  # starts on a Thursday
        (line("2026-10-05", "2026-11-17"), 2),  # ends on a Tuesday
        (line("2026-11-18", "2026-11-18"), 1),
        (line("2026-11-18", "2026-11-20"), 3),
        (line("2026-11-23"), 0),  # starts the week after
        (line("2026-10-05", "2026-11-15"), 0),  # ended the week before
        (line("2026-10-05", "2026-11-22"), 7),
    ],
)
def test_it_counts_the_days_a_line_is_active_in_a_week(cpli, active):
    assert days_active(cpli, THIS_WEEK) == active


# --- The rules of a CPLI: its council's rulebook and its provider's contract ---------------------


@pytest.mark.django_db
def test_it_pays_by_the_contract_in_force_in_the_week():
    council = make_council()
    provider = make_provider()
    make_contract(
        council,
        provider,
        contract_type=ContractType.BLOCK_2013,
        start_date=d("2013-04-01"),
        end_date=d("2015-03-31"),
    )
    make_contract(
        council, provider, contract_type=ContractType.BLOCK_2015, start_date=d("2015-04-01")
    )
    # A framework contract that starts later and overlaps the open-ended 2015 block: the latest
    # started wins.
    make_contract(
        council, provider, contract_type=ContractType.FRAMEWORK, start_date=d("2026-04-01")
    )
    source = RuleSource.load([council.pk])
    kind = source.contract_type
    assert kind(council.pk, provider.pk, d("2014-06-02")) == ContractType.BLOCK_2013
    assert kind(council.pk, provider.pk, d("2015-03-31")) == ContractType.BLOCK_2013
    assert kind(council.pk, provider.pk, d("2015-04-01")) == ContractType.BLOCK_2015
    assert kind(council.pk, provider.pk, d("2026-03-31")) == ContractType.BLOCK_2015
    assert kind(council.pk, provider.pk, d("2026-04-01")) == ContractType.FRAMEWORK
    # Before any contract, or for a provider without one: a spot purchase.
    assert kind(council.pk, provider.pk, d("2012-01-02")) == ContractType.SPOT
    assert kind(council.pk, make_provider().pk, d("2026-04-01")) == ContractType.SPOT


@pytest.mark.django_db
def test_it_loads_every_councils_rules_in_three_queries(django_assert_num_queries):
    councils = [make_council(), make_council()]
    with django_assert_num_queries(3):
        RuleSource.load([c.pk for c in councils])


@pytest.mark.django_db
def test_a_cplis_rules_come_from_its_rulebook_level_and_contract_types_payment_rule(world):
    council = world.council
    make_payment_rule(
        council,
        ContractType.SPOT,
        aborted_visit_max_minutes=None,
        aborted_visit_paid_percent=50,
        night_cancellation_paid_percent=30,
    )
    source = RuleSource.load([council.pk])
    rules = source.rules(world.cpli, THIS_WEEK)
    assert (rules.unit, rules.step, rules.rate) == ("Hours", Decimal("0.25"), Decimal("16.16"))
    assert rules.level == "Home Care - Single Assist Fixed Rate"
    assert rules.hospital_weeks == 2
    assert (rules.aborted_max_minutes, rules.aborted_percent, rules.night_percent) == (None, 50, 30)
    assert rules.over_percent == 20
    assert rules.reasons == {"hospital", "aborted_visit", "night_cancelled"}
    assert not rules.is_allocation


@pytest.mark.django_db
def test_nights_are_whole_and_a_contract_type_without_a_payment_rule_takes_the_defaults(world):
    (night,) = world.agree(world.line("7", level=world.nights, rate="80"))
    rules = RuleSource.load([world.council.pk]).rules(night, THIS_WEEK)
    assert (rules.unit, rules.step) == ("Nights", Decimal("1"))
    assert (rules.aborted_max_minutes, rules.aborted_percent, rules.night_percent) == (30, 100, 25)
