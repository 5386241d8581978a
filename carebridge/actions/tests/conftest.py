"""Builders shared by the actions tests (and the demo): a council with its teams (brokerage,
payments, a safeguarding team and an internal-only one) and its catalogue of action types, a
provider with a contract, a service, a client and an agreed CPLI, another provider with its own
client, and the people of each side. Made through the product's own services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from carebridge.accounts.models import User
from carebridge.actions import services
from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import Action, ActionType
from carebridge.contracts import services as contracts
from carebridge.contracts.models import Cpli, ServiceLevel
from carebridge.core.calendar import now, to_london
from carebridge.organisations import services as org
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, Provider, Service, Team
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from tests.support import PASSWORD, make_contract, make_council, make_provider, make_user

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name: str = "care-plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


def in_days(n: int) -> date:
    return to_london(now()).date() + timedelta(days=n)


@dataclass
class Catalogue:
    brokerage: Team
    payments: Team
    safeguarding: Team
    internal: Team  # internal only: providers cannot assign to it
    new_care_plan: ActionType  # to brokerage
    payment_query: ActionType  # to payments
    other: ActionType  # no team: chosen on creation
    safeguarding_concern: ActionType


def make_catalogue(council: Council) -> Catalogue:
    """The Stockport guide's catalogue, in small: teams and the types that go to them."""
    brokerage = org.team_create(council=council, name="Brokerage Team", kind=TeamKind.BROKERAGE)
    payments = org.team_create(
        council=council, name="Payments & Contracts Team", kind=TeamKind.PAYMENTS
    )
    safeguarding = org.team_create(
        council=council, name="Adult Safeguarding Team", kind=TeamKind.SAFEGUARDING
    )
    internal = org.team_create(
        council=council, name="Systems Team", kind=TeamKind.SYSTEMS, internal_only=True
    )
    types = {
        name: services.action_type_create(
            council=council, name=name, default_team=team, is_safeguarding=safeguarding_type
        )
        for name, team, safeguarding_type in (
            ("New Care Plan - Community Support", brokerage, False),
            ("Payment Query", payments, False),
            ("Other", None, False),
            ("Safeguarding concern", safeguarding, True),
        )
    }
    return Catalogue(
        brokerage=brokerage,
        payments=payments,
        safeguarding=safeguarding,
        internal=internal,
        new_care_plan=types["New Care Plan - Community Support"],
        payment_query=types["Payment Query"],
        other=types["Other"],
        safeguarding_concern=types["Safeguarding concern"],
    )


def make_client_with_cpli(
    council: Council, service: Service, *, by: User, signer: User, ss_ref: str, last_name: str
) -> tuple[ServiceUser, Cpli]:
    """A client of the council with an agreed care package at the service."""
    person = people.service_user_create(
        council=council,
        by=by,
        ss_ref=ss_ref,
        first_name="Phoebe",
        last_name=last_name,
        date_of_birth=date(1940, 5, 1),
        nhs_number="",
        postcode="SK1 3XE",
    )
    level = ServiceLevel.objects.filter(council=council).first() or (
        contracts.service_level_create(
            council=council, name="Home Care - Single Assist", unit="hours", by=by
        )
    )
    document = contracts.contract_document_publish(
        council=council,
        service=service,
        service_user=person,
        care_package_reference=f"CP-{ss_ref}",
        lines=[
            contracts.Line(
                service_level=level,
                quantity=Decimal("14"),
                rate=Decimal("16.16"),
                pricing_basis="spot",
                start_date=date(2026, 4, 6),
            )
        ],
        by=by,
    )
    contracts.contract_document_agree(document=document, by=signer, password=PASSWORD)
    return person, document.cplis.get()


@dataclass
class World:
    council: Council
    catalogue: Catalogue
    provider: Provider
    service: Service
    person: ServiceUser
    cpli: Cpli
    carer: User  # the provider's Super User (Scheduled)
    reader: User  # the provider's Read Only user
    broker: User  # in the brokerage team
    payments_officer: User  # in the payments team
    safeguarding_officer: User  # in the safeguarding team
    other_provider: Provider
    other_person: ServiceUser  # the other provider's client, of the same council
    stranger: User  # a Super User of the other provider

    def raise_action(self, by: User | None = None, **fields: Any) -> Action:
        """An action raised by the provider (or, with by=, anyone), a payment query by default."""
        by = by or self.carer
        provider = fields.pop("provider", self.provider)
        files = fields.pop("files", ())
        values: dict[str, Any] = {
            "council": self.council,
            "provider": provider,
            "action_type": self.catalogue.payment_query,
            "related_kind": RelatedKind.CLIENT,
            "related_id": self.person.pk,
            "due_date": in_days(7),
            "team": None,
            "title": "Payment query",
            "text": "We have not received payment for the visit on 16/12.",
            **fields,
        }
        return services.action_create(by=by, new=services.NewAction(**values), files=files)


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The world of the actions tests (the browser journey builds it too)."""
    council = make_council("Ashdown Vale Council")
    catalogue = make_catalogue(council)
    provider = make_provider("Diamond Home Care")
    other_provider = make_provider("Zephyrine Domiciliary Services")
    make_contract(council, provider)
    make_contract(council, other_provider)
    broker = make_user(council=council, role="broker")
    payments_officer = make_user(council=council, role="payments_officer")
    safeguarding_officer = make_user(council=council, role="front_door_officer")
    for user, team in (
        (broker, catalogue.brokerage),
        (payments_officer, catalogue.payments),
        (safeguarding_officer, catalogue.safeguarding),
    ):
        org.team_member_set(user=user, team=team)
    carer = make_user(provider=provider, role="super_user_scheduled")
    stranger = make_user(provider=other_provider, role="super_user_scheduled")
    service = org.service_create(
        provider=provider, name="Diamond Home Care - Marple", postcode="SK6 6AA"
    )
    other_service = org.service_create(
        provider=other_provider, name="Zephyrine Riverside", postcode="SK1 1AA"
    )
    person, cpli = make_client_with_cpli(
        council, service, by=broker, signer=carer, ss_ref="PB1001", last_name="Buffay"
    )
    other_person, _other_cpli = make_client_with_cpli(
        council, other_service, by=broker, signer=stranger, ss_ref="OV2002", last_name="Vandersnoot"
    )
    return World(
        council=council,
        catalogue=catalogue,
        provider=provider,
        service=service,
        person=person,
        cpli=cpli,
        carer=carer,
        reader=make_user(provider=provider, role="read_only"),
        broker=broker,
        payments_officer=payments_officer,
        safeguarding_officer=safeguarding_officer,
        other_provider=other_provider,
        other_person=other_person,
        stranger=stranger,
    )
