"""Support's view of the pushes to councils' CRMs: what failed and why, and pushing it again."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.core.formats import guide_datetime
from carebridge.integrations.crm import crm_deliveries_purge, crm_delivery_retry, undelivered
from carebridge.integrations.models import CrmDelivery
from carebridge.organisations.models import Council


class Command(BaseCommand):
    help = (
        "List the front-door requests that could not be pushed to a council's CRM (newest "
        "first), push some again with --retry, or empty the payloads past keeping with --purge."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--council", metavar="SLUG", help="Only this council's pushes.")
        parser.add_argument(
            "--retry", type=int, nargs="+", metavar="ID", help="Push these deliveries again."
        )
        parser.add_argument(
            "--purge", action="store_true", help="Empty the payloads of old finished rows."
        )
        parser.add_argument("--limit", type=int, default=50, help="List at most this many.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["purge"]:
            self.stdout.write(f"Emptied {crm_deliveries_purge()} old payloads.")
            return
        if options["retry"]:
            self._retry(options["retry"])
            return
        council = None
        if options["council"]:
            council = Council.objects.filter(slug=options["council"]).first()
            if council is None:
                raise CommandError(f"No council {options['council']}")
        rows = list(undelivered(council)[: options["limit"]])
        if not rows:
            self.stdout.write("No failed CRM pushes.")
            return
        for row in rows:
            state = "given up" if row.gave_up else "will be tried again"
            status = f"HTTP {row.last_status_code}" if row.last_status_code else "no answer"
            self.stdout.write(
                f"{row.pk}\t{guide_datetime(row.created_at)}\t{row.council.slug}\t"
                f"{row.request.reference}\t{row.event}\t{row.attempts} attempts\t{state}\n"
                f"\t{status}: {row.last_error or 'not delivered in time'}"
            )

    def _retry(self, ids: list[int]) -> None:
        found = {d.pk: d for d in CrmDelivery.objects.filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise CommandError(f"No CRM delivery {', '.join(map(str, missing))}")
        for pk in ids:
            if crm_delivery_retry(delivery=found[pk], by=None):
                self.stdout.write(f"{pk}: queued again")
            else:
                self.stdout.write(f"{pk}: already delivered, nothing to do")
