"""Reads of user accounts, scoped to what the acting user may manage."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.urls import reverse

from carebridge.accounts.models import User, UserSession
from carebridge.accounts.policy import login_policy_for
from carebridge.accounts.useragents import short_user_agent
from carebridge.core.attention import AttentionItem
from carebridge.core.calendar import now
from carebridge.core.formats import guide_date
from carebridge.core.permissions import Function, can_view
from carebridge.organisations.models import Contract, Provider
from carebridge.organisations.selectors import providers_of_council

PASSWORD_EXPIRY_WARNING = timedelta(days=14)


def users_visible_to(user: User) -> models.QuerySet[User]:
    """A council administrator manages their council's staff and its providers' contacts."""
    if user.council_id is None or not can_view(user.role, Function.USER_ACCOUNTS):
        return User.objects.none()
    providers = providers_of_council(user.council_id).values("pk")
    return User.objects.filter(
        models.Q(council_id=user.council_id) | models.Q(provider_id__in=providers)
    ).select_related("council", "provider")


def providers_managed_by(council_id: int) -> models.QuerySet[Provider]:
    """The providers whose accounts the council's administrators create and change themselves:
    those working for this council alone (docs/decisions/0006)."""
    others = Contract.objects.filter(provider=models.OuterRef("pk")).exclude(council_id=council_id)
    return providers_of_council(council_id).filter(~models.Exists(others))


def council_manages_accounts_of(council_id: int, provider_id: int) -> bool:
    return providers_managed_by(council_id).filter(pk=provider_id).exists()


def users_list(user: User) -> models.QuerySet[User]:
    """The accounts list, in name order (accounts.filters narrows it)."""
    return users_visible_to(user).order_by("last_name", "first_name", "pk")


def attention_for_accounts(user: User, *, council_id: int | None = None) -> list[AttentionItem]:
    # The accounts are the organisation's own, whichever council a provider looks at
    # (`council_id` does not apply).
    items = []
    if can_view(user.role, Function.USER_ACCOUNTS):
        visible = users_visible_to(user)
        counts = visible.aggregate(
            locked=models.Count("pk", filter=models.Q(locked_at__isnull=False)),
            suspended=models.Count("pk", filter=models.Q(suspended_at__isnull=False)),
        )
        url = reverse("accounts:user_list")
        items.append(
            AttentionItem(
                "Locked accounts",
                counts["locked"],
                f"{url}?status=locked",
                "Locked after too many wrong passwords or passcodes",
            )
        )
        items.append(
            AttentionItem(
                "Suspended accounts",
                counts["suspended"],
                f"{url}?status=suspended",
                "Not used for longer than the council allows",
            )
        )
    expiry = login_policy_for(user).password_expiry
    if expiry is not None:
        expires = (user.password_changed_at or user.created_at) + expiry
        if expires - now() <= PASSWORD_EXPIRY_WARNING:
            items.append(
                AttentionItem(
                    "Your password expires soon",
                    1,
                    reverse("accounts:password_change"),
                    f"Choose a new one before {guide_date(expires)}",
                )
            )
    return items


@dataclass(frozen=True)
class SessionRow:
    """One of a user's sessions as their pages show it."""

    id: int
    logged_in_at: datetime
    ip_address: str | None
    browser: str
    current: bool


def sessions_of(user: User, *, current_key: str | None = None) -> list[SessionRow]:
    """The user's sessions that have not expired, newest log-in first; `current_key` marks the
    one the page is being read with. A lookup by the user's rows, never a scan of the sessions."""
    rows = (
        UserSession.objects.filter(user=user, session__expire_date__gt=now())
        .order_by("-logged_in_at", "-pk")
        .values_list("pk", "session_id", "logged_in_at", "ip_address", "user_agent")
    )
    return [
        SessionRow(
            id=pk,
            logged_in_at=at,
            ip_address=ip,
            browser=short_user_agent(agent),
            current=key == current_key,
        )
        for pk, key, at, ip, agent in rows
    ]
