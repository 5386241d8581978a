"""The demo's variation requests: Northshire's provider asked for a temporary CPLI for the week
its invoice kept back, which the broker approved (the order waiting for the provider to agree),
and for another client's week, which the broker refused with a reason; both through the
services, each an action in the brokerage team's inbox."""

from __future__ import annotations

import pytest

from carebridge.audit.models import Event
from carebridge.contracts.choices import DocumentStatus
from carebridge.demo.demo import seed_demo
from carebridge.demo.variations_demo import REFUSED_REASON
from carebridge.organisations.choices import TeamKind
from carebridge.payments.choices import VariationStatus
from carebridge.payments.models import VariationRequest

pytestmark = pytest.mark.django_db


def test_northshire_has_a_variation_request_approved_and_one_refused():
    seed_demo()
    requests = VariationRequest.objects.filter(council__slug="northshire")
    approved = requests.get(status=VariationStatus.APPROVED)
    refused = requests.get(status=VariationStatus.REFUSED)
    assert approved.document is not None
    assert approved.document.status == DocumentStatus.PUBLISHED
    (temporary,) = approved.document.cplis.all()
    assert temporary.quantity == approved.extra_quantity
    assert temporary.care_package_reference == approved.cpli.care_package_reference
    assert refused.refused_reason == REFUSED_REASON
    assert refused.service_user_id != approved.service_user_id
    for request in (approved, refused):
        assert request.action is not None
        assert request.action.assigned_team is None  # answered: back with the provider
        assert request.action.posts.filter(kind="reply").exists()
        assert request.action.posts.get(kind="created").assigned_to
        assert Event.objects.filter(
            action="variation_request.created", object_id=str(request.pk)
        ).exists()
    assert approved.action.action_type.default_team.kind == TeamKind.BROKERAGE
    assert not VariationRequest.objects.filter(council__slug="westbrook").exists()
    # Seeding again tells nothing twice.
    seed_demo()
    assert VariationRequest.objects.count() == 2
