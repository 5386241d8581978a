"""The access matrix's payments part: another council's invoices (one submitted, one draft), a
variation request and a submitted one-off claim, built through the payments services, and the
entries of the payments URLs that take them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Period
from carebridge.actuals.periods import WEEK
from carebridge.contracts.models import ContractDocument
from carebridge.core.calendar import today
from carebridge.organisations import services as org
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, Service
from carebridge.payments import services as payments
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.services import variations as variation_services
from carebridge.people.models import ServiceUser
from tests.access_entry import Entry


def build_payments(
    *,
    council: Council,
    provider_user: User,
    service: Service,
    period: Period,
    document: ContractDocument,
    person: ServiceUser,
    last_week: date,
) -> dict[str, Any]:
    """The others' payments objects, as the World's fields."""
    # The other council pays the other provider on invoice: one invoice submitted (last week's
    # period) and a draft (the week before's), each of one CPLI week.
    org.payment_rule_set(
        council=council,
        contract_type="spot",
        by=None,
        aborted_visit_max_minutes=30,
        aborted_visit_paid_percent=100,
        night_cancellation_paid_percent=25,
        payment_method="on_invoice",
    )
    actuals.actuals_generate(provider_user, weeks=[last_week - WEEK])
    invoiced = []
    for reference, week in (("QX-INV-SENT", last_week), ("QX-INV-DRAFT", last_week - WEEK)):
        week_period = Period.objects.get(council=council, start_date__lte=week, end_date__gte=week)
        line = next(
            line
            for line in pre_invoice(provider_user, service, week_period)
            if line.week_start == week
        )
        invoiced.append(
            payments.invoice_create(
                by=provider_user,
                service=service,
                period=week_period,
                reference=reference,
                invoice_date=today(),
                actual_ids=[line.actual_id],
            )
        )
    other_invoice = payments.invoice_submit(by=provider_user, invoice=invoiced[0])
    # The others' request for a temporary CPLI for last week, in their brokerage team's inbox.
    org.team_create(council=council, name="Quill Brokerage", kind=TeamKind.BROKERAGE)
    other_variation = variation_services.variation_request_create(
        by=provider_user,
        cpli=document.cplis.get(),
        first_week=last_week,
        last_week=last_week,
        extra_quantity=Decimal("1"),
        reason="Quillon extra night sit after a fall",
    )
    # The others' one-off claim, submitted: their spot contract's payment rule allows claims.
    org.payment_rule_set(
        council=council,
        contract_type="spot",
        by=None,
        aborted_visit_max_minutes=30,
        aborted_visit_paid_percent=100,
        night_cancellation_paid_percent=25,
        one_off_claims_allowed=True,
    )
    other_claim = payments.claim_create(
        by=provider_user,
        service=service,
        period=period,
        notes="Quixley claim notes",
    )
    other_claim_item = payments.claim_client_item_add(
        by=provider_user,
        claim=other_claim,
        ss_ref=person.ss_ref,
        absence_start=period.start_date,
        absence_end=period.start_date,
        stay="hospital",
        hours=Decimal("3"),
    )
    payments.claim_provider_item_add(
        by=provider_user,
        claim=other_claim,
        description="Quibble mileage",
        amount=Decimal("4"),
    )
    other_claim_file = payments.claim_attachment_add(
        by=provider_user,
        claim=other_claim,
        upload=SimpleUploadedFile("quagga-claim.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    other_claim = payments.claim_submit(by=provider_user, claim=other_claim)
    return {
        "other_variation": other_variation,
        "other_invoice": other_invoice,
        "other_draft_invoice": invoiced[1],
        "other_claim": other_claim,
        "other_claim_item": other_claim_item,
        "other_claim_file": other_claim_file,
    }


MARKERS = [
    "Quillon extra night sit",
    "QX-INV-SENT",
    "QX-INV-DRAFT",
    "Quixley claim notes",
    "Quibble mileage",
    "quagga-claim.pdf",
]

REGISTRY: dict[str, Entry] = {
    # The council's payments team: another council's submitted invoice and its decisions (the
    # decision's page shows for its owner; its POST needs the page's token).
    "payments:council_invoice_detail": Entry(
        kwargs=lambda w: {"pk": w.other_invoice.pk}, owner=lambda w: w.other_payments_officer
    ),
    "payments:council_invoice_decide": Entry(
        kwargs=lambda w: {"pk": w.other_invoice.pk, "decision": "hold"},
        owner=lambda w: w.other_payments_officer,
    ),
    # Variation requests: the provider's page, and the council's pages that decide them.
    "payments:variation_detail": Entry(
        kwargs=lambda w: {"pk": w.other_variation.pk}, owner=lambda w: w.other_provider_user
    ),
    **{
        f"payments:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_variation.pk}, owner=lambda w: w.other_council_broker
        )
        for name in (
            "council_variation_detail",
            "council_variation_approve",
            "council_variation_refuse",
        )
    },
    # The provider's invoices: a submitted one (read and downloaded, by its council too) and a
    # draft (changed, deleted or submitted; the owner's POST submits it).
    **{
        f"payments:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_invoice.pk}, owner=lambda w: w.other_provider_user
        )
        for name in ("invoice_detail", "invoice_csv", "invoice_pdf")
    },
    **{
        f"payments:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_draft_invoice.pk},
            owner=lambda w: w.other_provider_user,
        )
        for name in ("invoice_edit", "invoice_delete", "invoice_submit")
    },
    "payments:invoice_pre": Entry(
        kwargs=lambda w: {"service_id": w.other_service.pk, "period_id": w.other_period.pk},
        owner=lambda w: w.other_provider_user,
    ),
    # One-off claims: the provider's pages of a submitted claim (each step shows why the claim's
    # state refuses it; the owner's POST to remove a part is refused back to the claim), and the
    # payments team's decision.
    **{
        f"payments:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_claim.pk}, owner=lambda w: w.other_provider_user
        )
        for name in (
            "claim_detail",
            "claim_edit",
            "claim_client_item",
            "claim_provider_item",
            "claim_file",
            "claim_submit",
            "claim_delete",
            "claim_invoice",
        )
    },
    "payments:claim_file_download": Entry(
        kwargs=lambda w: {"pk": w.other_claim.pk, "file_pk": w.other_claim_file.pk},
        owner=lambda w: w.other_provider_user,
    ),
    "payments:claim_remove": Entry(
        kwargs=lambda w: {"pk": w.other_claim.pk, "kind": "client", "part": w.other_claim_item.pk},
        owner=lambda w: w.other_provider_user,
    ),
    "payments:claim_decide": Entry(
        kwargs=lambda w: {"pk": w.other_claim.pk, "decision": "approve"},
        owner=lambda w: w.other_payments_officer,
    ),
}
