"""The council's service levels page: its administrators change a level's hospital weeks, VAT
rate, extras, fixed hours, cost centre and whether it is offered, one audited change a time (a
repeat changes nothing); its brokers may look; a provider, or a council role without organisation
details, may not; another council's level is not found; bad input is shown against its field with
nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.contracts import services
from carebridge.contracts.choices import Unit
from carebridge.contracts.models import ServiceLevel
from carebridge.contracts.service_levels import service_level_settings_update
from carebridge.core.permissions import Role
from carebridge.organisations.models import Council
from carebridge.organisations.services.payment_settings import PaymentSettingsRefused
from tests.support import client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("contracts:service_level_list")


def edit_url(level: ServiceLevel) -> str:
    return reverse("contracts:service_level_edit", args=[level.pk])


@dataclass
class Catalogue:
    council: Council
    level: ServiceLevel
    administrator: User
    broker: User
    payments_officer: User
    provider_user: User
    other_level: ServiceLevel
    other_administrator: User

    def add(self, name: str) -> ServiceLevel:
        return services.service_level_create(
            council=self.council, name=name, unit=Unit.HOURS, by=self.broker
        )


@pytest.fixture
def catalogue() -> Catalogue:
    council, other = make_council(), make_council()
    broker = make_user(council=council, role=Role.BROKER)
    return Catalogue(
        council=council,
        level=services.service_level_create(
            council=council, name="Supported Living - Core", unit=Unit.HOURS, by=broker
        ),
        administrator=make_user(council=council, role=Role.COUNCIL_ADMINISTRATOR),
        broker=broker,
        payments_officer=make_user(council=council, role=Role.PAYMENTS_OFFICER),
        provider_user=make_user(provider=make_provider(), role=Role.SUPER_USER_SCHEDULED),
        other_level=services.service_level_create(
            council=other, name="Other's Home Care", unit=Unit.HOURS, by=None
        ),
        other_administrator=make_user(council=other, role=Role.COUNCIL_ADMINISTRATOR),
    )


def level_form(**changes) -> dict[str, str]:
    data = {
        "hospital_retainer_weeks": "6",
        "vat_rate": "20",
        "extras_allowed": "no",
        "fixed_hours": "yes",
        "cost_centre": "SL-4410/02",
        "is_active": "yes",
    }
    data.update(changes)
    return data


def updates() -> list[Event]:
    return list(Event.objects.filter(action="service_level.updated").order_by("pk"))


def test_the_administrator_changes_a_levels_payment_settings_audited(catalogue):
    client = client_for(catalogue.administrator)
    assert client.get(edit_url(catalogue.level)).status_code == 200

    response = client.post(edit_url(catalogue.level), level_form())

    assert response.status_code == 302
    assert response.url == LIST
    level = ServiceLevel.objects.get(pk=catalogue.level.pk)
    assert level.hospital_retainer_weeks == 6
    assert level.vat_rate == Decimal("20.00")
    assert (level.extras_allowed, level.fixed_hours, level.is_active) == (False, True, True)
    assert level.cost_centre == "SL-4410/02"
    (event,) = updates()
    assert event.actor == catalogue.administrator
    assert event.council_id == catalogue.council.pk
    # Only what changed, before and after (it was offered already).
    assert event.before == {
        "hospital_retainer_weeks": 2,
        "vat_rate": "0.00",
        "extras_allowed": True,
        "fixed_hours": False,
        "cost_centre": "",
    }
    assert event.after == {
        "hospital_retainer_weeks": 6,
        "vat_rate": "20.00",
        "extras_allowed": False,
        "fixed_hours": True,
        "cost_centre": "SL-4410/02",
    }


def test_submitting_the_same_settings_twice_is_one_change(catalogue):
    client = client_for(catalogue.administrator)

    client.post(edit_url(catalogue.level), level_form())
    client.post(edit_url(catalogue.level), level_form(vat_rate="20.00"))

    assert len(updates()) == 1


def test_a_level_no_longer_offered_shows_inactive(catalogue):
    client = client_for(catalogue.administrator)
    client.post(edit_url(catalogue.level), level_form(is_active="no"))

    page = client.get(LIST).content.decode()

    assert ServiceLevel.objects.get(pk=catalogue.level.pk).is_active is False
    assert "Inactive" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vat_rate", "101", "VAT rate must be 100 or less"),
        ("vat_rate", "12.345", "VAT rate must have 2 decimal places or fewer"),
        ("vat_rate", "twenty", "VAT rate must be a number"),
        ("hospital_retainer_weeks", "53", "must be 52 or fewer"),
        ("cost_centre", "=SUM(A1:A9)", "Cost centre must start with a letter or number"),
        ("cost_centre", "X" * 21, "Cost centre must be 20 characters or fewer"),
        ("cost_centre", "AB\x00C", "control characters"),
        ("fixed_hours", "", "Select whether the level's hours are fixed"),
    ],
)
def test_bad_input_is_shown_against_its_field_and_nothing_is_written(
    catalogue, field, value, message
):
    response = client_for(catalogue.administrator).post(
        edit_url(catalogue.level), level_form(**{field: value})
    )

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert "There is a problem" in response.content.decode()
    level = ServiceLevel.objects.get(pk=catalogue.level.pk)
    assert (level.vat_rate, level.cost_centre, level.fixed_hours) == (Decimal("0"), "", False)
    assert not updates()


def test_the_service_refuses_a_formula_as_a_cost_centre_whatever_sends_it(catalogue):
    with pytest.raises(Exception) as refused:
        service_level_settings_update(
            by=catalogue.administrator,
            level=catalogue.level,
            hospital_retainer_weeks=2,
            vat_rate=Decimal("0"),
            extras_allowed=True,
            fixed_hours=False,
            cost_centre="+44 100",
            is_active=True,
        )
    assert "cost_centre" in refused.value.message_dict  # type: ignore[attr-defined]
    assert not updates()


def test_another_councils_level_is_not_found(catalogue):
    client = client_for(catalogue.administrator)

    assert client.get(edit_url(catalogue.other_level)).status_code == 404
    assert client.post(edit_url(catalogue.other_level), level_form()).status_code == 404
    assert ServiceLevel.objects.get(pk=catalogue.other_level.pk).vat_rate == Decimal("0")
    assert catalogue.other_level.name not in client.get(LIST).content.decode()


@pytest.mark.parametrize("who", ["provider_user", "payments_officer", "broker"])
def test_only_the_councils_administrators_change_a_level(catalogue, who):
    client = client_for(getattr(catalogue, who))

    assert client.get(edit_url(catalogue.level)).status_code == 403
    assert client.post(edit_url(catalogue.level), level_form()).status_code == 403
    assert not updates()


def test_the_service_refuses_another_councils_administrator(catalogue):
    with pytest.raises(PaymentSettingsRefused):
        service_level_settings_update(
            by=catalogue.other_administrator,
            level=catalogue.level,
            hospital_retainer_weeks=9,
            vat_rate=Decimal("0"),
            extras_allowed=True,
            fixed_hours=False,
            cost_centre="",
            is_active=True,
        )
    assert ServiceLevel.objects.get(pk=catalogue.level.pk).hospital_retainer_weeks == 2


def test_a_broker_sees_the_levels_without_change_links(catalogue):
    response = client_for(catalogue.broker).get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert catalogue.level.name in page
    assert edit_url(catalogue.level) not in page
    assert (
        edit_url(catalogue.level) in client_for(catalogue.administrator).get(LIST).content.decode()
    )


@pytest.mark.parametrize("who", ["provider_user", "payments_officer"])
def test_the_list_is_refused_to_a_provider_and_a_role_without_organisation_details(catalogue, who):
    assert client_for(getattr(catalogue, who)).get(LIST).status_code == 403


def test_the_list_asks_the_same_queries_for_two_levels_and_for_eight(catalogue):
    client = client_for(catalogue.administrator)
    catalogue.add("Home Care - Single")
    client.get(LIST)
    with CaptureQueriesContext(connection) as two:
        client.get(LIST)
    for n in range(6):
        catalogue.add(f"Home Care - Level {n}")
    with CaptureQueriesContext(connection) as eight:
        response = client.get(LIST)

    assert len(response.context["levels"]) == 8
    assert len(eight) == len(two)
