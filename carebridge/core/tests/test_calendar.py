from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebridge.core import calendar
from carebridge.core.calendar import (
    LONDON,
    ServiceHours,
    add_service_time,
    add_working_days,
    bank_holidays,
    is_working_day,
    service_time_between,
    to_london,
)

OFFICE = ServiceHours(
    start=time(8, 0),
    end=time(17, 30),
    weekdays=frozenset(range(5)),
    bank_holidays_closed=True,
)
EVERY_DAY = ServiceHours(
    start=time(7, 0),
    end=time(22, 0),
    weekdays=frozenset(range(7)),
    bank_holidays_closed=False,
)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Bank holidays


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 12, 25),
        date(2025, 12, 26),
        date(2026, 8, 31),
        date(2019, 12, 25),
        date(2019, 12, 26),
        date(2022, 9, 19),
        date(2020, 5, 8),
        date(2023, 5, 8),
        date(2015, 12, 28),
    ],
)
def test_it_knows_england_and_wales_bank_holidays_including_one_off_days(day: date) -> None:
    assert day in bank_holidays(day.year)


def test_it_does_not_keep_the_early_may_day_that_moved_for_ve_day_in_2020() -> None:
    assert date(2020, 5, 4) not in bank_holidays(2020)


def test_it_lists_only_the_weekday_a_weekend_holiday_is_moved_to_as_gov_uk_does() -> None:
    # Boxing Day 2020 was a Saturday; the bank holiday was Monday 28 December.
    holidays_2020 = bank_holidays(2020)
    assert date(2020, 12, 26) not in holidays_2020
    assert date(2020, 12, 28) in holidays_2020
    assert all(day.weekday() < 5 for day in holidays_2020)


def test_it_gives_the_same_cached_set_for_a_year() -> None:
    assert bank_holidays(2025) is bank_holidays(2025)
    assert isinstance(bank_holidays(2025), frozenset)


def test_it_does_not_treat_scottish_holidays_as_english_ones() -> None:
    assert date(2025, 1, 2) not in bank_holidays(2025)
    assert date(2025, 8, 4) not in bank_holidays(2025)


# Working days


def test_it_treats_weekdays_as_working_days_and_weekends_as_not() -> None:
    assert is_working_day(date(2025, 1, 20))
    assert not is_working_day(date(2025, 1, 25))
    assert not is_working_day(date(2025, 1, 26))


def test_it_treats_bank_holidays_and_council_closures_as_not_working_days() -> None:
    assert not is_working_day(date(2025, 12, 25))
    assert not is_working_day(date(2025, 1, 20), closures=[date(2025, 1, 20)])


def test_it_refuses_a_datetime_where_a_day_is_needed() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2025, 12, 25, 9, 0, tzinfo=UTC))


def test_it_counts_two_working_days_over_christmas_2019() -> None:
    # DOMAIN.md 4.5: received Tue 24 Dec 2019, day 1 is Fri 27, day 2 is Mon 30.
    assert add_working_days(date(2019, 12, 24), 1) == date(2019, 12, 27)
    assert add_working_days(date(2019, 12, 24), 2) == date(2019, 12, 30)


def test_it_does_not_count_christmas_as_working_days_the_way_the_govuk_iterator_does() -> None:
    assert add_working_days(date(2025, 12, 22), 3) == date(2025, 12, 29)


def test_it_returns_the_day_itself_for_zero_days_when_it_is_a_working_day() -> None:
    assert add_working_days(date(2025, 1, 20), 0) == date(2025, 1, 20)


def test_it_moves_zero_days_on_a_weekend_to_the_next_working_day() -> None:
    assert add_working_days(date(2025, 1, 25), 0) == date(2025, 1, 27)
    assert add_working_days(date(2020, 12, 25), 0) == date(2020, 12, 29)


def test_it_starts_counting_from_the_next_working_day_when_received_on_a_weekend() -> None:
    assert add_working_days(date(2025, 1, 25), 1) == date(2025, 1, 28)


