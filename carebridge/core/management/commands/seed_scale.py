from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.core.seeding import seed_scale


class Command(BaseCommand):
    help = (
        "Build a council-sized data set for the benchmarks in Scale County Council. Run again "
        "with a larger --clients to top it up."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--clients",
            type=int,
            default=20000,
            help="How many service users the council should have (default 20000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clients"] < 0:
            raise CommandError("--clients cannot be negative")
        seed_scale(clients=options["clients"], stdout=self.stdout)
