"""Reads of councils, providers and contracts, scoped to what the acting user may see."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from carebridge.core.attention import AttentionItem
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.choices import CONTACT_KINDS, ChangeRequestStatus
from carebridge.organisations.models import ChangeRequest, Contract, Council, Provider, Service

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def councils_of_provider(provider_id: int) -> models.QuerySet[Council]:
    """The councils a provider holds a contract with."""
    return Council.objects.filter(contracts__provider_id=provider_id).distinct()


def providers_of_council(council_id: int) -> models.QuerySet[Provider]:
    """The providers a council holds a contract with."""
    return Provider.objects.filter(contracts__council_id=council_id).distinct()


def councils_visible_to(user: "User") -> models.QuerySet[Council]:
    """A council user sees their own council; a provider user every council they work for."""
    if user.council_id is not None:
        return Council.objects.filter(pk=user.council_id)
    if user.provider_id is not None:
        return councils_of_provider(user.provider_id)
    return Council.objects.none()


def contracts_visible_to(user: "User", *, council_slug: str = "") -> models.QuerySet[Contract]:
    """Contracts of the user's organisation, optionally for one council only."""
    if user.council_id is not None:
        contracts = Contract.objects.filter(council_id=user.council_id)
    elif user.provider_id is not None:
        contracts = Contract.objects.filter(provider_id=user.provider_id)
    else:
        return Contract.objects.none()
    if council_slug:
        contracts = contracts.filter(council__slug=council_slug)
    return contracts.select_related("council", "provider")


# --- Details and change requests -------------------------------------------------------------

# A decided change request stays in the provider's list this long before it counts as historical.
RECENTLY_DECIDED = timedelta(days=30)


def services_of(user: "User", *, historical: bool = False) -> models.QuerySet[Service]:
    """The services (sites) of the provider user's organisation; inactive ones when historical."""
    if user.provider_id is None:
        return Service.objects.none()
    services = Service.objects.filter(provider_id=user.provider_id)
    if not historical:
        services = services.filter(is_active=True)
    return services.order_by("-is_active", "name", "pk")


def contacts_of(user: "User", *, closed: bool = False) -> "models.QuerySet[User]":
    """The provider user's colleagues with a log-in; closed accounts too when asked."""
    User = get_user_model()  # accounts sits above organisations: reached through the setting

    if user.provider_id is None:
        return User.objects.none()
    contacts = User.objects.filter(provider_id=user.provider_id)
    if not closed:
        contacts = contacts.filter(is_active=True)
    return contacts.order_by("-is_active", "last_name", "first_name", "pk")


def may_review_change_requests(user: "User") -> bool:
    """Council staff who can change a provider's details or contacts decide its requests."""
    return user.council_id is not None and (
        can_edit(user.role, Function.ORGANISATION_DETAILS) or can_edit(user.role, Function.CONTACTS)
    )


def change_requests_visible_to(user: "User") -> models.QuerySet[ChangeRequest]:
    """A provider sees the requests it raised; a council's reviewers those addressed to it, and
    every request about the contacts of a provider working for it, whichever council decides
    it: a contact's log-in reads every one of its councils' data (docs/decisions/0006)."""
    if user.provider_id is not None:
        requests = ChangeRequest.objects.filter(provider_id=user.provider_id)
    elif user.council_id is not None and may_review_change_requests(user):
        providers = providers_of_council(user.council_id).values("pk")
        requests = ChangeRequest.objects.filter(
            models.Q(council_id=user.council_id)
            | models.Q(kind__in=sorted(CONTACT_KINDS), provider_id__in=providers)
        )
    else:
        return ChangeRequest.objects.none()
    return requests.select_related("provider", "council", "raised_by", "decided_by")


def change_requests_for_provider(
    user: "User", *, at: datetime, historical: bool = False
) -> models.QuerySet[ChangeRequest]:
    """The provider's list: those waiting for review and those decided in the last 30 days, or
    every one ever raised when historical."""
    requests = change_requests_visible_to(user)
    if not historical:
        requests = waiting_or_recent(requests, at=at)
    return requests.order_by("-changed_at", "-pk")


def waiting_or_recent(
    requests: models.QuerySet[ChangeRequest], *, at: datetime
) -> models.QuerySet[ChangeRequest]:
    """Those waiting for review and those decided in the last 30 days."""
    return requests.filter(
        models.Q(status=ChangeRequestStatus.PENDING)
        | models.Q(decided_at__gte=at - RECENTLY_DECIDED)
    )


def change_requests_for_council(
    user: "User", *, status: str = "", provider: int | None = None
) -> models.QuerySet[ChangeRequest]:
    """The council's queue: pending requests first, oldest first, then decided ones, newest first."""
    requests = change_requests_visible_to(user)
    if status:
        requests = requests.filter(status=status)
    if provider is not None:
        requests = requests.filter(provider_id=provider)
    pending_first = models.Case(
        models.When(status=ChangeRequestStatus.PENDING, then=models.Value(0)),
        default=models.Value(1),
    )
    # Pending ones in the order they arrived (raised_at); decided ones latest decision first.
    return requests.annotate(queue=pending_first).order_by(
        "queue",
        models.Case(
            models.When(status=ChangeRequestStatus.PENDING, then=models.F("raised_at")),
            default=None,
        ).asc(nulls_last=True),
        "-changed_at",
        "-pk",
    )


def change_requests_waiting(
    user: "User",
    *,
    kinds: list[str],
    service: Service | None = None,
    contact: "User | None" = None,
) -> models.QuerySet[ChangeRequest]:
    """Pending requests about one record, for its details page to mention."""
    requests = change_requests_visible_to(user).filter(
        status=ChangeRequestStatus.PENDING, kind__in=kinds
    )
    if service is not None:
        requests = requests.filter(service=service)
    if contact is not None:
        requests = requests.filter(contact=contact)
    return requests.order_by("raised_at", "pk")


def change_request_attention_for(
    user: "User", *, council_id: int | None = None
) -> list["AttentionItem"]:
    """Home-page count for the council's reviewers: change requests waiting for a decision
    (`council_id`, a provider's chosen council, does not apply: providers have none)."""

    if user.council_id is None or not may_review_change_requests(user):
        return []
    # Only those this council decides: another council's request is shown, not waiting on us.
    waiting = (
        change_requests_visible_to(user)
        .filter(status=ChangeRequestStatus.PENDING, council_id=user.council_id)
        .count()
    )
    if not waiting:
        return []
    return [
        AttentionItem(
            "Change requests waiting for review",
            waiting,
            f"{reverse('organisations:change_request_list')}?status={ChangeRequestStatus.PENDING}",
            "Providers asked for their details or contacts to change.",
        )
    ]
