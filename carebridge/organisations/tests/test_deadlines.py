"""The named deadlines and the `carebridge deadline` command support staff use to check them."""

from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from carebridge.core.calendar import LONDON, bank_holidays, service_time_between, to_london
from carebridge.organisations.choices import ConfirmationRule
from carebridge.organisations.deadlines import (
    actuals_confirm_by,
    referral_respond_by,
    referral_update_due_by,
)
from carebridge.organisations.models import Rulebook
from tests.support import make_council

pytestmark = pytest.mark.django_db


def deadline(*args: str) -> str:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def northshire():
    # northshire's referral team: 08:00-17:30, Monday to Friday, 2 hours to reply.
    return make_council("Northshire Test Council")


@pytest.mark.parametrize(
    ("start", "due"),
    [
        ("2018-05-21T16:57", "2018-05-22T09:27:00+01:00"),  # the guide's first example
        ("2018-05-22T11:57", "2018-05-22T13:57:00+01:00"),  # its second
        ("2018-05-22T13:23", "2018-05-22T15:23:00+01:00"),  # and its third
        ("2018-05-25T16:00", "2018-05-29T08:30:00+01:00"),  # Friday before the late May holiday
        ("2018-05-26T10:00", "2018-05-29T10:00:00+01:00"),  # received on a Saturday
        ("2018-03-23T16:30", "2018-03-26T09:00:00+01:00"),  # over the spring clock change
        ("2018-10-26T16:30", "2018-10-29T09:00:00+00:00"),  # over the autumn clock change
        ("2018-12-24T16:30", "2018-12-27T09:00:00+00:00"),  # over Christmas and Boxing Day
        ("2018-05-21T15:57:00+00:00", "2018-05-22T09:27:00+01:00"),  # with an offset: UTC
    ],
)
def test_it_prints_the_referral_response_deadline(northshire, start, due):
    assert (
        deadline("--council", northshire.slug, "--rule", "referral-response", "--from", start)
        == due
    )


def test_it_prints_the_provider_update_deadline(northshire):
    # From the first visit.
    out = deadline(
        "--council", northshire.slug, "--rule", "provider-update", "--from", "2018-10-26T10:00"
    )
    # 72 hours of real time, across the autumn clock change: one more hour on the wall clock.
    assert out == "2018-10-29T09:00:00+00:00"


def test_it_follows_the_councils_own_rulebook():
    council = make_council(referral_response_minutes=60, referral_service_end=time(17, 0))
    out = deadline(
        "--council", council.slug, "--rule", "referral-response", "--from", "2018-05-21T16:30"
    )
    assert out == "2018-05-22T08:30:00+01:00"


def test_it_names_the_known_councils_when_the_slug_is_wrong(northshire):
    with pytest.raises(CommandError, match=northshire.slug):
        deadline(
            "--council", "nowhere", "--rule", "referral-response", "--from", "2018-05-21T16:57"
        )


def test_it_explains_a_bad_time(northshire):
    with pytest.raises(CommandError, match="ISO 8601"):
        deadline(
            "--council", northshire.slug, "--rule", "referral-response", "--from", "21/05/2018"
        )


def test_it_refuses_an_unknown_rule(northshire):
    with pytest.raises(CommandError):
        deadline("--council", northshire.slug, "--rule", "tea-break", "--from", "2018-05-21T16:57")


# --- Properties of the reply deadline, over many years of clock changes and bank holidays ----