def test_it_skips_council_closure_days_when_adding_working_days() -> None:
    closures = [date(2025, 1, 21), date(2025, 1, 22)]
    assert add_working_days(date(2025, 1, 20), 1, closures=closures) == date(2025, 1, 23)


def test_it_accepts_closures_given_as_a_one_shot_iterator() -> None:
    closures = iter([date(2025, 1, 21), date(2025, 1, 22)])
    assert add_working_days(date(2025, 1, 20), 2, closures=closures) == date(2025, 1, 24)


def test_it_refuses_a_negative_number_of_working_days() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 20), -1)


@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 60))
def test_adding_working_days_always_lands_on_a_working_day_after_that_many_working_days(
    start: date, n: int
) -> None:
    result = add_working_days(start, n)
    assert is_working_day(result)
    assert result >= start
    first = add_working_days(start, 0)
    working_days_after_first = sum(
        1
        for offset in range(1, (result - first).days + 1)
        if is_working_day(first + timedelta(days=offset))
    )
    assert working_days_after_first == n


# Service hours


def test_it_refuses_service_hours_that_end_before_they_start() -> None:
    with pytest.raises(ValueError):
        ServiceHours(time(17, 0), time(8, 0), frozenset(range(5)), True)
    with pytest.raises(ValueError):
        ServiceHours(time(8, 0), time(8, 0), frozenset(range(5)), True)


def test_it_refuses_weekdays_outside_monday_to_sunday() -> None:
    with pytest.raises(ValueError):
        ServiceHours(time(8, 0), time(17, 0), frozenset({7}), True)


def test_it_says_a_service_is_shut_at_weekends_bank_holidays_and_closures() -> None:
    hours = ServiceHours(
        time(8, 0), time(17, 30), frozenset(range(5)), True, frozenset({date(2025, 1, 21)})
    )
    assert hours.is_open_on(date(2025, 1, 20))
    assert not hours.is_open_on(date(2025, 1, 21))
    assert not hours.is_open_on(date(2025, 1, 25))
    assert not hours.is_open_on(date(2025, 12, 25))


def test_it_keeps_a_seven_day_service_open_on_bank_holidays_when_told_to() -> None:
    assert EVERY_DAY.is_open_on(date(2025, 12, 25))
    assert EVERY_DAY.is_open_on(date(2025, 12, 27))


def test_a_referral_at_4_57pm_on_monday_is_due_at_9_27am_on_tuesday() -> None:
    due = add_service_time(london(2025, 1, 20, 16, 57), timedelta(hours=2), OFFICE)
    assert due == london(2025, 1, 21, 9, 27)
    assert due.tzinfo is UTC


def test_it_counts_only_service_hours_across_a_weekend() -> None:
    # 90 minutes on Friday until 5:30pm, then 30 minutes from 8am on Monday.
    due = add_service_time(london(2025, 1, 24, 16, 0), timedelta(hours=2), OFFICE)
    assert to_london(due) == london(2025, 1, 27, 8, 30)


def test_a_referral_at_5pm_on_friday_is_due_at_9_30am_on_monday() -> None:
    due = add_service_time(london(2025, 1, 24, 17, 0), timedelta(hours=2), OFFICE)
    assert to_london(due) == london(2025, 1, 27, 9, 30)


def test_it_counts_only_service_hours_across_christmas_boxing_day_and_the_weekend() -> None:
    # Fri 25 Dec 2020 and the substitute Boxing Day on Mon 28 Dec are both shut.
    due = add_service_time(london(2020, 12, 24, 16, 57), timedelta(hours=2), OFFICE)
    assert to_london(due) == london(2020, 12, 29, 9, 27)


def test_it_starts_the_clock_at_the_next_opening_when_received_overnight() -> None:
    due = add_service_time(london(2025, 6, 10, 23, 0), timedelta(hours=2), EVERY_DAY)
    assert to_london(due) == london(2025, 6, 11, 9, 0)


def test_it_starts_the_clock_at_opening_when_received_early_the_same_day() -> None:
    due = add_service_time(london(2025, 1, 20, 6, 15), timedelta(minutes=30), OFFICE)
    assert to_london(due) == london(2025, 1, 20, 8, 30)


