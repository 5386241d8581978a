"""Saving what the provider entered, on the page or from a CSV file: every row of a batch is
checked against the council's rules before anything is written, and the batch is saved whole or
not at all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connections, router, transaction

from carebridge.accounts.models import User
from carebridge.actuals.models import ASSESSED, Actual, Period
from carebridge.actuals.periods import WEEK, RuleSource, days_active, planned_for
from carebridge.actuals.rules import ENTERED, ZERO, Context, Entry, assess, check
from carebridge.actuals.services.common import (
    BATCH,
    RUNNING,
    ActualsRefused,
    new_actual,
    require_editor,
)
from carebridge.actuals.services.periods import periods_of, week_refusal
from carebridge.actuals.services.reviews import package_reviews_ask
from carebridge.actuals.signals import actuals_amended
from carebridge.audit.services import record
from carebridge.contracts.commitment import financial_year_bounds, financial_year_of
from carebridge.contracts.models import Cpli
from carebridge.core import holds
from carebridge.core.calendar import now
from carebridge.organisations.choices import FrustratedReason, MissedReason


class ActualsInvalid(Exception):
    """Rows that break the rules: {row reference: {field: message}}. Nothing was saved."""

    def __init__(self, errors: dict[object, dict[str, str]]) -> None:
        super().__init__(f"{len(errors)} rows are wrong")
        self.errors = errors


@dataclass(frozen=True)
class Item:
    """One row to save: a CPLI, a week, what was entered, and how to point at it in errors."""

    cpli_id: int
    week_start: date
    entry: Entry
    ref: object
    # False from a CSV file, which has no column for it: a missed quantity without a reason is
    # then saved as rows were before reasons (none of Msd paid).
    missed_reason_asked: bool = True


@dataclass(frozen=True)
class Saved:
    read: int
    changed: int
    unchanged: int


def _hospital_weeks_before(cpli_ids: set[int], weeks: set[date], longest: int) -> dict:
    """For each CPLI, the weeks around these that claimed a hospital retainer (up to the longest
    retainer before the first and after the last: a week entered late can join a run)."""
    if not weeks or longest <= 0:
        return {}
    earliest = min(weeks) - WEEK * longest
    claimed: dict[int, set[date]] = defaultdict(set)
    for cpli_id, week in Actual.objects.filter(
        cpli_id__in=cpli_ids,
        week_start__gte=earliest,
        week_start__lte=max(weeks) + WEEK * longest,
        frustrated__gt=0,
        frustrated_reason=FrustratedReason.HOSPITAL,
    ).values_list("cpli_id", "week_start"):
        claimed[cpli_id].add(week)
    return claimed


def _run_before(claimed: set[date], week: date, step: timedelta = -WEEK) -> int:
    count = 0
    week += step
    while week in claimed:
        count += 1
        week += step
    return count


def _allocation_used(cplis: Iterable[Cpli], weeks: set[date]) -> dict[tuple[int, int], Decimal]:
    """Nights taken on each short break in each financial year touched, by (CPLI, year)."""
    ids = [c.pk for c in cplis if c.is_allocation]
    if not ids:
        return {}
    years = {financial_year_of(w) for w in weeks}
    first, _ = financial_year_bounds(min(years))
    _, last = financial_year_bounds(max(years))
    used: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for cpli_id, week, actual in Actual.objects.filter(
        cpli_id__in=ids, week_start__gte=first, week_start__lte=last
    ).values_list("cpli_id", "week_start", "actual"):
        used[(cpli_id, financial_year_of(week))] += actual
    return used


_WRITTEN = [*ENTERED, *ASSESSED, "changed_at", "changed_by"]


def _chunks(values: list, size: int = 900) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _update_written(rows: list[Actual]) -> None:
    """Write the _WRITTEN fields of stored rows, each by its id: what
    bulk_update(rows, _WRITTEN) writes, as one UPDATE sent with every row's values at once.
    bulk_update builds a CASE of every row for every field, about 4 ms a row in Python: 20 s
    for the 5,000 changed rows of a 50,000-row import (bench/actuals.py)."""
    if not rows:
        return
    connection = connections[router.db_for_write(Actual)]
    fields = [field for field in Actual._meta.concrete_fields if field.name in _WRITTEN]
    quote = connection.ops.quote_name
    table, key = quote(Actual._meta.db_table), quote(Actual._meta.pk.column)
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Only the model's own table and column names, quoted, are formatted into the SQL.
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
    values = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


@dataclass
class _Batch:
    """What checking a batch reads from the database, read once however many rows it has: the
    provider's lines, the rows already stored, the periods, the rules, the weeks that claimed a
    hospital retainer and the short breaks' nights taken."""

    cplis: dict[int, Cpli]
    existing: dict[tuple[int, date], Actual]
    periods: dict[tuple[int, date], Period]
    rules: RuleSource
    hospital: dict
    # Each line's weeks in the batch itself.
    own_weeks: dict[int, set[date]]
    used: dict[tuple[int, int], Decimal]
    # The stored rows of processed periods held open (core.holds: in an open dispute).
    held: set[int] = field(default_factory=set)


