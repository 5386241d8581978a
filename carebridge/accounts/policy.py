"""The log-in policy that applies to a user: the strictest of their councils' rulebooks.

A council user follows their council's rulebook; a provider user must satisfy the rulebook of
every council their provider works with.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from carebridge.organisations.models import Council, Rulebook
from carebridge.organisations.selectors import councils_of_provider

if TYPE_CHECKING:
    from carebridge.accounts.models import User


@dataclass(frozen=True)
class LoginPolicy:
    password_min_length: int
    password_min_capitals: int
    password_min_letters: int
    password_min_digits: int
    password_expiry: timedelta | None
    failures_before_lock: int
    suspend_after: timedelta
    require_authenticator: bool
    require_passkey: bool = False


def _combine(rulebooks: list[Rulebook], *, staff: bool) -> LoginPolicy:
    expiries = [r.password_expiry_days for r in rulebooks if r.password_expiry_days]
    return LoginPolicy(
        password_min_length=max(r.password_min_length for r in rulebooks),
        password_min_capitals=max(r.password_min_capitals for r in rulebooks),
        password_min_letters=max(r.password_min_letters for r in rulebooks),
        password_min_digits=max(r.password_min_digits for r in rulebooks),
        password_expiry=timedelta(days=min(expiries)) if expiries else None,
        failures_before_lock=min(r.login_failures_before_lock for r in rulebooks),
        suspend_after=timedelta(days=min(r.suspend_after_days for r in rulebooks)),
        require_authenticator=staff and any(r.staff_require_authenticator for r in rulebooks),
        # Providers are never made to: they may work for several councils.
        require_passkey=staff and any(r.staff_require_passkey for r in rulebooks),
    )


def rulebooks_for(
    *, council: Council | None = None, provider_id: int | None = None
) -> list[Rulebook]:
    """The rulebooks a council's staff or a provider's contacts must satisfy."""
    if council is not None:
        councils = [council]
    elif provider_id is not None:
        councils = list(councils_of_provider(provider_id).select_related("rulebook"))
    else:
        councils = []
    rulebooks = [c.rulebook for c in councils if hasattr(c, "rulebook")]
    # A provider with no contract yet still gets the product's defaults.
    return rulebooks or [Rulebook()]


def login_policy_for(user: "User | None") -> LoginPolicy:
    if user is None or (user.council_id is None and user.provider_id is None):
        return _combine([Rulebook()], staff=False)
    if user.council_id is not None:
        return _combine(rulebooks_for(council=user.council), staff=True)
    return _combine(rulebooks_for(provider_id=user.provider_id), staff=False)


def default_failures_before_lock() -> int:
    """The lock threshold for addresses with no account: the lowest any council uses."""
    lowest = min(
        Rulebook.objects.values_list("login_failures_before_lock", flat=True), default=None
    )
    return lowest if lowest is not None else Rulebook().login_failures_before_lock
