"""What accounts does when a layer below it tells it something (organisations.signals)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from carebridge.accounts import services
from carebridge.accounts.models import CONTACT_DETAILS
from carebridge.core.permissions import Role
from carebridge.organisations.choices import ChangeRequestKind
from carebridge.organisations.services import ChangeRequestRefused

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.organisations.models import ChangeRequest

K = ChangeRequestKind


def contact_change_apply(
    sender: Any, *, change_request: ChangeRequest, by: User, **_signal: Any
) -> User:
    """Make an approved contact request's change to the account, through accounts' own
    services; the account made or changed. Connected to contact_change_approved in ready()."""
    kind = K(change_request.kind)
    proposed = dict(change_request.proposed)
    if kind == K.NEW_CONTACT:
        user, _link, _token = services.account_invite(
            by=by,
            provider=change_request.provider,
            email=proposed["email"],
            first_name=proposed["first_name"],
            last_name=proposed["last_name"],
            role=proposed["role"],
            phone=proposed.get("phone", ""),
            title=proposed.get("title", ""),
            change_request=change_request,
        )
        details = {field: proposed[field] for field in CONTACT_DETAILS if proposed.get(field)}
        if details:
            services.account_details_update(
                user=user, by=by, change_request=change_request, **details
            )
        return user
    contact = change_request.contact
    assert contact is not None
    if kind == K.UPDATE_CONTACT:
        role = proposed.pop("role", None)
        if proposed:
            services.account_details_update(
                user=contact, by=by, change_request=change_request, **proposed
            )
        if role is not None:
            services.account_role_change(
                user=contact, role=Role(role), by=by, change_request=change_request
            )
    elif kind == K.REMOVE_ROLE and not services.account_close(
        user=contact, by=by, change_request=change_request
    ):
        raise ChangeRequestRefused(f"{change_request.entity_name}'s account is already closed.")
    return contact
