"""The provider's referral screens' world: our council and provider, with a district, a council's
broker and front-door officer, the provider's carer and read-only user, and a user of another
provider of the same council; and the helpers their tests share."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from carebridge.referrals import services
from carebridge.referrals.choices import ReferralStatus
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.conftest import Parties
from tests.support import make_contract, make_district, make_provider, make_referral, make_user

S = ReferralStatus
FIRST_VISIT = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
def world(parties: Parties):
    council, provider = parties.council, parties.provider
    other_provider = make_provider("Zephyrine Domiciliary Services")
    make_contract(council, other_provider)
    return SimpleNamespace(
        council=council,
        provider=provider,
        district=make_district(council, "Newark"),
        broker=parties.broker,
        front_door=make_user(council=council, role="front_door_officer"),
        carer=parties.carer,
        reader=make_user(provider=provider, role="read_only"),
        stranger=make_user(provider=other_provider, role="super_user_scheduled"),
    )


def referral(world, **fields) -> Referral:
    fields.setdefault("district", world.district)
    return make_referral(world.council, world.provider, by=world.broker, **fields)


def accepted(world, **fields) -> Referral:
    return services.referral_accept(
        referral=referral(world, **fields), by=world.carer, first_visit_at=FIRST_VISIT
    )


def updated(world) -> Referral:
    return services.referral_update(
        referral=accepted(world),
        by=world.carer,
        care_start_date=date(2026, 11, 23),
        predicted_end_date=None,
        terminated_within_72_hours=False,
        needs_changed=False,
        needs_change_details="",
        completed_by="Jo Carer",
        completed_on=date(2026, 11, 23),
    )


def date_fields(name: str, day: date) -> dict[str, int]:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def page(response) -> str:
    return response.content.decode()


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"referrals:{name}", args=[pk] if pk is not None else [])
