"""What the tests of the actuals services share: last week, and generating, saving and reading
rows as the world's provider."""

from datetime import date
from decimal import Decimal

from carebridge.actuals import services
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.services import Saved
from carebridge.actuals.tests.conftest import (
    item,
    weeks_ago,
)
from carebridge.organisations.choices import FrustratedReason as FR

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