RULEBOOK = Rulebook()  # the defaults: 08:00-17:30 Monday-Friday, closed on bank holidays, 2 hours
HOURS = RULEBOOK.referral_service_hours()
moments = st.datetimes(
    # Hypothesis takes naive bounds and adds the zone itself.
    min_value=datetime(2016, 1, 1),  # noqa: DTZ001
    max_value=datetime(2032, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=300, deadline=None)
@given(moments)
def test_the_reply_window_is_exactly_two_service_hours(received):
    due = referral_respond_by(RULEBOOK, received)
    assert service_time_between(received, due, HOURS) == timedelta(minutes=120)


@settings(max_examples=300, deadline=None)
@given(moments)
def test_a_deadline_falls_inside_service_hours_on_a_working_day(received):
    due = to_london(referral_respond_by(RULEBOOK, received))
    assert due.weekday() < 5
    assert due.date() not in bank_holidays(due.year)
    assert time(8, 0) < due.time() <= time(17, 30)


@settings(max_examples=200, deadline=None)
@given(moments, st.integers(min_value=1, max_value=7 * 24 * 60))
def test_a_later_referral_is_never_due_earlier(received, minutes_later):
    later = received + timedelta(minutes=minutes_later)
    assert referral_respond_by(RULEBOOK, later) >= referral_respond_by(RULEBOOK, received)


@settings(max_examples=100, deadline=None)
@given(moments)
def test_the_update_is_due_72_real_hours_after_the_first_visit(first_visit):
    # Given in London time, as a page would: still 72 real hours across clock changes.
    due = referral_update_due_by(RULEBOOK, to_london(first_visit))
    assert due - first_visit == timedelta(hours=72)


def test_a_time_without_an_offset_is_london_time(northshire):
    # 12:00 in June is 11:00 UTC; the reply is due two hours later, at 14:00 London.
    out = deadline(
        "--council", northshire.slug, "--rule", "referral-response", "--from", "2018-06-05T12:00"
    )
    assert out == "2018-06-05T14:00:00+01:00"
    assert datetime.fromisoformat(out).astimezone(LONDON).hour == 14


# --- When a period's actuals must be confirmed ---------------------------------------------------


def confirm_by(period_end: str, **rulebook) -> str:
    due = actuals_confirm_by(Rulebook(**rulebook), date.fromisoformat(period_end))
    return to_london(due).isoformat()


WORKING_DAYS = {"actuals_confirmation_rule": ConfirmationRule.WORKING_DAYS_AFTER}


@pytest.mark.parametrize(
    ("period_end", "rulebook", "due"),
    [
        # Bradford: "You must confirm by close of business on Tuesdays."
        ("2026-11-15", {}, "2026-11-17T17:00:00+00:00"),
        ("2026-06-14", {}, "2026-06-16T17:00:00+01:00"),  # in summer time
        # Christmas Day 2018 was a Tuesday and Boxing Day a Wednesday: Thursday.
        ("2018-12-23", {}, "2018-12-27T17:00:00+00:00"),
        ("2018-12-30", {}, "2019-01-02T17:00:00+00:00"),  # New Year's Day on a Tuesday
        # A 4-weekly period ends on a Sunday too: the Tuesday after it.
        ("2026-11-29", {"actuals_period": "four_weekly"}, "2026-12-01T17:00:00+00:00"),
        # A period that ends on a Tuesday is due the Tuesday after, not the same day.
        ("2026-11-17", {}, "2026-11-24T17:00:00+00:00"),
        # Weeks from Sunday, due on Wednesday.
        ("2026-11-21", {"actuals_confirmation_weekday": 2}, "2026-11-25T17:00:00+00:00"),
        ("2026-11-15", {"close_of_business": time(16, 30)}, "2026-11-17T16:30:00+00:00"),
        # Five working days after the period: Monday is the first of them.
        ("2026-11-15", WORKING_DAYS, "2026-11-20T17:00:00+00:00"),
        # Over Easter 2026: Easter Monday is not a working day.
        ("2026-04-05", WORKING_DAYS, "2026-04-13T17:00:00+01:00"),
        (
            "2026-11-15",
            {**WORKING_DAYS, "actuals_confirmation_working_days": 1},
            "2026-11-16T17:00:00+00:00",
        ),
        # Over Christmas 2026: Friday 25 December and Monday 28th, Boxing Day's substitute.
        ("2026-12-20", WORKING_DAYS, "2026-12-29T17:00:00+00:00"),
    ],
)
def test_it_gives_the_actuals_confirmation_deadline(period_end, rulebook, due):
    assert confirm_by(period_end, **rulebook) == due


def test_it_prints_the_actuals_confirmation_deadline(northshire):
    out = deadline(
        "--council", northshire.slug, "--rule", "actuals-confirmation", "--from", "2018-12-23T12:00"
    )
    assert out == "2018-12-27T17:00:00+00:00"


period_ends = st.dates(min_value=date(2016, 1, 1), max_value=date(2032, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    period_ends,
    st.sampled_from(ConfirmationRule.values),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=1, max_value=10),
)
def test_actuals_are_due_at_close_of_business_on_a_working_day_after_the_period(
    period_end, rule, weekday, working_days
):
    rulebook = Rulebook(
        actuals_confirmation_rule=rule,
        actuals_confirmation_weekday=weekday,
        actuals_confirmation_working_days=working_days,
    )
    due = to_london(actuals_confirm_by(rulebook, period_end))
    assert due.time() == time(17, 0)
    assert due.weekday() < 5
    assert due.date() not in bank_holidays(due.year)
    # After the period, and never more than a fortnight and the Christmas holidays after it.
    assert period_end < due.date() <= period_end + timedelta(days=20)
    if rule == ConfirmationRule.WEEKDAY_AFTER:
        # The first such weekday after the period, or the first working day from it.
        first = period_end + timedelta(days=1)
        while first.weekday() != weekday:
            first += timedelta(days=1)
        assert due.date() >= first
        assert all(
            d.weekday() >= 5 or d in bank_holidays(d.year)
            for d in (first + timedelta(days=n) for n in range((due.date() - first).days))
        )
