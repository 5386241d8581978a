from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.frontdoor.directory.imports import DirectoryImportFailed, directory_import
from carebridge.integrations.management.commands._council import council_by_slug


class Command(BaseCommand):
    help = (
        "Import a council's signposting directory from an Open Referral UK feed (its https "
        "address, following its pages, or a JSON file), and list every record left out."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--council", required=True, help="The council's slug.")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", help="A feed saved as JSON.")
        source.add_argument("--url", help="The feed's services endpoint (https).")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        source = options["url"] or options["file"]
        if options["url"] and not options["url"].startswith(("http://", "https://")):
            raise CommandError("Give the feed's address starting with https://")
        try:
            log = directory_import(council=council, source=source, by=None)
        except DirectoryImportFailed as failed:
            self._skipped(failed.log.errors)
            raise CommandError(f"Nothing was imported: {failed.message}") from None
        self.stdout.write(
            f"{council.name}: {log.read} records read, {log.imported} new, {log.updated} "
            f"changed, {log.removed} removed, {log.skipped} left out."
        )
        if not log.complete:
            self.stdout.write("Only part of the feed was read, so no service was removed.")
        self._skipped(log.errors)
        if log.skipped > len(log.errors):
            self.stdout.write(f"(The first {len(log.errors)} of {log.skipped} are listed.)")

    def _skipped(self, errors: list[dict[str, str]]) -> None:
        for error in errors:
            self.stdout.write(f"  {error['record']}: {error['message']}")