def test_a_deadline_that_ends_exactly_at_closing_time_stays_that_day() -> None:
    due = add_service_time(london(2025, 1, 20, 15, 30), timedelta(hours=2), OFFICE)
    assert to_london(due) == london(2025, 1, 20, 17, 30)


def test_zero_service_time_is_the_moment_itself_inside_the_window() -> None:
    start = london(2025, 1, 20, 10, 0)
    assert add_service_time(start, timedelta(0), OFFICE) == start


def test_zero_service_time_outside_the_window_is_the_next_opening() -> None:
    due = add_service_time(london(2025, 1, 20, 17, 30), timedelta(0), OFFICE)
    assert to_london(due) == london(2025, 1, 21, 8, 0)


def test_it_counts_a_full_hour_of_service_time_across_the_march_clock_change() -> None:
    # Clocks go forward at 1am on Sun 30 March 2025; the window opens at 07:00 BST.
    due = add_service_time(london(2025, 3, 29, 21, 0), timedelta(hours=2), EVERY_DAY)
    assert to_london(due) == london(2025, 3, 30, 8, 0)
    assert due == utc(2025, 3, 30, 7, 0)


def test_it_counts_a_full_hour_of_service_time_across_the_october_clock_change() -> None:
    # Clocks go back at 2am on Sun 26 October 2025; the window opens at 07:00 GMT.
    due = add_service_time(london(2025, 10, 25, 21, 0), timedelta(hours=2), EVERY_DAY)
    assert to_london(due) == london(2025, 10, 26, 8, 0)
    assert due == utc(2025, 10, 26, 8, 0)


def test_a_night_window_is_shorter_in_march_and_longer_in_october() -> None:
    night = ServiceHours(time(0, 30), time(3, 30), frozenset(range(7)), False)
    march = service_time_between(london(2025, 3, 30, 0, 0), london(2025, 3, 30, 12, 0), night)
    october = service_time_between(london(2025, 10, 26, 0, 0), london(2025, 10, 26, 12, 0), night)
    assert march == timedelta(hours=2)
    assert october == timedelta(hours=4)


def test_a_window_that_starts_in_the_spring_forward_gap_counts_as_shut() -> None:
    hours = ServiceHours(time(1, 30), time(2, 0), frozenset(range(7)), False)
    assert hours.window_on(date(2025, 3, 30)) is None
    assert hours.window_on(date(2025, 3, 31)) is not None
    due = add_service_time(london(2025, 3, 29, 23, 0), timedelta(minutes=10), hours)
    assert to_london(due) == london(2025, 3, 31, 1, 40)


def test_it_accepts_a_start_in_any_timezone() -> None:
    due = add_service_time(utc(2025, 7, 14, 15, 57), timedelta(hours=2), OFFICE)
    assert to_london(due) == london(2025, 7, 15, 9, 27)


def test_it_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError):
        add_service_time(datetime(2025, 1, 20, 9, 0), timedelta(hours=1), OFFICE)  # noqa: DTZ001


def test_it_refuses_negative_service_time() -> None:
    with pytest.raises(ValueError):
        add_service_time(london(2025, 1, 20, 9, 0), timedelta(hours=-1), OFFICE)


def test_it_gives_up_on_hours_that_never_open() -> None:
    never = ServiceHours(time(8, 0), time(17, 0), frozenset(), True)
    with pytest.raises(ValueError):
        add_service_time(london(2025, 1, 20, 9, 0), timedelta(hours=1), never)


def test_it_gives_up_when_closures_shut_the_service_for_over_a_year() -> None:
    start = date(2025, 1, 1)
    closures = frozenset(start + timedelta(days=offset) for offset in range(500))
    hours = ServiceHours(time(8, 0), time(17, 0), frozenset(range(7)), False, closures)
    with pytest.raises(ValueError):
        add_service_time(london(2025, 1, 1, 9, 0), timedelta(hours=1), hours)


