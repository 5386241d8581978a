"""Support's view of the e-mail outbox: what failed and why, and sending it again."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from carebridge.core.formats import guide_datetime
from carebridge.notifications.models import Notification
from carebridge.notifications.services import notification_retry, notifications_purge, undelivered


class Command(BaseCommand):
    help = (
        "List the e-mails that could not be sent (newest first), send some again with --retry, "
        "or delete the rows past their keeping time with --purge."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--user", help="Only the e-mails to this address (a user's or not).")
        parser.add_argument(
            "--retry", type=int, nargs="+", metavar="ID", help="Send these e-mails again."
        )
        parser.add_argument("--purge", action="store_true", help="Delete rows past keeping.")
        parser.add_argument("--limit", type=int, default=50, help="List at most this many.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["purge"]:
            self.stdout.write(f"Deleted {notifications_purge()} old outbox rows.")
            return
        if options["retry"]:
            self._retry(options["retry"])
            return
        found = undelivered()
        if options["user"]:
            address = options["user"]
            found = found.filter(Q(user__email__iexact=address) | Q(to_email__iexact=address))
        rows = list(found[: options["limit"]])
        if not rows:
            self.stdout.write("No undelivered e-mails.")
            return
        for row in rows:
            self.stdout.write(
                f"{row.pk}\t{guide_datetime(row.created_at)}\t{row.recipient}\t"
                f"{row.attempts} attempts\t{row.subject}\n\t{row.last_error or 'given up'}"
            )

    def _retry(self, ids: list[int]) -> None:
        found = {n.pk: n for n in Notification.objects.filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise CommandError(f"No outbox row {', '.join(map(str, missing))}")
        for pk in ids:
            if notification_retry(notification=found[pk], by=None):
                self.stdout.write(f"{pk}: queued again")
            else:
                self.stdout.write(f"{pk}: already sent, nothing to do")
