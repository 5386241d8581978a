"""What the scheduled payments page's projection reads (`selectors.scheduled`): per council,
where its next run's period starts; the provider's on-schedule CPLIs as values; the blocks
already on a run's line; the contract in force on a day. Each in one query (or none), whatever
the number of CPLIs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Min

from carebridge.actuals.models import Period
from carebridge.actuals.periods import RuleSource, period_bounds
from carebridge.contracts.choices import CpliStatus
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import today
from carebridge.organisations.models import Contract
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import PaymentLine, PaymentRun
from carebridge.payments.selectors.schedule import block_of

DAY = timedelta(days=1)


def client_name(title: str, first: str, last: str) -> str:
    # As ServiceUser.full_name puts it: title, first name, last name.
    return " ".join(part for part in (title, first, last) if part)


def projection_starts(source: RuleSource, councils: Iterable[int]) -> dict[int, date]:
    """Per council, the first day of the billing period its next run is for: the one after its
    latest live run, or (with none yet) its earliest period not payment-processed, or today's."""
    ids = list(councils)
    latest = dict(
        PaymentRun.objects.filter(council_id__in=ids)
        .exclude(status=RunStatus.DISCARDED)
        .order_by()
        .values("council_id")
        .annotate(last=Max("period__end_date"))
        .values_list("council_id", "last")
    )
    unpaid = dict(
        Period.objects.filter(council_id__in=ids, payment_processed_at__isnull=True)
        .order_by()
        .values("council_id")
        .annotate(first=Min("start_date"))
        .values_list("council_id", "first")
    )
    starts = {}
    for council_id in ids:
        rulebook = source.rulebooks[council_id]
        if council_id in latest:
            day = latest[council_id] + DAY
        else:
            day = min(unpaid.get(council_id) or today(), today())
        starts[council_id] = period_bounds(rulebook, day)[0]
    return starts


@dataclass
class ScheduleCpli:
    """What a projection needs of a CPLI, read as values (the run's `Scheduled`)."""

    pk: int
    council_id: int
    service_user_id: int
    client: str
    ss_ref: str
    quantity: Decimal
    rate: Decimal
    start_date: date
    end_date: date | None
    vat_rate: Decimal
    service_level: str


def schedule_cplis(provider_id: int, councils: Iterable[int], last: date) -> list[ScheduleCpli]:
    rows = (
        Cpli.objects.filter(
            provider_id=provider_id,
            council_id__in=list(councils),
            status__in=[CpliStatus.ACTIVE, CpliStatus.ENDED],
            yearly_allocation__isnull=True,
            start_date__lte=last,
        )
        .order_by("pk")
        .values_list(
            "pk",
            "council_id",
            "service_user_id",
            "service_user__title",
            "service_user__first_name",
            "service_user__last_name",
            "service_user__ss_ref",
            "quantity",
            "rate",
            "start_date",
            "end_date",
            "service_level__vat_rate",
            "service_level__name",
        )
    )
    return [
        ScheduleCpli(
            pk=row[0],
            council_id=row[1],
            service_user_id=row[2],
            client=client_name(row[3], row[4], row[5]),
            ss_ref=row[6],
            quantity=row[7],
            rate=row[8],
            start_date=row[9],
            end_date=row[10],
            vat_rate=row[11],
            service_level=row[12],
        )
        for row in rows
    ]


def contract_of(
    source: RuleSource, council_id: int, provider_id: int, day: date
) -> Contract | None:
    """The contract in force for the council and provider on the day (the latest started), as
    the run gives each line (run_sources)."""
    for contract in source.contracts.get((council_id, provider_id), []):
        if contract.start_date <= day and (contract.end_date is None or contract.end_date >= day):
            return contract
    return None


def paid_blocks(provider_id: int, source: RuleSource) -> set[tuple[int, date]]:
    """The CPLI blocks already on a run's line (a discarded run's lines are deleted)."""
    return {
        (cpli_id, block_of(source.rulebooks[council_id], day))
        for cpli_id, council_id, day in PaymentLine.objects.filter(
            provider_id=provider_id, source=LineSource.SCHEDULE
        ).values_list("cpli_id", "council_id", "covers_from")
    }
