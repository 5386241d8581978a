"""The demo's one-off claims. Northshire's framework contracts allow them (the demo's own rule,
set here as the council would set it), so its framework provider claims two unplanned absences
from its latest ended period: five days after a hospital stay, authorised by the locality
worker, with a cost of its own, which the payments team approves and the provider invoices at
contract level and submits; and two days after an emergency respite stay, which the payments
team rejects with its reason. Each decision is told on an action thread. All of it through the
payments services, and told once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from carebridge.accounts.models import User
from carebridge.actions.models import ActionType
from carebridge.actions.services import action_type_create
from carebridge.actuals.models import Period
from carebridge.contracts.choices import CpliStatus, Unit
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import today
from carebridge.demo.common import Tally
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import ContractType, TeamKind
from carebridge.organisations.models import Council, PaymentRule, Team
from carebridge.payments import services as payments
from carebridge.payments.choices import AbsenceStay
from carebridge.payments.models import Invoice, OneOffClaim
from carebridge.payments.selectors import claim_action_types, claim_dates_for

if TYPE_CHECKING:
    from carebridge.demo.payments_demo import InvoicesTold, PaymentsCast

# The contract types whose payment rule allows one-off claims, per council (the rulebook's
# data, as the council's administrators would set it).
CLAIMS_ALLOWED: dict[str, tuple[ContractType, ...]] = {"northshire": (ContractType.FRAMEWORK,)}
# The catalogue's type the payments team tells a provider its decision with, where the council
# has none yet (the actions demo, later in the run, finds it by this name).
DECISION_TYPE = "Payment Query"

LOCALITY_WORKER = "Hannah Oyelaran"
PROVIDER_COST = (
    "Carer's travel to the hospital ward to agree the restart of care",
    Decimal("18.40"),
)
APPROVED_NOTES = "Unplanned absence after an emergency hospital admission."
REJECTED_NOTES = "Unplanned absence while the client stayed with the respite service."
REJECTED_REASON = (
    "The respite stay was booked by the family a month ahead, so the absence was planned: "
    "the visits should have been cancelled in advance rather than claimed"
)


def _allow_claims(tally: Tally, council: Council) -> bool:
    """Set the council's rule for each contract type the demo allows claims under."""
    allowed = CLAIMS_ALLOWED.get(council.slug, ())
    for rule in PaymentRule.objects.filter(council=council, contract_type__in=allowed):
        if rule.one_off_claims_allowed:
            tally.found("one-off claim rules")
            continue
        organisations.payment_rule_set(
            council=council,
            contract_type=rule.contract_type,
            by=None,
            aborted_visit_max_minutes=rule.aborted_visit_max_minutes,
            aborted_visit_paid_percent=rule.aborted_visit_paid_percent,
            night_cancellation_paid_percent=rule.night_cancellation_paid_percent,
            one_off_claims_allowed=True,
        )
        tally.made("one-off claim rules")
    return bool(allowed)


def _decision_type(tally: Tally, council: Council) -> ActionType | None:
    types = claim_action_types(council.pk)
    if types:
        return types[0]
    team = Team.objects.filter(council=council, kind=TeamKind.PAYMENTS).first()
    if team is None:
        return None
    tally.made("action types")
    return action_type_create(council=council, name=DECISION_TYPE, default_team=team)


def _story(invoicer: User, provider_id: int, council: Council) -> tuple[Period, list[Cpli]] | None:
    """The latest ended period the provider may date a claim by, and two clients' hourly CPLIs
    running through its last five days."""
    ended = [
        period
        for period in claim_dates_for(invoicer, council_id=council.pk).periods
        if period.end_date < today()
    ]
    if not ended:
        return None
    period = ended[0]
    first_day = period.end_date - timedelta(days=4)
    cplis = list(
        Cpli.objects.filter(
            council=council,
            provider_id=provider_id,
            unit=Unit.HOURS,
            status=CpliStatus.ACTIVE,
            yearly_allocation__isnull=True,
            start_date__lte=first_day,
        )
        .select_related("service_user", "service")
        .order_by("service_user__ss_ref", "pk")
    )
    # One CPLI a client: the two absences are two people's.
    clients = list({cpli.service_user_id: cpli for cpli in reversed(cplis)}.values())[:2]
    return (period, clients) if len(clients) == 2 else None


def _claim(
    invoicer: User, period: Period, cpli: Cpli, *, days: int, stay: str, hours: str, notes: str
) -> OneOffClaim:
    claim = payments.claim_create(by=invoicer, service=cpli.service, period=period, notes=notes)
    payments.claim_client_item_add(
        by=invoicer,
        claim=claim,
        ss_ref=cpli.service_user.ss_ref,
        absence_start=period.end_date - timedelta(days=days - 1),
        absence_end=period.end_date,
        stay=stay,
        hours=Decimal(hours),
        authorised_by=LOCALITY_WORKER if days >= 4 else "",
    )
    return claim


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[0].isalpha()).upper()


def _reference(invoicer: User, provider_id: int, council: Council) -> str:
    """The provider's next contract-level invoice reference: its initials, the council's, C
    and a number (OHS-NCC-C001)."""
    number = Invoice.objects.filter(provider_id=provider_id, claim__isnull=False).count()
    assert invoicer.provider is not None
    return f"{_initials(invoicer.provider.name)}-{_initials(council.name)}-C{number + 1:03d}"


def demo_claims(tally: Tally, cast: PaymentsCast, told: InvoicesTold) -> None:
    """One claim approved, invoiced at contract level and submitted; one rejected."""
    del told  # the claims are outside actuals: nothing of the invoices' story is needed
    if OneOffClaim.objects.filter(council=cast.council).exists():
        tally.found("one-off claims")
        return
    if not _allow_claims(tally, cast.council):
        return
    action_type = _decision_type(tally, cast.council)
    for provider_id, invoicer in cast.invoicers.items():
        story = _story(invoicer, provider_id, cast.council)
        if action_type is None or story is None:
            continue
        period, (first, second) = story
        approved = _claim(
            invoicer,
            period,
            first,
            days=5,
            stay=AbsenceStay.HOSPITAL,
            hours="12.5",
            notes=APPROVED_NOTES,
        )
        description, amount = PROVIDER_COST
        payments.claim_provider_item_add(
            by=invoicer, claim=approved, description=description, amount=amount
        )
        payments.claim_submit(by=invoicer, claim=approved)
        payments.claim_approve(by=cast.payer, claim=approved, action_type=action_type)
        invoice = payments.claim_invoice_create(
            by=invoicer,
            claim=approved,
            reference=_reference(invoicer, provider_id, cast.council),
            invoice_date=min(period.end_date + timedelta(days=7), today()),
        )
        payments.invoice_submit(by=invoicer, invoice=invoice)
        rejected = _claim(
            invoicer,
            period,
            second,
            days=2,
            stay=AbsenceStay.RESPITE,
            hours="6",
            notes=REJECTED_NOTES,
        )
        payments.claim_submit(by=invoicer, claim=rejected)
        payments.claim_reject(
            by=cast.payer, claim=rejected, reason=REJECTED_REASON, action_type=action_type
        )
        tally.made("one-off claims", 2)
        tally.made("invoices")
        return
