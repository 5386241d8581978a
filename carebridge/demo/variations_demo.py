"""The demo's variation requests: the provider asks for a temporary CPLI for the week its
invoice kept back as over the exception, and the council's broker approves it (the temporary
CPLI is published, waiting for the provider to agree it); a second request, for another client's
week, the broker refuses with a reason. Each is an action in the brokerage team's inbox, with
the decision on its thread. All of it through the payments services."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual
from carebridge.contracts.choices import Unit
from carebridge.core.permissions import Role
from carebridge.demo.common import Tally
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Team
from carebridge.payments.models import VariationRequest
from carebridge.payments.services import variations

if TYPE_CHECKING:
    from carebridge.demo.payments_demo import InvoicesTold, PaymentsCast

APPROVED_REASON = (
    "Extra evening calls while the client's daughter, her main carer, was in hospital; the "
    "social worker agreed them by telephone and gave the variation code on the actuals"
)
REFUSED_ASK = (
    "An extra call each morning for help with medication, which the client asked us for directly"
)
REFUSED_REASON = (
    "The client's social worker has not assessed a need for a morning medication call: ask "
    "the district team for a review, and a new order will follow if it is agreed"
)


def _broker(cast: PaymentsCast) -> User | None:
    # The actions demo, later in the run, puts the broker in the brokerage team.
    return (
        User.objects.filter(council=cast.council, role=Role.BROKER, is_active=True)
        .order_by("pk")
        .first()
    )


def _other_week(cast: PaymentsCast, provider_id: int, not_client: int) -> Actual | None:
    """An hourly week of another client of the same provider, for the request refused."""
    return (
        Actual.objects.filter(
            council=cast.council,
            provider_id=provider_id,
            cpli__unit=Unit.HOURS,
            cpli__yearly_allocation__isnull=True,
            planned__gte=Decimal("1"),
        )
        .exclude(service_user_id=not_client)
        .order_by("-week_start", "service_user__ss_ref", "cpli_id")
        .first()
    )


def _ask(user: User, actual: Actual, extra: Decimal, reason: str) -> VariationRequest:
    """A request for the actual's week alone, as the provider sends it from the row."""
    return variations.variation_request_create(
        by=user,
        cpli=actual.cpli,
        first_week=actual.week_start,
        last_week=actual.week_start,
        extra_quantity=extra,
        reason=reason,
    )


def demo_variations(tally: Tally, cast: PaymentsCast, told: InvoicesTold) -> None:
    """One variation request approved (for the week left off an invoice) and one refused."""
    if VariationRequest.objects.filter(council=cast.council).exists():
        tally.found("variation requests")
        return
    broker = _broker(cast)
    if (
        broker is None
        or not Team.objects.filter(
            council=cast.council, kind=TeamKind.BROKERAGE, internal_only=False
        ).exists()
    ):
        return
    if not told.left_out:
        return
    over = Actual.objects.select_related("cpli").get(pk=told.left_out[0].actual_id)
    user = cast.invoicers[over.provider_id]
    approved = _ask(user, over, over.actual - over.planned, APPROVED_REASON)
    variations.variation_request_approve(by=broker, request=approved)
    tally.made("variation requests")
    other = _other_week(cast, over.provider_id, over.service_user_id)
    if other is None:
        return
    refused = _ask(user, other, Decimal("3.5"), REFUSED_ASK)
    variations.variation_request_refuse(by=broker, request=refused, reason=REFUSED_REASON)
    tally.made("variation requests")
