from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebridge.core.calendar import LONDON
from carebridge.core.formats import guide_date, guide_datetime, guide_time, money, round_money


def test_it_shows_a_moment_in_london_time_as_the_guides_do() -> None:
    assert guide_datetime(datetime(2018, 5, 22, 14, 23, tzinfo=UTC)) == "3:23pm 22/05/2018"


def test_it_shows_a_winter_moment_in_greenwich_mean_time() -> None:
    assert guide_datetime(datetime(2018, 1, 15, 14, 23, tzinfo=UTC)) == "2:23pm 15/01/2018"


def test_it_shows_noon_and_midnight_as_twelve() -> None:
    assert guide_time(datetime(2018, 5, 22, 12, 5, tzinfo=LONDON)) == "12:05pm"
    assert guide_time(datetime(2018, 5, 22, 0, 5, tzinfo=LONDON)) == "12:05am"


def test_it_shows_morning_hours_without_a_leading_zero() -> None:
    assert guide_time(datetime(2018, 5, 22, 9, 7, tzinfo=LONDON)) == "9:07am"


def test_it_shows_the_london_day_for_a_moment_late_in_the_utc_evening() -> None:
    late_utc = datetime(2018, 5, 21, 23, 30, tzinfo=UTC)
    assert guide_date(late_utc) == "22/05/2018"
    assert guide_datetime(late_utc) == "12:30am 22/05/2018"


def test_it_shows_a_plain_date_with_leading_zeros() -> None:
    assert guide_date(date(2018, 5, 2)) == "02/05/2018"


def test_it_shows_nothing_for_a_missing_value() -> None:
    assert guide_datetime(None) == ""
    assert guide_date(None) == ""
    assert guide_time(None) == ""
    assert money(None) == ""


def test_it_refuses_to_guess_the_timezone_of_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        guide_datetime(datetime(2018, 5, 22, 14, 23))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1269"), "£1,269.00"),
        (Decimal("-12.5"), "-£12.50"),
        (Decimal("0"), "£0.00"),
        (Decimal("0.005"), "£0.01"),
        (Decimal("2.675"), "£2.68"),
        (Decimal("-2.675"), "-£2.68"),
        (Decimal("-0.004"), "£0.00"),
        (Decimal("1234567.891"), "£1,234,567.89"),
    ],
)
def test_it_shows_money_in_pounds_rounded_half_up_to_the_penny(value: Decimal, shown: str) -> None:
    assert money(value) == shown


def test_it_rounds_money_half_up_to_the_penny() -> None:
    assert round_money(Decimal("19.995")) == Decimal("20.00")
    assert round_money(Decimal("19.994")) == Decimal("19.99")
    assert round_money(Decimal("3")) == Decimal("3.00")
    assert str(round_money(Decimal("3"))) == "3.00"


def test_it_refuses_floats_and_ints_as_money() -> None:
    with pytest.raises(TypeError):
        money(12.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        round_money(12)  # type: ignore[arg-type]


def test_it_refuses_amounts_that_are_not_numbers() -> None:
    with pytest.raises(ValueError):
        money(Decimal("NaN"))
    with pytest.raises(ValueError):
        round_money(Decimal("Infinity"))


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_shown_money_reads_back_as_the_same_amount(value: Decimal) -> None:
    shown = money(value)
    assert Decimal(shown.replace("£", "").replace(",", "")) == value


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False))
def test_rounding_money_never_moves_it_more_than_half_a_penny(value: Decimal) -> None:
    rounded = round_money(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert rounded == round_money(rounded)
