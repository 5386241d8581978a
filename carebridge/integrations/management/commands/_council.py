from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.organisations.models import Council


def council_by_slug(slug: str) -> Council:
    council = Council.objects.filter(slug=slug).first()
    if council is None:
        known = ", ".join(Council.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"No council with slug {slug!r}. Known: {known or 'none'}")
    return council


class CouncilKeyCommand(BaseCommand):
    """A command about one of a council's API keys: `--council SLUG` and the one option that
    names the key (`option`, required), given to `handle_key` stripped of spaces."""

    option: str
    option_help: str

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--council", required=True, help="The council's slug.")
        parser.add_argument(f"--{self.option}", required=True, help=self.option_help)

    def handle(self, *args: Any, **options: Any) -> None:
        self.handle_key(council_by_slug(options["council"]), options[self.option].strip())

    def handle_key(self, council: Council, value: str) -> None:
        raise NotImplementedError
