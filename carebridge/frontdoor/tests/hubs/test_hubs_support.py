"""Builders shared by the hub tests (this module holds no tests): a clock the tests move, a
hub with its officer, published times and holds, all through the services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from carebridge.accounts.models import User
from carebridge.frontdoor.hubs import services
from carebridge.frontdoor.models import Booking, Hub, Slot
from carebridge.organisations.models import Council

# Monday 19 October 2026, 9am in London (8am UTC): the clocks go back on Sunday 25 October.
START = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)


class Clock:
    """The product's clock (core.calendar.now reads django's timezone.now), moved by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


def freeze(monkeypatch: Any, at: datetime = START) -> Clock:
    clock = Clock(at)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def make_hub(
    council: Council, officer: User, name: str = "Brookfield Community Hub", **fields: Any
) -> Hub:
    values: dict[str, Any] = {
        "address_line_1": "2 Brookfield Parade",
        "town": "Wealdbridge",
        "postcode": "wb1 2hq",
        "phone": "01632 960 411",
        "access_notes": "Step-free access from the car park.",
        **fields,
    }
    return services.hub_create(council=council, by=officer, name=name, **values)


def publish(
    hub: Hub,
    officer: User,
    first_day: date,
    last_day: date | None = None,
    *,
    weekdays: Iterable[int] = range(7),
    start: time = time(10, 0),
    end: time = time(12, 0),
    length: int = 30,
) -> services.Published:
    return services.slots_publish(
        hub=hub,
        first_day=first_day,
        last_day=last_day or first_day,
        weekdays=set(weekdays),
        start_time=start,
        end_time=end,
        length_minutes=length,
        by=officer,
    )


def first_slot(hub: Hub) -> Slot:
    slot = Slot.objects.filter(hub=hub).order_by("starts_at").first()
    assert slot is not None
    return slot


def hold(
    slot: Slot,
    name: str = "Marjorie Pennington",
    email: str = "marjorie@example.org",
    **fields: Any,
) -> Booking:
    return services.booking_hold(slot=slot, name=name, email=email, **fields)
