"""The home pages: what needs each user's attention, and the organisations they work with."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from carebridge.organisations.selectors import contracts_visible_to, councils_visible_to


@dataclass(frozen=True)
class AttentionItem:
    """One line on a home page: a count of things waiting, linking to where to deal with them."""

    label: str
    count: int
    url: str
    hint: str = ""


AttentionSource = Callable[[Any], list[AttentionItem]]


def _attention_sources() -> list[AttentionSource]:
    # Each context contributes its own counts; later issues add theirs here.
    from carebridge.accounts.selectors import attention_for_accounts
    from carebridge.actuals.selectors import actuals_attention_for
    from carebridge.contracts.selectors import contract_attention_for
    from carebridge.frontdoor.selectors import front_door_attention_for
    from carebridge.organisations.selectors import change_request_attention_for
    from carebridge.referrals.selectors import referral_attention_for

    return [
        attention_for_accounts,
        referral_attention_for,
        contract_attention_for,
        change_request_attention_for,
        actuals_attention_for,
        front_door_attention_for,
    ]


def attention_for(user: Any) -> list[AttentionItem]:
    return [item for source in _attention_sources() for item in source(user)]


def council_home(user: Any) -> dict[str, Any]:
    from carebridge.organisations.selectors import providers_of_council
    from carebridge.people.selectors import service_users_visible_to

    return {
        "attention": attention_for(user),
        "provider_count": providers_of_council(user.council_id).count(),
        "service_user_count": service_users_visible_to(user).count(),
        "contracts": contracts_visible_to(user)[:20],
    }


def provider_home(user: Any, *, council_slug: str = "") -> dict[str, Any]:
    from carebridge.accounts.roles import Function, can_view
    from carebridge.core.calendar import now
    from carebridge.referrals.selectors import referral_statistics

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
