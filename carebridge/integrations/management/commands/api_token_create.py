from django.core.management.base import CommandError

from carebridge.integrations.management.commands._council import CouncilKeyCommand
from carebridge.integrations.services import api_token_create
from carebridge.organisations.models import Council


class Command(CouncilKeyCommand):
    help = (
        "Make an API key for one of a council's systems (e.g. its case-management feed) and "
        "print it once: only its hash is kept, so it cannot be shown again."
    )
    option = "name"
    option_help = "Which system will use the key, e.g. Case management."

    def handle_key(self, council: Council, name: str) -> None:
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
