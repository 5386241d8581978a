"""The access matrix's disputes part: another council's dispute of its provider's actual rows,
raised through the disputes services, a reason of its own catalogue, and the entries of the
disputes URLs that take them."""

from __future__ import annotations

from typing import Any

from carebridge.actuals.models import Actual
from carebridge.disputes import services as disputes
from carebridge.organisations.models import Council, Provider
from tests.access_entry import Entry
from tests.support import make_user

DETAILS = "Quibbleton visits never happened."
REASON = "Quarrelsome quibbletons"
MARKERS = [DETAILS, REASON]


def build_disputes(*, council: Council, provider: Provider) -> dict[str, Any]:
    """The others' dispute (In Dispute), as the World's fields: one of their provider's rows."""
    officer = make_user(
        council=council, role="payments_officer", email="quill.disputes@example.org"
    )
    row = Actual.objects.filter(council=council, provider=provider).order_by("pk").first()
    assert row is not None, "the payments part entered the other provider's actuals"
    (reason, *_others) = disputes.dispute_reasons_ensure(council, by=officer)
    dispute = disputes.dispute_raise(
        by=officer, reason=reason, details=DETAILS, actual_ids=[row.pk]
    )
    other_reason = disputes.dispute_reason_add(by=officer, council=council, label=REASON)
    return {"other_dispute": dispute, "other_reason": other_reason}


REGISTRY: dict[str, Entry] = {
    "disputes:dispute_detail": Entry(
        kwargs=lambda w: {"pk": w.other_dispute.pk}, owner=lambda w: w.other_provider_user
    ),
    "disputes:council_detail": Entry(
        kwargs=lambda w: {"pk": w.other_dispute.pk}, owner=lambda w: w.other_payments_officer
    ),
    "disputes:council_decide": Entry(
        kwargs=lambda w: {"pk": w.other_dispute.pk, "decision": "resolve"},
        owner=lambda w: w.other_payments_officer,
    ),
    "disputes:dispute_raise": Entry(
        kwargs=lambda w: {
            "period_id": w.other_dispute.rows.get().actual.period_id,
            "provider_id": w.other_provider.pk,
        },
        owner=lambda w: w.other_payments_officer,
    ),
    # Either side's action about the dispute (the others' has none yet: its page shows the form).
    "disputes:dispute_action": Entry(
        kwargs=lambda w: {"pk": w.other_dispute.pk}, owner=lambda w: w.other_provider_user
    ),
    # The council's catalogue of reasons: stopping one, or offering it again.
    "disputes:reason_change": Entry(
        kwargs=lambda w: {"pk": w.other_reason.pk, "change": "stop"},
        owner=lambda w: w.other_payments_officer,
        more=({"change": "offer"},),
    ),
}
