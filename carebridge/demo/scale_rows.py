"""Many rows of one model written at once: how the benchmark's loaders (referrals, contract
documents) write a county's data in minutes rather than hours."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import Enum
from typing import Any, TypeVar

from django.core.management.color import no_style
from django.db import connection, models

T = TypeVar("T")

# How many rows a bulk loader holds before it writes them.
SCALE_BATCH = 2000


def in_batches(items: Iterable[T], size: int = SCALE_BATCH) -> Iterator[list[T]]:
    """The items, `size` at a time (the last batch maybe fewer), so a load never holds them all."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class RowWriter:
    """Writes many rows of one model at once, for bench data that must load in minutes.

    bulk_create would be the obvious tool, but it sends every one of a referral's 65 values
    through the field machinery one at a time and, on SQLite, 15 rows per INSERT: four fifths of
    a 200,000-referral load went there. This writer has the database backend adapt only the
    values that need it (moments, dates, decimals, JSON: the same adapters bulk_create ends in)
    and sends the rows with executemany. `numbered`: it gives the rows their ids itself, for
    rows that others refer to (the referrals, which their events point at).
    """

    def __init__(self, model: type[models.Model], *, numbered: bool) -> None:
        self.model = model
        self.numbered = numbered
        self.fields = [f for f in model._meta.concrete_fields if numbered or not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        values = ", ".join(["%s"] * len(self.fields))
        # Only the model's own table and column names, quoted, are formatted into the SQL.
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
        self.columns = [(field.attname, _adapter(field)) for field in self.fields]
        last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        self.next_pk = (last or 0) + 1
        self.written = 0

    def write_instances(self, instances: Sequence[models.Model]) -> None:
        if self.numbered:
            for instance in instances:
                instance.pk = self.next_pk
                self.next_pk += 1
        # A model instance keeps each field's value in its __dict__ under the field's attname.
        self.write([vars(instance) for instance in instances])

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        values = [tuple(adapt(row[name]) for name, adapt in self.columns) for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, values)
        self.written += len(values)

    def finish(self) -> None:
        """Move the table's id sequence past the rows numbered here (PostgreSQL needs it)."""
        if self.numbered and self.written:
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(sql)


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.DecimalField | models.JSONField | models.TimeField):
        return functools.partial(field.get_db_prep_save, connection=connection)
    return _plain


def _plain(value: Any) -> Any:
    # A TextChoices member is a str subclass that not every database driver binds.
    return value.value if isinstance(value, Enum) else value
