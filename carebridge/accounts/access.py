"""Object access for user accounts: 404 when the acting user may not see the account, 403 when
they may see it but not make the change they ask for (docs/decisions/0006)."""

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from carebridge.accounts.models import User
from carebridge.accounts.selectors import council_manages_accounts_of, users_visible_to
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.selectors import councils_of_provider

if TYPE_CHECKING:
    from carebridge.organisations.models import ChangeRequest


class AccountChange(StrEnum):
    """What someone does to another person's account."""

    CREATE = "create"
    ROLE = "role"
    DETAILS = "details"
    CLOSE = "close"
    UNLOCK = "unlock"
    REINSTATE = "reinstate"
    # Take away a lost authenticator app (the person sets up a new one, or uses the passcode).
    AUTHENTICATOR = "authenticator"
    # End every session of the account (the person logs in again).
    SESSIONS = "sessions"


# Giving back an account the provider already chose lets no one new in, so any council the
# provider works for may do it for a person who is locked out: unlocking, restoring, and taking
# away a lost authenticator app (they still need their password and passcode).
RESTORING = frozenset({AccountChange.UNLOCK, AccountChange.REINSTATE, AccountChange.AUTHENTICATOR})
# Ending someone's sessions lets no one in either, and stops a session left open on a shared or
# stolen computer at once, whichever council the provider works for notices it.
PROTECTING = frozenset({AccountChange.SESSIONS})

SHARED_PROVIDER_REFUSAL = (
    "{provider} also works for another council, so its own Super Users and Administration "
    "manage its contacts, through change requests every council it works for can see."
)


def check_account_change(
    by: User | None,
    *,
    council_id: int | None,
    provider_id: int | None,
    change: AccountChange,
    change_request: "ChangeRequest | None" = None,
) -> None:
    """Refuse (PermissionDenied) a change to an account of this organisation that `by` may not
    make. The system (`by=None`) may make any; a provider's staff only to their own colleagues.

    A council administrator creates, re-roles, changes or closes a provider's account only while
    the provider works for that council alone, or when deciding the provider's own change request:
    one council must never hand out a log-in that reads another council's data."""
    if by is None:
        return
    if by.provider_id is not None:
        if provider_id != by.provider_id:
            raise PermissionDenied("You can only change your own organisation's accounts.")
        return
    if provider_id is None:
        if council_id != by.council_id:
            raise PermissionDenied("You can only change your own council's accounts.")
        return
    assert by.council_id is not None
    if not councils_of_provider(provider_id).filter(pk=by.council_id).exists():
        raise PermissionDenied("This provider does not work for your council.")
    if change in RESTORING or change in PROTECTING:
        return
    if (
        change_request is not None
        and change_request.provider_id == provider_id
        and change_request.council_id == by.council_id
    ):
        return
    if not council_manages_accounts_of(by.council_id, provider_id):
        from carebridge.organisations.models import Provider

        name = Provider.objects.filter(pk=provider_id).values_list("name", flat=True).first()
        raise PermissionDenied(SHARED_PROVIDER_REFUSAL.format(provider=name or "This provider"))


def may_change_account(actor: User, account: User, change: AccountChange) -> bool:
    """Whether the user-account pages offer this change of this account to the actor."""
    if not can_edit(actor.role, Function.USER_ACCOUNTS):
        return False
    try:
        check_account_change(
            actor, council_id=account.council_id, provider_id=account.provider_id, change=change
        )
    except PermissionDenied:
        return False
    return True


def access_user(
    actor: User, pk: int, *, for_change: bool = False, change: AccountChange | None = None
) -> User:
    """`change`: the change the actor asks to make, refused with 403 when they may not."""
    user = users_visible_to(actor).filter(pk=pk).first()
    if user is None:
        raise Http404("No such account")
    if (for_change or change is not None) and not can_edit(actor.role, Function.USER_ACCOUNTS):
        raise PermissionDenied
    if change is not None:
        check_account_change(
            actor, council_id=user.council_id, provider_id=user.provider_id, change=change
        )
    return user
