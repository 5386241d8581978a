"""Actuals and Disputes refused, not only hidden, to a provider no council pays on actuals (a
residential or nursing provider, Stockport's guide section 3): every page and the API answer 403,
as for a role that may not use them; a home-care provider's pages are as before; a provider of two
councils is refused only while it looks at the one that buys residential care from it."""

import re

import pytest
from django.urls import reverse

from carebridge.actions.tests.conftest import build_world
from carebridge.actuals.forms import field_name
from carebridge.actuals.periods import WEEK
from carebridge.actuals.tests.api_support import client_with, provider_key
from carebridge.organisations import services as org
from carebridge.organisations.provider_kinds import ProviderKind
from carebridge.organisations.services.provider_kinds import provider_kind_set
from tests.support import client_for

pytestmark = pytest.mark.django_db

PROVIDER_PAGES = (
    "actuals:week",
    "actuals:period_list",
    "actuals:bulk_export",
    "actuals:bulk_import",
    "disputes:dispute_list",
)


@pytest.fixture
def world():
    return build_world()


def statuses(user) -> dict[str, int]:
    client = client_for(user)
    return {name: client.get(reverse(name)).status_code for name in PROVIDER_PAGES}


def test_a_home_care_provider_reaches_its_actuals_and_disputes(world):
    assert set(statuses(world.carer).values()) == {200}


def test_a_residential_provider_is_refused_every_actuals_and_disputes_page(world):
    provider_kind_set(
        council=world.council,
        provider=world.provider,
        kind=ProviderKind.RESIDENTIAL,
        by=world.broker,
    )
    assert statuses(world.carer) == dict.fromkeys(PROVIDER_PAGES, 403)
    assert client_for(world.carer).get(reverse("contracts:document_list")).status_code == 200


def test_the_api_refuses_a_residential_providers_actuals(world):
    provider_kind_set(
        council=world.council, provider=world.provider, kind=ProviderKind.NURSING, by=world.broker
    )
    api = client_with(provider_key(world.carer))
    query = {"council": world.council.slug, "week": "2026-04-06"}
    assert api.get(reverse("provider_api_actuals"), query).status_code == 403


def test_a_provider_of_two_councils_is_refused_while_it_looks_at_the_residential_one(
    clock, two_council_provider
):
    two = two_council_provider
    provider_kind_set(
        council=two.four_weekly,
        provider=two.provider,
        kind=ProviderKind.RESIDENTIAL,
        by=two.four_weekly_broker,
    )
    client = client_for(two.carer)
    assert client.get(reverse("actuals:period_list")).status_code == 200
    focus = reverse("organisations:council_focus")
    client.post(focus, {"council": two.four_weekly.pk})
    assert client.get(reverse("actuals:period_list")).status_code == 403
    client.post(focus, {"council": two.weekly.pk})
    assert client.get(reverse("actuals:period_list")).status_code == 200


def select_of(page: str, field_id: str) -> str:
    found = re.search(rf'<select[^>]*id="{field_id}".*?</select>', page, re.S)
    assert found is not None, field_id
    return found.group(0)


def test_each_row_offers_its_own_councils_frustrated_reasons(clock, two_council_provider):
    two = two_council_provider
    org.rulebook_update(
        council=two.four_weekly, by=two.four_weekly_broker, actuals_frustrated_reasons="hospital"
    )
    both_open = two.week + WEEK * 4
    query = {"service": two.service.pk, "week": both_open.isoformat()}
    page = client_for(two.carer).get(reverse("actuals:week"), query).content.decode()
    weekly = select_of(page, field_name(two.weekly_cpli.pk, "frustrated_reason"))
    four_weekly = select_of(page, field_name(two.four_weekly_cpli.pk, "frustrated_reason"))
    assert 'value="hospital"' in weekly and 'value="aborted_visit"' in weekly
    assert 'value="hospital"' in four_weekly
    assert 'value="aborted_visit"' not in four_weekly
    assert 'value="night_cancelled"' not in four_weekly
