from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carebridge.integrations.management.commands._council import council_by_slug
from carebridge.integrations.services import api_token_create


class Command(BaseCommand):
    help = (
        "Make an API key for one of a council's systems (e.g. its case-management feed) and "
        "print it once: only its hash is kept, so it cannot be shown again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--council", required=True, help="The council's slug.")
        parser.add_argument(
            "--name", required=True, help="Which system will use the key, e.g. Case management."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        name = options["name"].strip()
        if not name:
            raise CommandError("Give the name of the system that will use the key.")
        token, key = api_token_create(council=council, name=name, by=None)
        self.stdout.write(f"API key for {council.name}, {token.name}:")
        self.stdout.write("")
        self.stdout.write(key)
        self.stdout.write("")
        self.stdout.write(
            "Copy it now into the system's configuration, sent as 'Authorization: Bearer <key>'. "
            "Carebridge keeps only a hash of it, so it cannot be shown again: if it is lost, "
            "make a new key and revoke this one with "
            f"`carebridge api_token_revoke --council {council.slug} --prefix {token.prefix}`."
        )
