"""The audit log's hash chain: two fields, the existing events hashed in id order, the
PostgreSQL function that hands out the next link under a lock, and the triggers that refuse
UPDATE and DELETE (docs/decisions/0017-tamper-evident-audit.md)."""

from typing import Any

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

from carebridge.audit.chain import GENESIS, HASHED_FIELDS, hash_of

# Held by each transaction that appends, until it ends: the chain's order is the commit order.
# Each query of a VOLATILE function takes a fresh snapshot, so the head read after the wait
# includes what the previous holder committed.
CHAIN_NEXT = """
CREATE OR REPLACE FUNCTION audit_chain_next(OUT next_id bigint, OUT head varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(2317001700);
    SELECT hash INTO head FROM audit_event ORDER BY id DESC LIMIT 1;
    next_id := nextval(pg_get_serial_sequence('audit_event', 'id'));
END
$$;
"""


def hash_existing_events(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("audit", "Event")
    previous, last = GENESIS, 0
    while True:
        chunk = list(event_model.objects.filter(id__gt=last).order_by("id")[:2000])
        for event in chunk:
            event.previous_hash = previous
            event.hash = hash_of({name: getattr(event, name) for name in HASHED_FIELDS})
            previous = event.hash
        event_model.objects.bulk_update(chunk, ["previous_hash", "hash"])
        if len(chunk) < 2000:
            return
        last = chunk[-1].id


def create_chain_function(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHAIN_NEXT)


def drop_chain_function(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_chain_next()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_event_team_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="event",
            name="previous_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(hash_existing_events, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_chain_function, drop_chain_function),
        pgtrigger.migrations.AddTrigger(
            model_name="event",
            trigger=pgtrigger.compiler.Trigger(
                name="protect_updates",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;",
                    hash="1d48bc9d7bb5c9f8006b86d8b9910ab1b4e6b774",
                    operation="UPDATE",
                    pgid="pgtrigger_protect_updates_75b07",
                    table="audit_event",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="event",
            trigger=pgtrigger.compiler.Trigger(
                name="protect_deletes",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;",
                    hash="7a837072f923c541c6a12de84bc5ad17a68e66e7",
                    operation="DELETE",
                    pgid="pgtrigger_protect_deletes_56a9b",
                    table="audit_event",
                    when="BEFORE",
                ),
            ),
        ),
    ]
