"""The demo's disputes: at both councils a dispute in every status (In Dispute, Resolution
Requested with the provider's response, Resolved, and one reopened with its note), each on one
provider's confirmed rows of a period not paid, with a reason from the council's catalogue; and
seeding again adds none."""

from __future__ import annotations

import pytest

from carebridge.actuals.models import Confirmation
from carebridge.demo.demo import seed_demo
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.models import Dispute, DisputeRow

pytestmark = pytest.mark.django_db

S = DisputeStatus


@pytest.mark.parametrize("slug", ["northshire", "westbrook"])
def test_each_council_has_a_dispute_in_every_status(slug):
    seed_demo()
    disputes = Dispute.objects.filter(council__slug=slug)
    assert {dispute.status for dispute in disputes} == set(S.values)
    requested = disputes.get(status=S.RESOLUTION_REQUESTED)
    assert requested.response and not requested.reopen_note
    resolved = disputes.get(status=S.RESOLVED)
    assert resolved.resolved_at is not None and resolved.response
    assert not resolved.rows.filter(open=True).exists()
    reopened = disputes.get(status=S.IN_DISPUTE, reopened_at__isnull=False)
    assert reopened.reopen_note and reopened.response
    assert disputes.filter(status=S.IN_DISPUTE, reopened_at__isnull=True, response="").exists()
    for dispute in disputes:
        assert dispute.reason.council_id == dispute.council_id
        rows = list(dispute.rows.select_related("actual__period"))
        assert 1 <= len(rows) <= 2
        for row in rows:
            actual = row.actual
            assert actual.council_id == dispute.council_id
            assert actual.provider_id == dispute.provider_id
            assert not actual.period.is_paid
            assert Confirmation.objects.filter(
                period=actual.period, provider_id=actual.provider_id
            ).exists()
            assert not actual.invoice_lines.exists()


def test_seeding_again_adds_no_disputes():
    seed_demo()
    disputes, rows = Dispute.objects.count(), DisputeRow.objects.count()
    assert disputes == 8
    seed_demo()
    assert (Dispute.objects.count(), DisputeRow.objects.count()) == (disputes, rows)
