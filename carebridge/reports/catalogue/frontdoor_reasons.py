"""Front-door requests redirected, closed or judged inappropriate, by reason (Telford: "patterns
in inappropriate referrals", so they can be signposted to the right service): for each decision
that did not accept the request for assessment (redirected, with the service it was redirected
to; no further action) and each accepted request the officers judged inappropriate, how many,
and how many of them came from professionals.

The service a request was redirected to is typed by the officer, so names that differ only in
capitals or spaces are counted as one, under the spelling used most. A request closed with no
further action has no reason beyond the outcome the person reads, which is free text: those are
counted together."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from carebridge.core.calendar import london_midnight
from carebridge.core.permissions import Function
from carebridge.frontdoor.choices import Asker, Decision, Route
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.reports.base import Column, Kind, Report, Row, Table, register
from carebridge.reports.catalogue.frontdoor_organisations import same_name
from carebridge.reports.catalogue.frontdoor_weekly import GROUP, Filters, weeks_note, whole_weeks

if TYPE_CHECKING:
    from carebridge.accounts.models import User

COLUMNS = (
    Column("Decision", width=26),
    Column("Redirected to", width=32),
    Column("Requests", Kind.COUNT, total=True, width=9),
    Column("From professionals", Kind.COUNT, total=True, width=11),
    Column("Judged inappropriate", Kind.COUNT, total=True, width=12),
    Column("Judged appropriate", Kind.COUNT, total=True, width=12),
    Column("Not judged", Kind.COUNT, total=True, width=10),
)
# The decisions listed, in this order: the two that turned a request away, then an accepted
# request the officers found should not have been sent.
ORDER = (Decision.REDIRECTED, Decision.NO_FURTHER_ACTION, Decision.ASSESSMENT)
COUNTS = {
    "requests": Count("pk"),
    # Named apart from the model's fields, which an annotation may not shadow.
    "from_professionals": Count("pk", filter=Q(asker=Asker.PROFESSIONAL)),
    "judged_inappropriate": Count("pk", filter=Q(appropriate=False)),
    "judged_appropriate": Count("pk", filter=Q(appropriate=True)),
    "not_judged": Count("pk", filter=Q(appropriate__isnull=True)),
}


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """Redirections first (the services with the most first), then no further action, then
    accepted requests judged inappropriate; one query, merged here per service."""
    assert user.council_id is not None  # a council's report (Report.may_use)
    first, last = whole_weeks(filters)
    turned_away = Q(decision__in=[Decision.REDIRECTED, Decision.NO_FURTHER_ACTION])
    per_reason = (
        FrontDoorRequest.objects.filter(
            council_id=user.council_id,
            route=Route.QUEUE,
            submitted_at__gte=london_midnight(first),
            submitted_at__lt=london_midnight(last + timedelta(weeks=1)),
        )
        .filter(turned_away | Q(decision=Decision.ASSESSMENT, appropriate=False))
        .order_by()
        .values("decision", "redirected_to")
        .annotate(**COUNTS)
    )
    return Table(
        columns=COLUMNS,
        rows=_rows(per_reason, user.council_id),
        notes=[
            weeks_note(first, last),
            "Each service is as the officer typed it: names that differ only in capitals or "
            "spaces are counted together, under the one used most. A request closed with no "
            "further action gives no reason beyond the outcome the person reads, so those are "
            "counted together. An accepted request is listed only when judged inappropriate.",
        ],
        empty="No request made in these weeks was redirected, closed or judged inappropriate.",
    )


def _rows(per_reason: Any, council_id: int) -> Iterator[Row]:
    sums: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for counted in per_reason:
        decision = counted.pop("decision")
        typed = " ".join(counted.pop("redirected_to").split())
        key = (decision, same_name(typed) if decision == Decision.REDIRECTED else "")
        sums[key].update(counted)
        spellings[key][typed] += counted["requests"]

    def shown(key: tuple[str, str]) -> str:
        if not key[1]:
            return ""
        # The spelling used most; of two used as often, the first alphabetically.
        return min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]

    def order(key: tuple[str, str]) -> tuple[int, int, str]:
        return ORDER.index(Decision(key[0])), -sums[key]["requests"], shown(key)

    for key in sorted(sums, key=order):
        label = Decision(key[0]).label
        yield Row((label, shown(key), *(sums[key][n] for n in COUNTS)), council_id=council_id)


register(
    Report(
        slug="front-door-reasons",
        title="Front-door requests turned away, by reason",
        summary="The requests sent to the council that were redirected (and where to), closed "
        "with no further action or judged inappropriate.",
        side="council",
        group=GROUP,
        form=Filters,
        build=build,
        function=Function.FRONT_DOOR,
        order=63,
    )
)
