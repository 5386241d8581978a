"""The home pages: what needs each user's attention, and the organisations they work with."""

from typing import Any

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


def attention_for(user: Any) -> list[AttentionItem]:
    """Every app's attention items for the user, in the order the apps registered them."""
    return [item for source in attention.sources() for item in source(user)]


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


def provider_home(user: Any, *, council_slug: str = "") -> dict[str, Any]:
    councils = list(councils_visible_to(user))
    if council_slug not in {c.slug for c in councils}:
        council_slug = ""
    return {
        "attention": attention_for(user),
        "councils": councils,
        "council_slug": council_slug,
        "contracts": contracts_visible_to(user, council_slug=council_slug),
        # The guide's "Current service user statistics", counted in one query.
        "referral_statistics": (
            referral_statistics(user, at=now()) if can_view(user.role, Function.REFERRALS) else None
        ),
    }
