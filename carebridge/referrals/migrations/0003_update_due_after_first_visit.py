"""The provider update is due the rulebook's hours after the first visit as now planned, not after
the acceptance: referrals still awaiting their update get the deadline the product now gives."""

from datetime import UTC, timedelta

from django.db import migrations


def due_after_first_visit(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    awaiting = Referral.objects.filter(status="accepted", first_visit_at__isnull=False)
    changed = []
    for referral in awaiting.select_related("council__rulebook").iterator(chunk_size=2000):
        hours = referral.council.rulebook.referral_update_hours
        # As organisations.deadlines.referral_update_due_by: plain hours, in UTC.
        referral.update_due_by = referral.first_visit_at.astimezone(UTC) + timedelta(hours=hours)
        changed.append(referral)
        if len(changed) == 2000:
            Referral.objects.bulk_update(changed, ["update_due_by"])
            changed = []
    Referral.objects.bulk_update(changed, ["update_due_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_council_list_index"),
        ("organisations", "0002_referral_rules"),
    ]

    # Going back leaves the later deadlines: the acceptance moment they came from is in the log.
    operations = [migrations.RunPython(due_after_first_visit, migrations.RunPython.noop)]
