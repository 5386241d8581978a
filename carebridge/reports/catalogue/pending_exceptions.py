"""Pending Payments Exceptions (Stockport section 15): the adjustments the next payment run of
each council will make for work already paid that has changed since (an amended week, a CPLI's
new rate or end date): positive to pay more, negative to recover. An exception stays pending
until a finalised run has paid it; one on the lines of a run not yet finalised says which."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q

from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import PaymentException, PaymentLine
from carebridge.reports.base import Column, Kind, Report, Row, Table, register
from carebridge.reports.filters import ReportFilters, council_field

if TYPE_CHECKING:
    from carebridge.accounts.models import User

COLUMNS = (
    Column("Council", width=22),
    Column("Client", width=24),
    Column("SS Ref", width=12),
    Column("Service", width=22),
    Column("Service level", width=26),
    Column("Covers from", Kind.DATE, width=12),
    Column("Covers to", Kind.DATE, width=12),
    Column("Reason", width=36),
    Column("Raised on", Kind.DATE, width=12),
    Column("In run", width=14),
    Column("Excl VAT", Kind.MONEY, total=True, width=12),
    Column("VAT", Kind.MONEY, total=True, width=10),
    Column("Total", Kind.MONEY, total=True, width=12),
)


class Filters(ReportFilters):
    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        self.fields["council"] = council_field(user)


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """Every exception of the provider's not yet paid by a finalised run, oldest first."""
    paid = PaymentLine.objects.filter(
        source=LineSource.EXCEPTION, exception=OuterRef("pk"), run__status=RunStatus.FINALISED
    )
    assert user.provider_id is not None  # a provider's report (Report.may_use)
    exceptions = PaymentException.objects.filter(provider_id=user.provider_id).filter(~Exists(paid))
    if filters.get("council"):
        exceptions = exceptions.filter(council_id=filters["council"])
    open_run = (
        PaymentLine.objects.filter(source=LineSource.EXCEPTION, exception=OuterRef("pk"))
        .filter(~Q(run__status__in=[RunStatus.FINALISED, RunStatus.DISCARDED]))
        .values("run__reference")[:1]
    )
    values = (
        exceptions.annotate(in_run=open_run)
        .order_by("council__name", "created_at", "pk")
        .values_list(
            "council_id",
            "council__name",
            "service_user__title",
            "service_user__first_name",
            "service_user__last_name",
            "service_user__ss_ref",
            "service__name",
            "cpli__service_level__name",
            "covers_from",
            "covers_to",
            "reason",
            "created_at__date",
            "in_run",
            "excl_vat",
            "vat",
            "total",
        )
    )
    return Table(
        columns=COLUMNS,
        rows=_rows(values.iterator(chunk_size=2000)),
        notes=[
            "Each row follows its own council's payment rules: its next payment run pays or "
            "recovers it once."
        ],
        empty="No payment exceptions are waiting to be paid.",
    )


def _rows(values: Iterator[tuple[Any, ...]]) -> Iterator[Row]:
    for council_id, council, title, first, last, *rest in values:
        name = " ".join(part for part in (title, first, last) if part)
        yield Row((council, name, *rest), council_id=council_id)


register(
    Report(
        slug="pending-payment-exceptions",
        title="Pending payments exceptions",
        summary="The adjustments each council's next payment run will make for work already paid that has changed since.",
        side="provider",
        group="Payments",
        form=Filters,
        build=build,
        order=20,
    )
)