def test_service_time_between_counts_only_open_hours() -> None:
    elapsed = service_time_between(london(2025, 1, 24, 16, 0), london(2025, 1, 27, 8, 30), OFFICE)
    assert elapsed == timedelta(hours=2)


def test_service_time_between_is_negative_when_the_end_is_before_the_start() -> None:
    elapsed = service_time_between(london(2025, 1, 27, 8, 30), london(2025, 1, 24, 16, 0), OFFICE)
    assert elapsed == -timedelta(hours=2)


def test_service_time_between_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        service_time_between(
            datetime(2025, 1, 20, 9, 0),  # noqa: DTZ001
            london(2025, 1, 20, 10, 0),
            OFFICE,
        )


# Properties

quarter_hours = st.builds(time, hour=st.integers(0, 23), minute=st.sampled_from([0, 15, 30, 45]))


@st.composite
def service_hours(draw: st.DrawFn, times: st.SearchStrategy[time] = quarter_hours) -> ServiceHours:
    start = draw(times)
    end = draw(times.filter(lambda t: t > start))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    closed = draw(st.booleans())
    return ServiceHours(start, end, weekdays, closed)


moments = st.datetimes(
    min_value=datetime(2019, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, LONDON]),
)


@settings(max_examples=300)
@given(moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)), service_hours())
def test_service_time_between_undoes_add_service_time(
    start: datetime, duration: timedelta, hours: ServiceHours
) -> None:
    due = add_service_time(start, duration, hours)
    assert due >= start
    assert due.tzinfo is UTC
    assert service_time_between(start, due, hours) == duration


@given(moments, moments, service_hours())
def test_service_time_between_is_antisymmetric(
    a: datetime, b: datetime, hours: ServiceHours
) -> None:
    assert service_time_between(a, b, hours) == -service_time_between(b, a, hours)


# Times that exist exactly once on every day, so a wall-clock count is a fair oracle.
unambiguous_times = quarter_hours.filter(lambda t: not time(1, 0) <= t < time(2, 0))
clock_change_mornings = st.sampled_from(
    [
        utc(2024, 3, 30, 0, 0),
        utc(2024, 10, 26, 0, 0),
        utc(2025, 3, 29, 0, 0),
        utc(2025, 10, 25, 0, 0),
        utc(2025, 12, 24, 0, 0),
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    clock_change_mornings,
    st.integers(0, 24 * 60),
    st.integers(0, 3 * 24 * 60),
    service_hours(unambiguous_times),
)
def test_service_time_between_matches_a_minute_by_minute_count_in_london_time(
    base: datetime, offset_minutes: int, span_minutes: int, hours: ServiceHours
) -> None:
    a = base + timedelta(minutes=offset_minutes)
    b = a + timedelta(minutes=span_minutes)
    counted = 0
    for minute in range(span_minutes):
        local = to_london(a + timedelta(minutes=minute))
        if hours.is_open_on(local.date()) and hours.start <= local.time() < hours.end:
            counted += 1
    assert service_time_between(a, b, hours) == timedelta(minutes=counted)


# Now


def test_now_is_an_aware_utc_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = utc(2025, 1, 20, 9, 0)
    monkeypatch.setattr(calendar.timezone, "now", lambda: frozen)
    assert calendar.now() == frozen


def test_to_london_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        to_london(datetime(2025, 1, 20, 9, 0))  # noqa: DTZ001


def test_to_london_shows_summer_time() -> None:
    assert to_london(utc(2018, 5, 22, 14, 23)).hour == 15


def test_calendar_months_keep_the_day_or_take_the_months_last():
    from carebridge.core.calendar import add_calendar_months

    assert add_calendar_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_calendar_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_calendar_months(date(2027, 3, 31), -1) == date(2027, 2, 28)
    assert add_calendar_months(date(2027, 11, 15), 3) == date(2028, 2, 15)
    assert add_calendar_months(date(2027, 1, 15), -13) == date(2025, 12, 15)
    moment = datetime(2027, 5, 31, 14, 30, tzinfo=UTC)
    assert add_calendar_months(moment, -84) == datetime(2020, 5, 31, 14, 30, tzinfo=UTC)