@dataclass
class _Writes:
    """What checking a batch found: the rows to add and to change, what each was, and the
    errors of the rows that break the rules."""

    user: User
    stamp: datetime
    to_create: list[Actual] = field(default_factory=list)
    to_update: list[Actual] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    errors: dict[object, dict[str, str]] = field(default_factory=dict)
    seen: set[tuple[int, date]] = field(default_factory=set)
    unchanged: int = 0
    # Stored rows whose invoiced figures changed (see _invoiced): sent in actuals_amended.
    amended: list[int] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.to_create) + len(self.to_update)


def _lines_of(provider_id: int, cpli_ids: set[int]) -> dict[int, Cpli]:
    """The provider's own lines among these: another provider's line is simply not found."""
    cplis: dict[int, Cpli] = {}
    for chunk in _chunks(sorted(cpli_ids)):
        for line in Cpli.objects.filter(pk__in=chunk, provider_id=provider_id).select_related(
            "service_level", "service_user"
        ):
            cplis[line.pk] = line
    return cplis


def _stored_rows(cpli_ids: Iterable[int], weeks: set[date]) -> dict[tuple[int, date], Actual]:
    existing: dict[tuple[int, date], Actual] = {}
    for chunk in _chunks(sorted(cpli_ids)):
        for stored in Actual.objects.filter(cpli_id__in=chunk, week_start__in=weeks):
            existing[(stored.cpli_id, stored.week_start)] = stored
    return existing


def _read_batch(provider_id: int, items: Sequence[Item]) -> _Batch:
    """Read everything the checks need, then count the batch's own rows in."""
    cplis = _lines_of(provider_id, {item.cpli_id for item in items})
    weeks = {item.week_start for item in items}
    councils = {c.council_id for c in cplis.values()}
    longest = max((c.service_level.hospital_retainer_weeks for c in cplis.values()), default=0)
    batch = _Batch(
        cplis=cplis,
        existing=_stored_rows(cplis, weeks),
        periods=periods_of(councils, weeks),
        rules=RuleSource.load(councils),
        hospital=_hospital_weeks_before(set(cplis), weeks, longest),
        own_weeks=defaultdict(set),
        used=_allocation_used(cplis.values(), weeks),
    )
    batch.held = holds.held(
        row.pk
        for (cpli_id, week), row in batch.existing.items()
        if _is_paid(batch.periods.get((cplis[cpli_id].council_id, week)))
    )
    _count_hospital_weeks(batch, items)
    _count_nights(batch, items)
    return batch


def _is_paid(period: Period | None) -> bool:
    return period is not None and period.is_paid


