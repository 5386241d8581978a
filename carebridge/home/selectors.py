"""The home pages: what needs each user's attention, and the organisations they work with."""

from typing import Any, Protocol, cast

from carebridge.core import attention
from carebridge.core.attention import AttentionItem
from carebridge.core.calendar import now, today
from carebridge.core.permissions import Function, can_edit, can_view
from carebridge.organisations.selectors import (
    contracts_visible_to,
    councils_visible_to,
    providers_of_council,
)
from carebridge.payments.selectors.prompt_payment import (
    invoices_at_risk,
    invoices_waiting,
    prompt_payment_quarters,
    runs_to_approve,
)
from carebridge.people.selectors import service_users_visible_to
from carebridge.referrals.selectors import referral_statistics


class _OfCouncil(Protocol):
    def __call__(self, user: Any, *, council_id: int | None = None) -> list[AttentionItem]: ...


def attention_for(user: Any, *, council_id: int | None = None) -> list[AttentionItem]:
    """Every app's attention items for the user, in the order the apps registered them: of one
    council (`council_id`) when a provider of several chose it; each source takes it."""
    if council_id is None:
        return [item for source in attention.sources() for item in source(user)]
    return [
        item
        for source in attention.sources()
        for item in cast(_OfCouncil, source)(user, council_id=council_id)
    ]


def council_home(user: Any) -> dict[str, Any]:
    return {
        "attention": attention_for(user),
        "provider_count": providers_of_council(user.council_id).count(),
        "service_user_count": service_users_visible_to(user).count(),
        "contracts": contracts_visible_to(user)[:20],
        "payments": payments_home(user),
    }


def payments_home(user: Any) -> dict[str, Any] | None:
    """The payments officer's panels (a council user who may decide on invoices): runs another
    officer prepared, invoices waiting, and prompt payment; None for everyone else."""
    if user.council_id is None or not can_edit(user.role, Function.INVOICES):
        return None
    day = today()
    return {
        "runs": runs_to_approve(user),
        "waiting": invoices_waiting(user, today=day),
        "quarters": prompt_payment_quarters(user, today=day),
        "at_risk": invoices_at_risk(user, today=day),
    }


def provider_home(
    user: Any, *, council_slug: str | None = "", chosen_slug: str = ""
) -> dict[str, Any]:
    """The provider's home: its work at the council `council_slug` names (the page's own
    filter; "" for all), else (None: not in the query string) at the council it chose to look
    at (`chosen_slug`), else at all of them."""
    councils = list(councils_visible_to(user))
    by_slug = {c.slug: c for c in councils}
    if council_slug is None:
        council_slug = chosen_slug
    if council_slug not in by_slug:
        council_slug = ""
    council_id = by_slug[council_slug].pk if council_slug and len(councils) > 1 else None
    return {
        "attention": attention_for(user, council_id=council_id),
        "councils": councils,
        "council_slug": council_slug,
        "contracts": contracts_visible_to(user, council_slug=council_slug),
        # The guide's "Current service user statistics", counted in one query.
        "referral_statistics": (
            referral_statistics(user, at=now(), council_id=council_id)
            if can_view(user.role, Function.REFERRALS)
            else None
        ),
    }
