"""A payment run as the council's finance system takes it: one CSV row per provider, contract and
cost centre, and a last line that lets the finance system check it got every row unchanged (the
layout is documented in docs/finance-export.md).

A provider's or contract's words come from people outside the council, so no text cell may start
a formula when the file is opened in a spreadsheet (`contracts.exports.neutralise`). The rows are
summed in the database (a handful per provider, whatever the run's lines), then written line by
line as the response streams."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from carebridge.contracts.exports import Cell, neutralise, table_csv
from carebridge.payments.models import PaymentLine, PaymentRun

HEADERS = [
    "Run reference",
    "Payment date",
    "Supplier reference",
    "Provider",
    "Contract reference",
    "Cost centre",
    "Excl VAT",
    "VAT",
    "Total",
]
CHECKSUM = "Checksum"
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
_TEXT: CharField[str, str] = CharField()


@dataclass(frozen=True)
class FinanceRow:
    """What the run pays one provider under one contract, booked to one cost centre."""

    supplier_reference: str
    provider: str
    contract: str
    cost_centre: str
    excl_vat: Decimal
    vat: Decimal
    total: Decimal


def finance_rows(run: PaymentRun) -> list[FinanceRow]:
    """The run's lines summed per provider, contract and cost centre, in one query. A line with
    no contract (a balance carried or brought forward) or no CPLI (a claim) has an empty
    reference or cost centre, as has a contract or service level the council left without one."""
    rows = (
        PaymentLine.objects.filter(run=run)
        .order_by()
        .annotate(
            supplier=Coalesce("contract__supplier_reference", Value(""), output_field=_TEXT),
            contract_ref=Coalesce("contract__reference", Value(""), output_field=_TEXT),
            centre=Coalesce("cpli__service_level__cost_centre", Value(""), output_field=_TEXT),
        )
        .values(
            "provider_id", "provider__name", "contract_id", "supplier", "contract_ref", "centre"
        )
        .annotate(
            excl=Sum("excl_vat", output_field=_MONEY),
            vat_sum=Sum("vat", output_field=_MONEY),
            total_sum=Sum("total", output_field=_MONEY),
        )
        .order_by("provider__name", "provider_id", "contract_ref", "contract_id", "centre")
    )
    return [
        FinanceRow(
            row["supplier"],
            row["provider__name"],
            row["contract_ref"],
            row["centre"],
            row["excl"],
            row["vat_sum"],
            row["total_sum"],
        )
        for row in rows
    ]


def _cells(run: PaymentRun, row: FinanceRow) -> list[Cell]:
    return [
        neutralise(run.reference),
        run.payment_date,
        neutralise(row.supplier_reference),
        neutralise(row.provider),
        neutralise(row.contract),
        neutralise(row.cost_centre),
        row.excl_vat,
        row.vat,
        row.total,
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def checksum_line(rows: int, total: Decimal, digest: str) -> str:
    """The file's last line: how many rows, the sum of their Total, and the SHA-256 of every
    line above it as written (header included, byte-order mark left out)."""
    return str(csv.writer(_Echo()).writerow([CHECKSUM, rows, f"{total:.2f}", digest]))


def finance_csv(run: PaymentRun, rows: list[FinanceRow]) -> Iterator[str]:
    """The file, line by line: the byte-order mark Excel needs, the header, a line per row, and
    the checksum line."""
    digest = hashlib.sha256()
    lines = table_csv(HEADERS, (_cells(run, row) for row in rows))
    yield next(lines)  # the byte-order mark: not a line of the file's content
    for line in lines:
        digest.update(line.encode("utf-8"))
        yield line
    total = sum((row.total for row in rows), Decimal("0.00"))
    yield checksum_line(len(rows), total, digest.hexdigest())


def export_name(run: PaymentRun) -> str:
    # The reference is the council's own (PR + a date), so it is safe in a file name.
    return f"finance-export-{run.reference}.csv"
