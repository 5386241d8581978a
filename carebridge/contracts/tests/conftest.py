"""Builders shared by the contracts tests: a council, its provider and a client, made through
the product's own services."""

from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from carebridge.contracts import services
from carebridge.contracts.choices import PricingBasis, Unit
from carebridge.organisations import services as org
from carebridge.people import services as people
from tests.support import make_contract, make_council, make_provider, make_user

# "Now" for the tests that freeze the clock (`pytest.mark.usefixtures("frozen_now")`).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def url(name, document):
    return reverse(f"contracts:{name}", args=[document.pk])


@pytest.fixture
def world():
    council = make_council()
    provider = make_provider()
    make_contract(council, provider)
    broker = make_user(council=council, role="broker")
    return {
        "council": council,
        "provider": provider,
        "service": org.service_create(
            provider=provider, name="Domiciliary care", postcode="M1 1AA"
        ),
        "broker": broker,
        "carer": make_user(provider=provider, role="super_user_actuals"),
        "person": people.service_user_create(
            council=council,
            by=broker,
            ss_ref="SS100001",
            first_name="Maisy",
            last_name="Goddard",
            date_of_birth=date(1940, 4, 23),
        ),
        "single": services.service_level_create(
            council=council,
            name="Home Care - Single Assist Fixed Rate (Hour)",
            unit=Unit.HOURS,
            by=broker,
        ),
    }


def publish(world, **overrides):
    line = services.Line(
        service_level=world["single"],
        quantity=Decimal("3.5"),
        rate=Decimal("16.16"),
        pricing_basis=PricingBasis.SPOT,
        start_date=date(2026, 11, 23),
    )
    fields = {
        "council": world["council"],
        "service": world["service"],
        "service_user": world["person"],
        "care_package_reference": "CP-0001",
        "lines": [line],
        "by": world["broker"],
        **overrides,
    }
    return services.contract_document_publish(**fields)