def _count_hospital_weeks(batch: _Batch, items: Sequence[Item]) -> None:
    # The batch's own rows count as they will be saved, not as they were: three weeks in
    # hospital in one CSV file are three weeks running.
    for each in items:
        if each.cpli_id in batch.cplis:
            batch.own_weeks[each.cpli_id].add(each.week_start)
            claims = batch.hospital.setdefault(each.cpli_id, set())
            entered = each.entry
            if entered.frustrated > 0 and entered.frustrated_reason == FrustratedReason.HOSPITAL:
                claims.add(each.week_start)
            else:
                claims.discard(each.week_start)


def _count_nights(batch: _Batch, items: Sequence[Item]) -> None:
    # A short break's nights are checked against the year's total after the whole batch, so
    # lowering one week and raising another is fine in any order.
    used = batch.used
    for each in items:
        short_break = batch.cplis.get(each.cpli_id)
        if short_break is not None and short_break.is_allocation:
            kept = batch.existing.get((short_break.pk, each.week_start))
            key_year = (short_break.pk, financial_year_of(each.week_start))
            used[key_year] = (
                used.get(key_year, ZERO)
                + each.entry.actual
                - (kept.actual if kept is not None else ZERO)
            )


def _runs_in(cpli: Cpli, week: date) -> bool:
    week_end = week + WEEK - timedelta(days=1)
    return cpli.status in RUNNING and days_active(cpli, week) > 0 and cpli.start_date <= week_end


def _context(
    batch: _Batch, cpli: Cpli, week: date, entry: Entry, row: Actual | None, planned: Decimal
) -> Context:
    """What the rules need to know of a row beyond itself: its plan, its hospital run and its
    short break's year."""
    year = financial_year_of(week)
    # The year's nights without this row's (the batch's total, so only a row that adds
    # nights can go over).
    adds = entry.actual > (row.actual if row is not None else ZERO)
    taken = batch.used.get((cpli.pk, year), ZERO) - entry.actual
    return Context(
        planned=planned,
        week_start=week,
        # A week entered late joins the weeks saved after it in one run (a later week of
        # this batch counts this one among its own weeks before).
        hospital_weeks_before=_run_before(batch.hospital.get(cpli.pk, set()), week)
        + _run_before(batch.hospital.get(cpli.pk, set()) - batch.own_weeks[cpli.pk], week, WEEK),
        allocation_used=taken,
        allocation=cpli.yearly_allocation if adds else None,
    )


def _invoiced(row: Actual) -> tuple[object, ...]:
    """What an invoice line of the week is made of: its cost, its over-exception, and what its
    quantity (Actual + payable Frstd + payable Msd) comes from."""
    return (
        row.cost,
        row.over_threshold,
        row.actual,
        row.frustrated,
        row.frustrated_reason,
        row.missed,
        row.missed_reason,
    )


