"""What every account service shares: an event about an account in each of its councils' logs,
the detail saying a change answers a provider's request, finding an account by address, and
what follows a new password or passcode."""

from typing import Any

from carebridge.accounts.models import ResetLink, User
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.organisations.models import ChangeRequest
from carebridge.organisations.selectors import councils_of_provider
from carebridge.organisations.validators import normalise_email


def record_about(user: User, *, action: str, **event: Any) -> None:
    """An event about an account, in its organisation's log (whoever caused it).

    A provider's log-in reaches the work of every council the provider works for, so the event
    goes into each of those councils' logs too (one row per council, the same detail): every
    council sees who was given, changed or used a log-in to its data, whichever council acted."""
    if user.provider_id is None:
        record(action=action, obj=user, council=user.council_id, **event)
        return
    councils: list[int | None] = list(
        councils_of_provider(user.provider_id).order_by("pk").values_list("pk", flat=True)
    )
    for council_id in councils or [None]:
        record(action=action, obj=user, council=council_id, provider=user.provider_id, **event)


def on_request(change_request: ChangeRequest | None) -> dict[str, Any]:
    """The detail saying a change was made on the provider's own request."""
    return {"change_request": change_request.pk} if change_request is not None else {}


def find_user(email: str) -> User | None:
    return (
        User.objects.select_related("council__rulebook", "provider")
        .filter(email__iexact=normalise_email(email))
        .first()
    )


def secret_changed(
    user: User, *, purpose: str, action: str, by: User | None, ip: str | None
) -> None:
    """A new password or passcode (the links' `purpose`) spends the links still open to reset
    it, and goes into the log."""
    ResetLink.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now())
    record_about(user, action=action, by=by, ip_address=ip)
