"""Residential and nursing providers are not paid on actuals, so Actuals and Disputes are not
offered to them (Stockport's guide, section 3). What a council buys from a provider is set by the
council for each provider it works with (organisations.ProviderCouncil), so a provider of two
councils keeps Actuals while one of them pays it on actuals."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from carebridge.actions.tests.conftest import build_world
from carebridge.actuals import access
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.actuals.tests.conftest import item
from carebridge.audit.models import Event
from carebridge.core.permissions import Role
from carebridge.disputes import services as disputes
from carebridge.disputes.access import dispute_for
from carebridge.disputes.models import DisputeReason
from carebridge.home.navigation import items_for
from carebridge.organisations.provider_kinds import ProviderCouncil, ProviderKind
from carebridge.organisations.services.provider_kinds import provider_kind_set
from tests.support import make_council, make_provider, make_two_council_provider, make_user

pytestmark = pytest.mark.django_db

ACTUALS_ITEMS = {"Record actuals", "Confirm actuals", "Disputes"}


def labels(user) -> set[str]:
    return {str(item["label"]) for item in items_for(user)}


@pytest.fixture
def world():
    return build_world()


def test_the_council_sets_what_it_buys_from_a_provider_and_it_is_audited(world):
    provider_kind_set(
        council=world.council,
        provider=world.provider,
        kind=ProviderKind.RESIDENTIAL,
        by=world.broker,
    )
    provider_kind_set(
        council=world.council, provider=world.provider, kind=ProviderKind.NURSING, by=world.broker
    )
    assert ProviderCouncil.objects.get().kind == ProviderKind.NURSING
    events = Event.objects.filter(action="provider.kind_set").order_by("pk")
    assert [(e.before, e.after) for e in events] == [
        ({"kind": "home_care"}, {"kind": "residential"}),
        ({"kind": "residential"}, {"kind": "nursing"}),
    ]
    assert {e.council_id for e in events} == {world.council.pk}
    assert {e.provider_id for e in events} == {world.provider.pk}


def test_it_refuses_a_kind_for_a_provider_the_council_has_no_contract_with(world):
    stranger = make_provider("Nobody's Care Homes")
    with pytest.raises(ValidationError):
        provider_kind_set(
            council=world.council, provider=stranger, kind=ProviderKind.RESIDENTIAL, by=world.broker
        )
    with pytest.raises(ValidationError):
        provider_kind_set(
            council=world.council, provider=world.provider, kind="hospice", by=world.broker
        )
    assert not ProviderCouncil.objects.exists()


def test_a_home_care_provider_keeps_actuals_and_disputes(world):
    assert labels(world.carer) >= ACTUALS_ITEMS
    assert access.actuals_offered(world.carer)
    access.require_actuals_offered(world.carer)


def test_a_residential_provider_is_offered_neither_actuals_nor_disputes(world):
    provider_kind_set(
        council=world.council,
        provider=world.provider,
        kind=ProviderKind.RESIDENTIAL,
        by=world.broker,
    )
    assert not ACTUALS_ITEMS & labels(world.carer)
    assert not access.actuals_offered(world.carer)
    with pytest.raises(PermissionDenied):
        access.require_actuals_offered(world.carer)
    # The rest of its navigation is as before.
    assert {"Contract documents", "Actions", "Invoices"} <= labels(world.carer)
    # The council's own staff keep their Actuals and Disputes pages.
    officer = world.payments_officer
    assert access.actuals_offered(officer)
    assert {"Actuals", "Disputes"} <= labels(officer)


def test_a_nursing_provider_is_refused_like_a_residential_one(world):
    provider_kind_set(
        council=world.council, provider=world.provider, kind=ProviderKind.NURSING, by=world.broker
    )
    assert not access.paid_on_actuals(world.provider.pk)
    assert not access.paid_on_actuals(world.provider.pk, world.council.pk)


def test_a_provider_back_to_home_care_is_offered_actuals_again(world):
    for kind in (ProviderKind.RESIDENTIAL, ProviderKind.HOME_CARE):
        provider_kind_set(
            council=world.council, provider=world.provider, kind=kind, by=world.broker
        )
    assert labels(world.carer) >= ACTUALS_ITEMS


def test_a_provider_with_no_contract_yet_is_offered_actuals(db):
    user = make_user(provider=make_provider("Newly Registered Care"), role=Role.SUPER_USER_ACTUALS)
    assert access.actuals_offered(user)
    assert "Record actuals" in labels(user)


def test_it_decides_for_each_council_of_a_provider_of_two():
    two = make_two_council_provider()
    provider_kind_set(
        council=two.four_weekly,
        provider=two.provider,
        kind=ProviderKind.RESIDENTIAL,
        by=two.four_weekly_broker,
    )
    # Home care for one, a care home for the other: Actuals stay, for the first council only.
    assert labels(two.carer) >= ACTUALS_ITEMS
    assert access.paid_on_actuals(two.provider.pk, two.weekly.pk)
    assert not access.paid_on_actuals(two.provider.pk, two.four_weekly.pk)
    access.require_actuals_offered(two.carer, two.weekly.pk)
    with pytest.raises(PermissionDenied):
        access.require_actuals_offered(two.carer, two.four_weekly.pk)
    # A third council that buys nothing special changes nothing.
    assert access.councils_not_paying_on_actuals(two.provider.pk) == {two.four_weekly.pk}
    make_council("Unrelated Council")
    assert access.councils_not_paying_on_actuals(two.provider.pk) == {two.four_weekly.pk}


def test_a_dispute_of_a_council_that_buys_residential_care_is_not_found(clock):
    two = make_two_council_provider()
    actuals.actuals_save(two.carer, [item(two.weekly_cpli, two.week, "10", visits=10)])
    row = Actual.objects.get(cpli=two.weekly_cpli, week_start=two.week)
    disputes.dispute_reasons_ensure(two.weekly)
    dispute = disputes.dispute_raise(
        by=two.weekly_officer,
        reason=DisputeReason.objects.filter(council=two.weekly).first(),
        details="The visit on Monday did not happen.",
        actual_ids=[row.pk],
    )
    assert dispute_for(two.carer, dispute.pk) == dispute
    provider_kind_set(
        council=two.weekly,
        provider=two.provider,
        kind=ProviderKind.RESIDENTIAL,
        by=two.weekly_broker,
    )
    with pytest.raises(Http404):
        dispute_for(two.carer, dispute.pk)
    # The council still reads its own dispute.
    assert dispute_for(two.weekly_officer, dispute.pk) == dispute