def _check_item(batch: _Batch, writes: _Writes, item: Item) -> None:
    """Check one row: a wrong one adds its errors, a changed one what to write, and one that
    changes nothing only counts."""
    cpli = batch.cplis.get(item.cpli_id)
    if cpli is None:
        writes.errors[item.ref] = {"cpli": "There is no such care package line item of yours"}
        return
    key = (cpli.pk, item.week_start)
    if key in writes.seen:
        writes.errors[item.ref] = {"cpli": "This line and week appear more than once"}
        return
    writes.seen.add(key)
    if not _runs_in(cpli, item.week_start):
        writes.errors[item.ref] = {"cpli": "This line does not run in the week"}
        return
    entry = item.entry.normalised()
    row = batch.existing.get(key)
    if row is not None and row.entry() == entry:
        # Nothing to change, so nothing to refuse: re-importing an export that reaches
        # back into a paid period is fine as long as the paid weeks are left as they were.
        writes.unchanged += 1
        return
    period = batch.periods.get((cpli.council_id, item.week_start))
    refusal = week_refusal(period, item.week_start, held=row is not None and row.pk in batch.held)
    if refusal:
        writes.errors[item.ref] = {"week": refusal}
        return
    rules = batch.rules.rules(cpli, item.week_start)
    planned = row.planned if row is not None else planned_for(cpli, item.week_start, rules.step)[0]
    context = _context(batch, cpli, item.week_start, entry, row, planned)
    wrong = check(entry, rules, replace(context, missed_reason_asked=item.missed_reason_asked))
    if wrong:
        writes.errors[item.ref] = wrong
        return
    found = assess(entry, rules, planned)
    values = _entered_values(entry, writes)
    if row is None:
        assert period is not None
        row = new_actual(cpli, period, item.week_start, planned, **values)
        row.take(found)
        writes.to_create.append(row)
        writes.history.append({"cpli": cpli.pk, "week": item.week_start.isoformat(), "new": True})
    else:
        before = {
            name: str(getattr(row, name))
            for name in ("actual", "frustrated", "missed", "extra", "comments")
        }
        invoiced = _invoiced(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.take(found)
        writes.to_update.append(row)
        if _invoiced(row) != invoiced:
            writes.amended.append(row.pk)
        writes.history.append(
            {"cpli": cpli.pk, "week": item.week_start.isoformat(), "before": before}
        )


def _entered_values(entry: Entry, writes: _Writes) -> dict[str, object]:
    return {
        "actual": entry.actual,
        "frustrated": entry.frustrated,
        "missed": entry.missed,
        "extra": entry.extra,
        "visits": entry.visits,
        "frustrated_reason": entry.frustrated_reason,
        "missed_reason": entry.missed_reason,
        "aborted_visit_dates": [d.isoformat() for d in entry.aborted_visit_dates],
        "variation_code": entry.variation_code,
        "comments": entry.comments,
        "changed_at": writes.stamp,
        "changed_by": writes.user,
    }


def _write(writes: _Writes) -> None:
    """Add the new rows and change the others, inside the caller's transaction: all or none."""
    try:
        Actual.objects.bulk_create(writes.to_create, batch_size=BATCH)
    except IntegrityError as exc:
        # Someone generated or saved the same week at the same moment: nothing of ours is kept.
        raise ActualsRefused(
            "These actuals were changed by someone else at the same time: reload the page and "
            "try again"
        ) from exc
    _update_written(writes.to_update)


def _non_engagement_of(writes: _Writes) -> list[tuple[tuple[int, int, int], date]]:
    """The clients and weeks of the rows written with non-engagement."""
    return [
        ((row.council_id, row.provider_id, row.service_user_id), row.week_start)
        for row in (*writes.to_create, *writes.to_update)
        if row.missed > 0 and row.missed_reason == MissedReason.NON_ENGAGEMENT
    ]


def _record_saved(writes: _Writes, source: str, read: int) -> None:
    record(
        action=f"actuals.saved.{source}",
        by=writes.user,
        detail={
            "read": read,
            "changed": writes.changed,
            # Enough to find each changed row and what it was; the event log is the history.
            "rows": writes.history[:500],
        },
    )


@transaction.atomic
def actuals_save(
    user: User, items: Sequence[Item], *, source: str = "page", dry_run: bool = False
) -> Saved:
    """Save what the provider entered for some CPLIs and weeks, checking each changed row
    against the council's rules. Every row is checked before anything is written: one wrong row
    and nothing is saved (ActualsInvalid lists them all). A row that does not add up is saved
    with its exception, as the guides want."""
    require_editor(user)
    provider_id = user.provider_id
    assert provider_id is not None
    batch = _read_batch(provider_id, items)
    writes = _Writes(user=user, stamp=now())
    for item in items:
        _check_item(batch, writes, item)
    if writes.errors:
        raise ActualsInvalid(writes.errors)
    if dry_run:
        # Only the checks were wanted (the page had typing errors in other rows).
        return Saved(read=len(items), changed=0, unchanged=writes.unchanged)
    _write(writes)
    if writes.changed:
        _record_saved(writes, source, len(items))
    package_reviews_ask(by=user, saved=_non_engagement_of(writes))
    if writes.amended:
        # An invoiced week's invoice follows it (payments), in this transaction.
        actuals_amended.send(sender=Actual, actual_ids=writes.amended, by=user)
    return Saved(read=len(items), changed=writes.changed, unchanged=writes.unchanged)
