"""Object access for a provider's services and contacts and for change requests: 404 when the
acting user may not see the record, 403 when they may see it but not ask for (or decide) a change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from carebridge.core.permissions import Function, can_edit, can_view
from carebridge.organisations.choices import function_of
from carebridge.organisations.models import ChangeRequest, Provider, Service
from carebridge.organisations.selectors import (
    change_requests_visible_to,
    contacts_of,
    services_of,
)

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def provider_of(user: User, function: Function, *, for_change: bool = False) -> Provider:
    """The provider user's own organisation, for its details pages; council staff have none."""
    if user.provider is None:
        raise PermissionDenied
    allowed = can_edit if for_change else can_view
    if not allowed(user.role, function):
        raise PermissionDenied
    return user.provider


def access_service(user: User, pk: int, *, for_change: bool = False) -> Service:
    service = services_of(user, historical=True).filter(pk=pk).first()
    if service is None:
        raise Http404("No such service")
    provider_of(user, Function.ORGANISATION_DETAILS, for_change=for_change)
    return service


def access_contact(user: User, pk: int, *, for_change: bool = False) -> User:
    contact = contacts_of(user, closed=True).filter(pk=pk).first()
    if contact is None:
        raise Http404("No such contact")
    provider_of(user, Function.CONTACTS, for_change=for_change)
    return contact


def access_change_request(user: User, pk: int, *, for_change: bool = False) -> ChangeRequest:
    """`for_change`: to decide it, which only its council's reviewers of its function may."""
    change_request = (
        change_requests_visible_to(user).select_related("service", "contact").filter(pk=pk).first()
    )
    if change_request is None:
        raise Http404("No such change request")
    if user.provider_id is not None and not can_view(user.role, Function.ACTIONS):
        raise PermissionDenied
    if for_change and not (
        user.council_id == change_request.council_id
        and can_edit(user.role, function_of(change_request.kind))
    ):
        raise PermissionDenied
    return change_request
