"""The one compare-and-set every status change goes through (core.lifecycle)."""

from datetime import UTC, date, datetime
from unittest import mock

import pytest

from carebridge.core import calendar
from carebridge.core.errors import Refused
from carebridge.core.lifecycle import Lifecycle
from carebridge.core.models import Submission

# Any text field serves as a status here: the helper knows nothing of what a status means.
DOORS = Lifecycle(
    {"open": (["shut", "ajar"], "open"), "shut": (["open", "ajar"], "shut")}, field="purpose"
)


def test_the_table_says_where_each_event_may_happen_from_and_leads_to() -> None:
    assert DOORS.sources("open") == frozenset({"shut", "ajar"})
    assert DOORS.target("open") == "open"
    assert DOORS["shut"] == (frozenset({"open", "ajar"}), "shut")
    assert DOORS.allows("ajar", "open")
    assert not DOORS.allows("open", "open")
    assert DOORS.events_from("ajar") == ["open", "shut"]
    assert DOORS.events_from("open") == ["shut"]


def _door(status: str, object_id: int | None = None) -> Submission:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return Submission.objects.create(
        key=f"door-{status}", purpose=status, object_id=object_id, created_at=moment
    )


@pytest.mark.django_db
def test_a_move_changes_the_row_only_from_an_allowed_status() -> None:
    door = _door("shut")
    assert DOORS.move(Submission, door.pk, "open", object_id=1)
    door.refresh_from_db()
    assert (door.purpose, door.object_id) == ("open", 1)
    # A second "open" finds the row already moved on: nothing is written.
    assert not DOORS.move(Submission, door.pk, "open", object_id=2)
    door.refresh_from_db()
    assert (door.purpose, door.object_id) == ("open", 1)


@pytest.mark.django_db
def test_a_guard_refuses_a_move_when_another_field_changed_since_it_was_read() -> None:
    door = _door("open", object_id=7)
    assert not DOORS.move(Submission, door.pk, "shut", guard={"object_id": 8})
    assert DOORS.move(Submission, door.pk, "shut", guard={"object_id": 7})
    door.refresh_from_db()
    assert door.purpose == "shut"


def test_a_refusal_carries_its_message() -> None:
    refusal = Refused("You cannot do this now.")
    assert refusal.message == str(refusal) == "You cannot do this now."


def test_today_is_the_london_date_not_the_utc_one() -> None:
    # 11:30pm UTC on 30 June is 12:30am on 1 July in London (British Summer Time).
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=late):
        assert calendar.today() == date(2026, 7, 1)


def test_london_midnight_follows_the_clock_changes() -> None:
    assert calendar.london_midnight(date(2026, 1, 15)) == datetime(2026, 1, 15, 0, 0, tzinfo=UTC)
    assert calendar.london_midnight(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
