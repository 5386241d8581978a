"""Object access for user accounts: 404 when the acting user may not see the account."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from carebridge.accounts.models import User
from carebridge.accounts.roles import Function, can_edit, can_view
from carebridge.accounts.selectors import users_visible_to


def access_user(actor: User, pk: int, *, for_change: bool = False) -> User:
    user = users_visible_to(actor).filter(pk=pk).first()
    if user is None:
        raise Http404("No such account")
    if for_change and not can_edit(actor.role, Function.USER_ACCOUNTS):
        raise PermissionDenied
    return user


def require_function(actor: User, function: Function, *, edit: bool = False) -> None:
    """Refuse a page to a role that may not use its function."""
    allowed = can_edit(actor.role, function) if edit else can_view(actor.role, function)
    if not allowed:
        raise PermissionDenied
