from django.core.management.base import CommandError

from carebridge.integrations.management.commands._council import CouncilKeyCommand
from carebridge.integrations.models import ApiToken
from carebridge.integrations.services import api_token_revoke
from carebridge.organisations.models import Council


class Command(CouncilKeyCommand):
    help = (
        "Revoke one of a council's API keys, named by its first characters (the prefix printed "
        "when it was made). Calls with it are refused at once."
    )
    option = "prefix"
    option_help = "The key's first characters (at least 4)."

    def handle_key(self, council: Council, prefix: str) -> None:
        if len(prefix) < 4:
            raise CommandError("Give at least the first 4 characters of the key.")
        # Only the key's first characters are stored, so a longer prefix is compared on those.
        stored = prefix[: ApiToken._meta.get_field("prefix").max_length]
        tokens = list(
            ApiToken.objects.filter(council=council, prefix__startswith=stored).order_by("pk")
        )
        active = [t for t in tokens if t.revoked_at is None]
        if not tokens:
            raise CommandError(f"{council.name} has no API key starting {prefix!r}.")
        if not active:
            self.stdout.write(f"The key starting {prefix!r} was already revoked.")
            return
        if len(active) > 1:
            names = ", ".join(f"{t.name} ({t.prefix})" for t in active)
            raise CommandError(f"More than one key starts {prefix!r}: {names}. Give more of it.")
        token = api_token_revoke(token=active[0], by=None)
        self.stdout.write(f"Revoked the key {token.prefix}… of {token.name} for {council.name}.")
