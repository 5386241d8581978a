"""What the accounts tests share."""

from carebridge.accounts import services


def new_broker(
    council, *, by=None, email="new@example.org", first_name="Sam", last_name="New"
) -> tuple:
    """A broker the council just added: the account and its one-off password."""
    return services.account_create(
        by=by,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role="broker",
        council=council,
    )
