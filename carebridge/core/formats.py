"""How dates, times and money are shown, matching the councils' own guides."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from carebridge.core.calendar import to_london

_PENNY = Decimal("0.01")


def guide_time(dt: datetime | None) -> str:
    """A London clock time like "3:23pm", the way the councils' guides write times."""
    if dt is None:
        return ""
    return clock_time(to_london(dt).time())


def clock_time(value: time) -> str:
    """A time of day like "3:23pm" (a rule's hours: "8:00am to 5:30pm")."""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d}{suffix}"


def guide_date(d: date | datetime | None) -> str:
    """A date like "22/05/2018"; a moment is shown as its London day, not its UTC day."""
    if d is None:
        return ""
    day = to_london(d).date() if isinstance(d, datetime) else d
    # Built by hand because strftime's %Y does not zero-pad early years on every platform.
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def guide_datetime(dt: datetime | None) -> str:
    """A moment like "3:23pm 22/05/2018" in London time, as the councils' guides show it."""
    if dt is None:
        return ""
    return f"{guide_time(dt)} {guide_date(dt)}"


def round_money(value: Decimal) -> Decimal:
    """Round to the penny, half up: the one place money is rounded, so totals agree."""
    if not isinstance(value, Decimal):
        # Floats cannot hold pennies exactly, so they are refused rather than converted.
        raise TypeError(f"Money must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"Money must be a finite amount, got {value}")
    return value.quantize(_PENNY, rounding=ROUND_HALF_UP)


def money(value: Decimal | None) -> str:
    """An amount like "£1,269.00" or "-£12.50", rounded the same way as stored totals."""
    if value is None:
        return ""
    pennies = round_money(value)
    # Testing < 0 after rounding keeps "-0.001" from showing as "-£0.00".
    sign = "-" if pennies < 0 else ""
    return f"{sign}£{abs(pennies):,.2f}"
