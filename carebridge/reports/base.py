"""What a report is: its columns, its rows and their totals, and the registry of every report.

A report is one module of `catalogue/`: its filters form, its one selector (`Report.build`, read
by the page and by every download, so the figures on screen and in a file cannot disagree) and,
where a picture is quicker to read, its chart. The views, the downloads and the audit are the
same for every report (`views.py`, `render.py`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from carebridge.core.permissions import Function, Role, can_view

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.reports.charts import BarChart
    from carebridge.reports.filters import ReportFilters

Cell = str | int | Decimal | date | None


class Kind(StrEnum):
    """What a column holds, which decides how each format shows it: text; a whole count; money
    in pounds to the penny; a date; a percentage (0 to 100); a number with decimals (hours)."""

    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    DATE = "date"
    PERCENT = "percent"
    NUMBER = "number"


NUMERIC_KINDS = frozenset({Kind.COUNT, Kind.MONEY, Kind.PERCENT, Kind.NUMBER})


@dataclass(frozen=True)
class Column:
    label: str
    kind: Kind = Kind.TEXT
    total: bool = False  # summed in the totals row (counts and money; never a share)
    width: int = 14  # in characters, for the spreadsheet and the PDF's proportions

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass(frozen=True)
class Row:
    """One row's cells, in the columns' order, and the council whose work it shows: the audit
    says to each council how many rows of its work a reader saw (`audit.record_listed`)."""

    cells: tuple[Cell, ...]
    council_id: int | None = None


@dataclass(frozen=True)
class Tally:
    """What `Totals` would find as every row streamed past, worked out without building the rows
    (the database's counts and sums): the rows of each council's work, and the sum of each
    `total` column by its index (0, an int, where no row had a value in it, as `Totals`)."""

    rows_by_council: Mapping[int | None, int]
    sums: Mapping[int, Decimal | int]


class Paged:
    """A report at a county's size gives its page this as well as its rows: the count and the
    totals of every row (`tally`) and the rows from one position to another in the report's
    order (`rows_between`), so the page builds only the rows it shows. Both must agree with
    `Table.rows` to the penny (the downloads still stream those)."""

    def tally(self) -> Tally:
        raise NotImplementedError

    def rows_between(self, start: int, stop: int) -> list[Row]:
        raise NotImplementedError


@dataclass
class Table:
    """A report's figures. `rows` may be a generator (a download streams it once); `totals`
    is given where a sum would be wrong (a share, a median), else the `total` columns are summed
    as the rows go by. `notes` say which council's rules the figures follow. `paged`, where
    given, lets the page count, total and show one page without the other rows."""

    columns: Sequence[Column]
    rows: Iterable[Row]
    totals: tuple[Cell, ...] | None = None
    notes: list[str] = field(default_factory=list)
    empty: str = "Nothing matches these filters."
    paged: Paged | None = None


class Totals:
    """The totals row, summed as the rows stream past (so a download needs no second pass)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.sums: list[Decimal | int] = [0] * len(table.columns)
        self.counts: Counter[int | None] = Counter()

    def through(self, rows: Iterable[Row]) -> Iterator[Row]:
        summed = [i for i, column in enumerate(self.table.columns) if column.total]
        for row in rows:
            self.counts[row.council_id] += 1
            for i in summed:
                value = row.cells[i]
                if value is not None:
                    self.sums[i] += value  # type: ignore[operator]
            yield row

    def take(self, tally: Tally) -> None:
        """Every row's count and sums from a `Tally`, as if they had streamed past."""
        self.counts.update({council: n for council, n in tally.rows_by_council.items() if n})
        for i, value in tally.sums.items():
            self.sums[i] = value

    @property
    def rows_by_council(self) -> dict[int, int]:
        return {council: n for council, n in self.counts.items() if council is not None}

    @property
    def row_count(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> tuple[Cell, ...] | None:
        """The totals row, or None when the report has nothing to total."""
        if self.table.totals is not None:
            return self.table.totals
        columns = self.table.columns
        if not any(column.total for column in columns):
            return None
        cells: list[Cell] = [
            self.sums[i] if column.total else None for i, column in enumerate(columns)
        ]
        if not columns[0].total:
            cells[0] = "Total"
        return tuple(cells)


Side = Literal["provider", "council"]


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    summary: str  # one sentence on the reports page: what it answers
    side: Side
    group: str  # the heading it is listed under
    form: type[ReportFilters]
    build: Callable[[User, Mapping[str, Any]], Table]
    function: Function = Function.REPORTS
    # Roles that never see what the report shows (Super User (Actuals) is shown no scheduled
    # payments at all, Norfolk section 2), though the function would let them in.
    hidden_from: frozenset[Role] = frozenset()
    # Given the table with its rows as a list; None where there is nothing to draw.
    chart: Callable[[Table], BarChart | None] | None = None
    order: int = 100

    def may_use(self, user: User) -> bool:
        on_provider_side = user.provider_id is not None
        if on_provider_side != (self.side == "provider"):
            return False
        if user.provider_id is None and user.council_id is None:
            return False
        return can_view(user.role, self.function) and user.role not in self.hidden_from


REGISTRY: dict[str, Report] = {}


def register(report: Report) -> Report:
    if report.slug in REGISTRY and REGISTRY[report.slug] is not report:
        raise ValueError(f"Two reports are called {report.slug!r}")
    REGISTRY[report.slug] = report
    return report


def reports_for(user: User) -> list[Report]:
    """The reports this user may use, in the order the reports page lists them."""
    usable = [report for report in REGISTRY.values() if report.may_use(user)]
    return sorted(usable, key=lambda report: (report.order, report.title))
