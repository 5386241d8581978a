from datetime import date

import pytest

from carebridge.subjectaccess.deadlines import days_left, due_on, extended_due_on


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 3, 15), date(2026, 4, 15)),
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2026, 2, 28), date(2026, 3, 28)),
    ],
)
def test_it_is_due_on_the_corresponding_day_next_month_or_its_last_day(received, due):
    assert due_on(received) == due


def test_it_extends_by_two_further_months_counted_from_receipt():
    assert extended_due_on(date(2026, 1, 31)) == date(2026, 4, 30)
    assert extended_due_on(date(2026, 11, 30)) == date(2027, 2, 28)


def test_it_counts_days_left_negative_when_overdue():
    assert days_left(date(2026, 2, 28), date(2026, 2, 26)) == 2
    assert days_left(date(2026, 2, 28), date(2026, 3, 2)) == -2
