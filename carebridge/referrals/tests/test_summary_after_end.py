"""After a referral is refused, withdrawn or fails to start, the provider keeps its summary but
no longer reads the person's date of birth, address, NHS number, contacts or needs; the council
that sent it still reads everything."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.people import services as people
from carebridge.referrals import services
from carebridge.referrals.tests.conftest import Parties
from tests.support import make_district, make_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

FIRST_VISIT = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
# What only the person's full record shows: NHS number, address, date of birth, next of kin,
# health needs (the builders' referral answers).
PERSONAL = ("943 476 5919", "17 Quarry Bank", "NG22 9TE", "23/04/1940", "Pat Example", "diabetes")


@pytest.fixture
def world(parties: Parties):
    council, provider, broker = parties.council, parties.provider, parties.broker
    district = make_district(council)
    person = people.service_user_create(
        council=council,
        by=broker,
        ss_ref="SS770001",
        first_name="Maisy",
        last_name="Goddard",
        date_of_birth=date(1940, 4, 23),
        nhs_number="9434765919",
        address_line_1="17 Quarry Bank",
        town="Newark",
        postcode="NG22 9TE",
        district=district,
    )
    return SimpleNamespace(
        council=council,
        provider=provider,
        broker=broker,
        carer=parties.carer,
        referral=make_referral(council, provider, by=broker, district=district, person=person),
    )


def page(user, name: str, referral) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name, args=[referral.pk]))
    assert response.status_code == 200
    return response.content.decode()


def shown(text: str) -> list[str]:
    return [item for item in PERSONAL if item in text]


def test_it_shows_the_provider_the_whole_referral_while_it_is_open(world):
    assert shown(page(world.carer, "referrals:detail", world.referral)) == list(PERSONAL)
    services.referral_accept(referral=world.referral, by=world.carer, first_visit_at=FIRST_VISIT)
    assert shown(page(world.carer, "referrals:detail", world.referral)) == list(PERSONAL)


def test_it_shows_the_provider_only_the_summary_of_a_referral_it_refused(world):
    services.referral_refuse(
        referral=world.referral, by=world.carer, reason="no_capacity", details="No carers free"
    )
    detail = page(world.carer, "referrals:detail", world.referral)
    assert shown(detail) == []
    assert "Maisy Goddard" in detail and "No carers free" in detail
    assert "summary only" in detail
    # The answer pages' side panel says no more than the summary either.
    assert shown(page(world.carer, "referrals:accept", world.referral)) == []
    assert shown(page(world.carer, "referrals:update_log", world.referral)) == []


def test_it_shows_the_provider_only_the_summary_of_a_withdrawn_referral(world):
    services.referral_accept(referral=world.referral, by=world.carer, first_visit_at=FIRST_VISIT)
    services.referral_withdraw(referral=world.referral, by=world.broker, reason="Moved away")
    detail = page(world.carer, "referrals:detail", world.referral)
    assert shown(detail) == []
    assert "Moved away" in detail
    assert shown(page(world.carer, "referrals:failed_start", world.referral)) == []


def test_it_shows_the_provider_only_the_summary_of_a_failed_start(world):
    services.referral_accept(referral=world.referral, by=world.carer, first_visit_at=FIRST_VISIT)
    services.referral_fail(
        referral=world.referral, by=world.carer, reason="readmitted", details="Back on ward 4"
    )
    detail = page(world.carer, "referrals:detail", world.referral)
    assert shown(detail) == []
    assert "Back on ward 4" in detail


def test_it_still_shows_the_council_the_whole_referral_after_it_ended(world):
    services.referral_refuse(referral=world.referral, by=world.carer, reason="no_capacity")
    detail = page(world.broker, "referrals:detail", world.referral)
    assert shown(detail) == list(PERSONAL)
    assert "summary only" not in detail
