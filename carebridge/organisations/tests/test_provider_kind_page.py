"""What a council buys from each provider (Stockport's guide, section 3), on its payment settings
page: its administrators say home care, residential or nursing care for a contract's provider,
audited; its brokers may look; a provider may not; another council's contract is not found; the
table reads the kind in the contracts' own query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.core.permissions import Role
from carebridge.organisations.provider_kinds import ProviderCouncil, ProviderKind
from tests.support import client_for, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("organisations:payment_settings")


def _edit(contract) -> str:
    return reverse("organisations:contract_provider_kind_edit", args=[contract.pk])


@pytest.fixture
def books():
    council, other = make_council("Ashdown Vale Council"), make_council("Quillinghurst Council")
    provider = make_provider("Bluebell Lane Care")
    return {
        "council": council,
        "provider": provider,
        "contract": make_contract(council, provider, reference="AV-0001"),
        "second": make_contract(council, provider, reference="AV-0002"),
        "administrator": make_user(council=council, role=Role.COUNCIL_ADMINISTRATOR),
        "broker": make_user(council=council, role=Role.BROKER),
        "provider_user": make_user(provider=provider, role=Role.SUPER_USER_SCHEDULED),
        "other": other,
        "other_contract": make_contract(other, provider, reference="QX-0001"),
        "other_administrator": make_user(council=other, role=Role.COUNCIL_ADMINISTRATOR),
    }


def test_the_administrator_says_the_council_buys_residential_care_audited(books):
    client = client_for(books["administrator"])
    page = client.get(_edit(books["contract"])).content.decode()
    assert "Kind of care bought from Bluebell Lane Care" in page
    assert 'value="home_care" checked' in page.replace("\n", " ") or "checked" in page

    response = client.post(_edit(books["contract"]), {"kind": ProviderKind.RESIDENTIAL})

    assert response.status_code == 302
    assert response.url == f"{OVERVIEW}#supplier-references"
    said = ProviderCouncil.objects.get()
    assert (said.council, said.provider, said.kind) == (
        books["council"],
        books["provider"],
        ProviderKind.RESIDENTIAL,
    )
    (event,) = Event.objects.filter(action="provider.kind_set")
    assert event.actor == books["administrator"] and event.council_id == books["council"].pk
    assert event.before == {"kind": "home_care"} and event.after == {"kind": "residential"}
    overview = client.get(OVERVIEW).content.decode()
    assert "Ashdown Vale Council buys residential care from Bluebell Lane Care." in overview
    # Both of the council's contracts with the provider say so; the other council decides its own.
    assert overview.count("Residential care") == 2


def test_a_residential_provider_is_refused_actuals_for_that_council_only(books):
    client_for(books["administrator"]).post(_edit(books["contract"]), {"kind": "nursing"})
    provider = client_for(books["provider_user"])
    assert provider.get(reverse("actuals:period_list")).status_code in (200, 302)
    focus = reverse("organisations:council_focus")
    provider.post(focus, {"council": books["council"].pk})
    assert provider.get(reverse("actuals:period_list")).status_code == 403
    provider.post(focus, {"council": books["other"].pk})
    assert provider.get(reverse("actuals:period_list")).status_code == 200


def test_an_unknown_kind_is_refused_against_its_field_with_nothing_written(books):
    client = client_for(books["administrator"])
    for kind in ("", "hospice", "home_care\x00"):
        page = client.post(_edit(books["contract"]), {"kind": kind})
        assert page.status_code == 200
        assert "Choose home care, residential care or nursing care" in page.content.decode()
    assert not ProviderCouncil.objects.exists()


def test_a_broker_reads_the_kind_but_may_not_change_it(books):
    client = client_for(books["broker"])
    overview = client.get(OVERVIEW).content.decode()
    assert "Kind of care" in overview and "Home care" in overview
    assert "Change kind of care" not in overview
    assert client.get(_edit(books["contract"])).status_code == 403
    assert client.post(_edit(books["contract"]), {"kind": "nursing"}).status_code == 403
    assert not ProviderCouncil.objects.exists()


def test_a_provider_and_another_council_may_not(books):
    assert client_for(books["provider_user"]).get(_edit(books["contract"])).status_code == 403
    other = client_for(books["other_administrator"])
    assert other.get(_edit(books["contract"])).status_code == 404
    assert other.post(_edit(books["contract"]), {"kind": "nursing"}).status_code == 404
    assert not ProviderCouncil.objects.exists()


def test_the_table_reads_the_kind_in_the_contracts_own_query(books):
    client = client_for(books["administrator"])
    client.get(OVERVIEW)
    with CaptureQueriesContext(connection) as few:
        client.get(OVERVIEW)
    for n in range(20):
        contract = make_contract(books["council"], make_provider(f"Extra {n} Care"))
        if n % 2:
            client.post(_edit(contract), {"kind": "residential"})
    with CaptureQueriesContext(connection) as many:
        page = client.get(OVERVIEW).content.decode()
    assert len(many) == len(few)
    assert page.count("Residential care") == 10
