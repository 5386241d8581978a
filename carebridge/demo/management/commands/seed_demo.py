from typing import Any

from django.core.management.base import BaseCommand

from carebridge.demo.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Build the demo data: two councils, three providers, a log-in for every role and 70 "
        "service users. Safe to run again: what exists is kept."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        seed_demo(stdout=self.stdout)
