"""Each council's catalogue of reasons: the default list once, then the council's own."""

import pytest
from django.core.exceptions import ValidationError

from carebridge.disputes import services
from carebridge.disputes.choices import DEFAULT_REASONS
from carebridge.disputes.models import DisputeReason
from carebridge.disputes.selectors import dispute_reasons_for

pytestmark = pytest.mark.django_db


def test_it_gives_a_council_without_reasons_the_default_list_in_order(world):
    reasons = services.dispute_reasons_ensure(world.council)
    assert [reason.label for reason in reasons] == list(DEFAULT_REASONS)
    assert not DisputeReason.objects.filter(council=world.other_council).exists()


def test_it_adds_the_default_list_once(world):
    services.dispute_reasons_ensure(world.council)
    services.dispute_reasons_ensure(world.council)
    assert DisputeReason.objects.filter(council=world.council).count() == len(DEFAULT_REASONS)


def test_a_council_keeps_its_own_reasons(world):
    other = services.dispute_reasons_ensure(world.council)[-1]
    services.dispute_reason_set_active(by=world.payments_officer, reason=other, active=False)
    added = services.dispute_reason_add(
        by=world.payments_officer, council=world.council, label="Missed call not logged"
    )
    labels = [reason.label for reason in services.dispute_reasons_ensure(world.council)]
    assert "Other" not in labels
    assert labels[-1] == added.label
    assert dispute_reasons_for(world.council, include_inactive=True).count() == 11


def test_it_refuses_a_reason_the_council_has_already(world):
    with pytest.raises(ValidationError) as refused:
        services.dispute_reason_add(
            by=world.payments_officer, council=world.council, label="care NOT delivered"
        )
    assert "already" in refused.value.message_dict["label"][0]


def test_it_refuses_another_councils_officer_changing_the_catalogue(world):
    with pytest.raises(services.DisputeRefused):
        services.dispute_reason_add(by=world.other_officer, council=world.council, label="Late")
