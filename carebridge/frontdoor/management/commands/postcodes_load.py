from argparse import ArgumentParser
from time import monotonic
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.frontdoor.directory.postcodes import PostcodesRefused, postcodes_load

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Load the postcode table from a CSV file: columns postcode, latitude, longitude, or "
        "the ONS Postcode Directory's pcds, lat, long. Postcodes already there are updated; "
        "rows that cannot be read are listed by line number and left out."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--file", required=True, help="The CSV file.")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Load nothing if any row cannot be read.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = monotonic()
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as file:
                result = postcodes_load(file=file, by=None, strict=options["strict"])
        except OSError as error:
            raise CommandError(f"The file could not be read: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise CommandError("The file is not UTF-8 text.") from None
        except PostcodesRefused as refused:
            self._problems(refused.problems, refused.rejected)
            raise CommandError(refused.message) from None
        self.stdout.write(
            f"{result.loaded} postcodes loaded, {result.rejected} rows rejected, of "
            f"{result.read} read, in {monotonic() - started:.1f} seconds."
        )
        self._problems(result.problems, result.rejected)

    def _problems(self, problems: list[str], total: int) -> None:
        for problem in problems[:SHOWN]:
            self.stdout.write(f"  {problem}")
        if total > SHOWN:
            self.stdout.write(f"  … and {total - SHOWN} more.")
