"""Front-door requests from professionals, by organisation (Telford: which partners refer, and
which of their referrals were inappropriate): for each organisation a professional named, its
requests in the chosen weeks, what the tool recommended, how many were signposted or sent to
the council, the officers' decisions and how many they judged inappropriate.

An organisation is typed by each professional, so spellings that differ only in capitals or
spaces are counted as one, under the spelling used most."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from carebridge.core.calendar import london_midnight
from carebridge.core.permissions import Function
from carebridge.frontdoor.choices import Asker, Decision, Result, Route
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.reports.base import Column, Kind, Report, Row, Table, register
from carebridge.reports.catalogue.frontdoor_weekly import GROUP, Filters, weeks_note, whole_weeks

if TYPE_CHECKING:
    from carebridge.accounts.models import User

COLUMNS = (
    Column("Organisation", width=32),
    Column("Requests", Kind.COUNT, total=True, width=9),
    Column("Likely eligible", Kind.COUNT, total=True, width=9),
    Column("Signposted", Kind.COUNT, total=True, width=10),
    Column("Sent to the council", Kind.COUNT, total=True, width=10),
    Column("Accepted for assessment", Kind.COUNT, total=True, width=11),
    Column("Redirected", Kind.COUNT, total=True, width=10),
    Column("No further action", Kind.COUNT, total=True, width=10),
    Column("Judged inappropriate", Kind.COUNT, total=True, width=12),
)
NOT_GIVEN = "Not given"
_SENT = Q(route=Route.QUEUE)
COUNTS = {
    "requests": Count("pk"),
    "likely_eligible": Count("pk", filter=Q(result=Result.LIKELY_ELIGIBLE)),
    "signposted": Count("pk", filter=Q(route=Route.SIGNPOSTED)),
    "sent": Count("pk", filter=_SENT),
    "accepted": Count("pk", filter=Q(decision=Decision.ASSESSMENT)),
    "redirected": Count("pk", filter=Q(decision=Decision.REDIRECTED)),
    "no_further_action": Count("pk", filter=Q(decision=Decision.NO_FURTHER_ACTION)),
    "inappropriate": Count("pk", filter=_SENT & Q(appropriate=False)),
}


def same_name(text: str) -> str:
    """What makes two typed names one: "NHS  Telford " and "nhs telford" are the same."""
    return " ".join(text.split()).casefold()


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """The organisations with the most requests first; one query, counted in the database
    per spelling and merged here per organisation."""
    assert user.council_id is not None  # a council's report (Report.may_use)
    first, last = whole_weeks(filters)
    per_spelling = (
        FrontDoorRequest.objects.filter(
            council_id=user.council_id,
            asker=Asker.PROFESSIONAL,
            submitted_at__gte=london_midnight(first),
            submitted_at__lt=london_midnight(last + timedelta(weeks=1)),
        )
        .order_by()
        .values("professional_organisation")
        .annotate(**COUNTS)
    )
    return Table(
        columns=COLUMNS,
        rows=_rows(per_spelling, user.council_id),
        notes=[
            weeks_note(first, last),
            "Each organisation is as the professional typed it: spellings that differ only in "
            "capitals or spaces are counted together, under the one used most.",
        ],
        empty="No professional made a request in these weeks.",
    )


def _rows(per_spelling: Any, council_id: int) -> Iterator[Row]:
    sums: dict[str, Counter[str]] = defaultdict(Counter)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for counted in per_spelling:
        typed = " ".join(counted.pop("professional_organisation").split())
        key = same_name(typed)
        sums[key].update(counted)
        spellings[key][typed] += counted["requests"]

    def shown(key: str) -> str:
        if not key:
            return NOT_GIVEN
        # The spelling used most; of two used as often, the first alphabetically.
        return min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]

    for key in sorted(sums, key=lambda key: (-sums[key]["requests"], not key, shown(key))):
        yield Row((shown(key), *(sums[key][name] for name in COUNTS)), council_id=council_id)


register(
    Report(
        slug="front-door-organisations",
        title="Front-door requests by organisation",
        summary="The requests professionals made, by their organisation: what the tool "
        "recommended, what the council decided and how many were inappropriate.",
        side="council",
        group=GROUP,
        form=Filters,
        build=build,
        function=Function.FRONT_DOOR,
        order=62,
    )
)
