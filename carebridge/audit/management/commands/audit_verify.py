"""`carebridge audit_verify`: walk the audit log's hash chain and say where it first breaks."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.audit import chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit non-zero at its first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = chain.verify()
        if isinstance(outcome, chain.Break):
            raise CommandError(str(outcome), returncode=1)
        self.stdout.write(str(outcome))
