from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.core.calendar import LONDON, to_london
from carebridge.organisations.deadlines import RULES
from carebridge.organisations.models import Council


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"--from must be an ISO 8601 date and time, like 2018-05-21T16:57: {error}"
        ) from error
    # Support staff read London time, so a time without an offset is London wall-clock time.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment


class Command(BaseCommand):
    help = (
        "Print a deadline as the product computes it, from a council's rulebook and the shared "
        "calendar, in ISO 8601 with its offset."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--council", required=True, help="The council's slug.")
        parser.add_argument("--rule", required=True, choices=sorted(RULES), help="Which deadline.")
        parser.add_argument(
            "--from",
            dest="start",
            required=True,
            help="When the clock starts, ISO 8601; without an offset it is Europe/London time.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = Council.objects.select_related("rulebook").filter(slug=options["council"]).first()
        if council is None:
            known = ", ".join(Council.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No council with slug {options['council']!r}. Known: {known}")
        deadline = RULES[options["rule"]](council.rulebook, _moment(options["start"]))
        self.stdout.write(to_london(deadline).isoformat())
