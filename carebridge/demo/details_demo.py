"""The demo's organisation details and change requests: each service's address where it is
missing, and for every provider and council they work together in, a handful of change requests
in every state (waiting for review, approved, rejected with a reason), raised and decided through
the services, so the demo holds only states the product reaches. Between them they show every
detail a request can ask for: an approved service's fax and country, an organisation's fax, a
new contact's address and mobile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.core.calendar import now
from carebridge.core.permissions import Role
from carebridge.demo.common import Tally
from carebridge.organisations import services
from carebridge.organisations.choices import ChangeRequestKind
from carebridge.organisations.models import ChangeRequest, Council, Provider, Service

K = ChangeRequestKind


class ServicePlan(Protocol):
    """A demo service as `demo.DemoService` plans it."""

    @property
    def name(self) -> str: ...
    @property
    def address_line_1(self) -> str: ...
    @property
    def town(self) -> str: ...
    @property
    def county(self) -> str: ...
    @property
    def postcode(self) -> str: ...


class ProviderPlan(Protocol):
    """A demo provider as `demo.DemoProvider` plans it."""

    @property
    def name(self) -> str: ...
    @property
    def domain(self) -> str: ...
    @property
    def services(self) -> Sequence[ServicePlan]: ...


def demo_details(tally: Tally, providers: Sequence[ProviderPlan]) -> None:
    """Everything of the organisation details the demo shows."""
    demo_service_addresses(tally, providers)
    demo_change_requests(tally, providers)


def demo_service_addresses(tally: Tally, providers: Sequence[ProviderPlan]) -> None:
    """Give a demo service its planned address where a field of it is blank (a database made
    before services had addresses); one that is filled in is left as it is."""
    for plan in providers:
        for site in plan.services:
            service = Service.objects.filter(provider__name=plan.name, name=site.name).first()
            if service is None:
                continue
            missing = {
                field: getattr(site, field)
                for field in ("address_line_1", "town", "county", "postcode")
                if not getattr(service, field) and getattr(site, field)
            }
            if missing:
                services.service_update(service=service, by=None, **missing)
                tally.made("service addresses")


@dataclass(frozen=True)
class _Story:
    """One demo request: what it asks for and what the council did with it."""

    kind: ChangeRequestKind
    outcome: str  # "pending", "approved" or "rejected"
    days_ago: int
    reason: str = ""


# A handful for each provider and council: one of each outcome at least.
_STORIES = (
    _Story(K.UPDATE_SERVICE, "approved", days_ago=12),
    _Story(
        K.UPDATE_ORGANISATION,
        "rejected",
        days_ago=9,
        reason=(
            "Please give your main office address: remittance advice is sent there, not to a "
            "personal mailbox."
        ),
    ),
    _Story(
        K.NEW_CONTACT,
        "rejected",
        days_ago=6,
        reason=(
            "We need the new contact's work e-mail address, not a shared one. Please raise the "
            "request again."
        ),
    ),
    _Story(K.NEW_CONTACT, "pending", days_ago=2),
    _Story(K.UPDATE_SERVICE, "pending", days_ago=1),
)


def _proposed(story: _Story, number: int, plan: ProviderPlan, council: Council) -> dict[str, Any]:
    """Invented details: 07700 900xxx and 0114 496 0xxx are the numbers Ofcom keeps for drama."""
    if story.kind == K.UPDATE_ORGANISATION:
        return {
            "email": f"manager.{council.slug}@{plan.domain}.example",
            "fax": f"0114 496 0{600 + number:03d}",
        }
    if story.kind == K.NEW_CONTACT:
        first, last = ("Rowan", "Achterberg") if story.outcome == "pending" else ("Sam", "Ellery")
        home = plan.services[0] if plan.services else None
        return {
            "title": "Mx",
            "first_name": first,
            "last_name": last,
            "email": f"{first.lower()}.{council.slug}@{plan.domain}.example",
            "address_line_1": f"{number + 3} Larch Road",
            "town": home.town if home else "",
            "postcode": home.postcode if home else "",
            "country": "United Kingdom",
            "mobile": f"07700 900{300 + number:03d}",
            "phone": f"0114 496 0{700 + number:03d}",
            "role": Role.ADMINISTRATION if story.outcome == "pending" else Role.READ_ONLY,
        }
    if story.outcome == "approved":
        return {
            "mobile": f"07700 900{100 + number:03d}",
            "fax": f"0114 496 0{500 + number:03d}",
            "country": "United Kingdom",
        }
    return {"phone": f"0114 496 0{800 + number:03d}"}


def _tell(change_request: ChangeRequest, story: _Story, moment: Any) -> None:
    # The demo's requests were raised (and decided) over the last fortnight, not all just now.
    raised = moment - timedelta(days=story.days_ago)
    decided = raised + timedelta(days=1, hours=3) if story.outcome != "pending" else None
    ChangeRequest.objects.filter(pk=change_request.pk).update(
        raised_at=raised, changed_at=decided or raised, decided_at=decided
    )


@transaction.atomic
def demo_change_requests(tally: Tally, providers: Sequence[ProviderPlan]) -> None:
    """Change requests for each provider and council pair, told once: a pair that has any is
    left as it is, so a second run adds nothing."""
    moment = now()
    for plan in providers:
        provider = Provider.objects.filter(name=plan.name).first()
        raiser = User.objects.filter(email=f"superuser@{plan.domain}.example").first()
        if provider is None or raiser is None:
            continue
        sites = list(Service.objects.filter(provider=provider, is_active=True).order_by("name"))
        councils = list(Council.objects.filter(contracts__provider=provider).distinct())
        pairs = []
        for index, council in enumerate(sorted(councils, key=lambda c: c.name)):
            if ChangeRequest.objects.filter(provider=provider, council=council).exists():
                tally.found("change requests")
                continue
            reviewer = User.objects.filter(
                council=council, role=Role.COUNCIL_ADMINISTRATOR, is_active=True
            ).first()
            if reviewer is not None and sites:
                pairs.append((index, council, reviewer))
        # Story by story across the councils, so every decided request is decided before the
        # pending ones are raised (a record takes one pending request of a kind at a time).
        for number, story in enumerate(_STORIES):
            for index, council, reviewer in pairs:
                site = sites[(index + number) % len(sites)]
                change_request = services.change_request_raise(
                    by=raiser,
                    kind=story.kind,
                    council=council,
                    service=site if story.kind == K.UPDATE_SERVICE else None,
                    proposed=_proposed(story, index * 10 + number, plan, council),
                )
                if story.outcome == "approved":
                    services.change_request_approve(change_request=change_request, by=reviewer)
                elif story.outcome == "rejected":
                    services.change_request_reject(
                        change_request=change_request, by=reviewer, reason=story.reason
                    )
                _tell(change_request, story, moment)
                tally.made("change requests")
