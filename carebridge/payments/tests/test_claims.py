"""One-off claims: the provider claims a client's unplanned absence (and costs of its own) where
its contract's payment rule allows it, the payments team approves or rejects it on an action
thread, and an approved claim is invoiced once at contract level, then follows the invoice's
flow. Everything is set up through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebridge.actions.models import Action, Post
from carebridge.actions.services import action_type_create
from carebridge.actuals.models import Period
from carebridge.actuals.tests.conftest import make_payment_rule
from carebridge.audit.models import Event
from carebridge.core.formats import round_money
from carebridge.organisations.choices import ContractType, TeamKind
from carebridge.organisations.services import team_create
from carebridge.payments import services
from carebridge.payments.choices import AbsenceStay, ClaimStatus, InvoiceStatus
from carebridge.payments.models import ClaimClientItem, Invoice, OneOffClaim
from carebridge.payments.selectors import claim_dates_for, claim_total, claims_for
from carebridge.payments.tests.conftest import LAST_WEEK, period_of
from tests.support import make_contract, make_user

pytestmark = pytest.mark.django_db

MONDAY = LAST_WEEK  # Monday 9 November 2026; its period ends on Sunday 15 November
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def allow_claims(world, contract_type: str = ContractType.FRAMEWORK) -> None:
    """The provider works under a framework contract from October, whose payment rule allows
    one-off claims."""
    make_contract(
        world.council, world.provider, contract_type=contract_type, start_date=date(2026, 10, 1)
    )
    make_payment_rule(world.council, contract_type, one_off_claims_allowed=True)


@pytest.fixture
def claiming(world):
    return claiming_world(world)


def claiming_world(world):
    """The world under a framework contract that allows claims, its council with a payments
    team and an action type of that team's (`world.action_type`)."""
    allow_claims(world)
    team = team_create(council=world.council, name="Payments Team", kind=TeamKind.PAYMENTS)
    world.action_type = action_type_create(
        council=world.council, name="Payment Query", default_team=team
    )
    return world


def new_claim(world, **fields) -> OneOffClaim:
    return services.claim_create(
        by=fields.pop("by", world.carer),
        service=fields.pop("service", world.service),
        period=fields.pop("period", period_of(world)),
        notes=fields.pop("notes", "Unplanned absences this period"),
        **fields,
    )


def absence(world, claim, days: int = 3, **fields):
    """A client item of `days` days from `absence_start` (last Monday unless given)."""
    start = fields.pop("absence_start", MONDAY)
    fields = {
        "ss_ref": world.person.ss_ref,
        "absence_start": start,
        "absence_end": start + timedelta(days=days - 1),
        "stay": AbsenceStay.HOSPITAL,
        "hours": Decimal("10"),
        **fields,
    }
    return services.claim_client_item_add(by=fields.pop("by", world.carer), claim=claim, **fields)


def test_the_whole_claim_is_created_submitted_approved_and_invoiced_at_contract_level(claiming):
    world = claiming
    claim = new_claim(world)
    assert claim.status == ClaimStatus.UNSUBMITTED
    assert claim.claim_date == date(2026, 11, 15)
    item = absence(world, claim, days=5, hours=Decimal("12.5"), authorised_by="Rachel Green")
    assert item.rate == Decimal("16.16")
    assert item.amount == Decimal("202.00")
    services.claim_provider_item_add(
        by=world.carer, claim=claim, description="Retained carer's mileage", amount=Decimal("9.99")
    )
    services.claim_attachment_add(
        by=world.carer, claim=claim, upload=SimpleUploadedFile("details.pdf", PDF)
    )
    assert claim_total(claim) == Decimal("211.99")
    services.claim_submit(by=world.carer, claim=claim)

    # The payments team sees it; it approves, telling the provider on an action thread.
    assert claims_for(world.payments_officer).get() == claim
    claim = services.claim_approve(
        by=world.payments_officer, claim=claim, action_type=world.action_type
    )
    assert claim.status == ClaimStatus.APPROVED
    assert claim.decided_by == world.payments_officer
    action = Action.objects.get(pk=claim.action_id)
    assert action.provider == world.provider and action.assigned_team is None
    assert "contract level" in Post.objects.get(action=action).text

    invoice = services.claim_invoice_create(
        by=world.carer, claim=claim, reference="ABS-1", invoice_date=date(2026, 11, 16)
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INVOICED
    assert invoice.claim == claim and invoice.status == InvoiceStatus.UNSUBMITTED
    assert (invoice.service, invoice.period, invoice.council) == (
        world.service,
        claim.period,
        world.council,
    )
    lines = list(invoice.lines.order_by("pk"))
    assert [(line.quantity, line.rate, line.amount) for line in lines] == [
        (Decimal("12.50"), Decimal("16.16"), Decimal("202.00")),
        (Decimal("1.00"), Decimal("9.99"), Decimal("9.99")),
    ]
    assert all(line.cpli_id is None and line.actual_id is None for line in lines)
    assert "Monica Geller (MG123)" in lines[0].description
    assert lines[1].description == "Retained carer's mileage"

    # It follows the invoice's own flow from here.
    invoice = services.invoice_submit(by=world.carer, invoice=invoice)
    assert invoice.status == InvoiceStatus.SUBMITTED
    invoice = services.invoice_authorise(by=world.payments_officer, invoice=invoice)
    assert invoice.status == InvoiceStatus.AUTHORISED
    assert Event.objects.filter(action="claim.approve", object_id=str(claim.pk)).exists()


def test_it_refuses_a_second_invoice_of_a_claim(claiming):
    world = claiming
    claim = new_claim(world)
    absence(world, claim)
    services.claim_submit(by=world.carer, claim=claim)
    services.claim_approve(by=world.payments_officer, claim=claim, action_type=world.action_type)
    services.claim_invoice_create(
        by=world.carer, claim=claim, reference="ABS-1", invoice_date=date(2026, 11, 16)
    )
    with pytest.raises(services.PaymentsRefused):
        services.claim_invoice_create(
            by=world.carer, claim=claim, reference="ABS-2", invoice_date=date(2026, 11, 16)
        )
    assert Invoice.objects.count() == 1


def test_it_refuses_an_invoice_reference_used_already(claiming):
    world = claiming
    first, second = new_claim(world), new_claim(world)
    for claim in (first, second):
        absence(world, claim, days=1, absence_start=MONDAY + timedelta(days=claim.pk - first.pk))
        services.claim_submit(by=world.carer, claim=claim)
        services.claim_approve(
            by=world.payments_officer, claim=claim, action_type=world.action_type
        )
    services.claim_invoice_create(
        by=world.carer, claim=first, reference="ABS-1", invoice_date=date(2026, 11, 16)
    )
    with pytest.raises(ValidationError) as error:
        services.claim_invoice_create(
            by=world.carer, claim=second, reference="ABS-1", invoice_date=date(2026, 11, 16)
        )
    assert error.value.message_dict == {"reference": [services.REFERENCE_USED]}
    second.refresh_from_db()
    assert second.status == ClaimStatus.APPROVED


def test_it_refuses_four_to_seven_days_without_the_locality_workers_name(claiming):
    claim = new_claim(claiming)
    for days in (4, 7):
        with pytest.raises(ValidationError) as error:
            absence(claiming, claim, days=days)
        assert error.value.message_dict == {"authorised_by": [services.NEEDS_WORKER]}
    assert absence(claiming, claim, days=3).amount == Decimal("161.60")


def test_it_refuses_more_than_seven_days_which_need_the_councils_agreement_first(claiming):
    claim = new_claim(claiming)
    with pytest.raises(ValidationError) as error:
        absence(claiming, claim, days=8, authorised_by="Rachel Green")
    assert error.value.message_dict == {"absence_end": [services.NEEDS_AGREEMENT]}
    assert not ClaimClientItem.objects.exists()


def test_it_refuses_a_claim_where_the_payment_rule_allows_none(world):
    # The provider's spot contract: its payment rule (none at all) allows no one-off claims.
    with pytest.raises(services.PaymentsRefused) as refusal:
        new_claim(world)
    assert refusal.value.message == services.NOT_CLAIMS_ALLOWED
    assert not OneOffClaim.objects.exists()
    assert not claim_dates_for(world.carer)


def test_a_rule_allowing_claims_for_another_contract_type_allows_none_here(world):
    make_payment_rule(world.council, ContractType.BLOCK_2015, one_off_claims_allowed=True)
    with pytest.raises(services.PaymentsRefused):
        new_claim(world)


def test_it_offers_only_period_ends_as_dates_of_claim(claiming):
    offered = claim_dates_for(claiming.carer).periods
    assert period_of(claiming) in offered
    assert all(p.council == claiming.council for p in offered)
    # Another council's period is no Date of Claim for this provider.
    theirs = Period.objects.filter(council=claiming.other_council).first()
    with pytest.raises(services.PaymentsRefused):
        new_claim(claiming, period=theirs)
    # Nor is a period that has not started.
    later = Period(
        council=claiming.council, start_date=date(2027, 1, 4), end_date=date(2027, 1, 10)
    )
    with pytest.raises(ValidationError):
        new_claim(claiming, period=later)


def test_it_refuses_a_client_without_an_agreed_cpli_at_the_service(claiming):
    claim = new_claim(claiming)
    with pytest.raises(ValidationError) as error:
        absence(claiming, claim, ss_ref="NOBODY1")
    assert "ss_ref" in error.value.message_dict
    # The absence starts before the client's CPLI did.
    with pytest.raises(ValidationError) as error:
        absence(claiming, claim, absence_start=date(2026, 9, 1), absence_end=date(2026, 9, 2))
    assert "ss_ref" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": Decimal("-1")}, "hours"),
        ({"hours": Decimal("1.005")}, "hours"),
        ({"hours": Decimal("73")}, "hours"),  # more than 24 hours a day for 3 days
        ({"absence_end": MONDAY - timedelta(days=1)}, "absence_end"),
        ({"absence_end": date(2026, 11, 16)}, "absence_end"),  # after the Date of Claim
        ({"stay": "holiday"}, "stay"),
    ],
)
def test_it_refuses_a_bad_client_item(claiming, fields, field):
    claim = new_claim(claiming)
    with pytest.raises(ValidationError) as error:
        absence(claiming, claim, **fields)
    assert field in error.value.message_dict
    assert not ClaimClientItem.objects.exists()


def test_it_refuses_the_same_days_of_a_client_twice(claiming):
    claim = new_claim(claiming)
    absence(claiming, claim, days=2)
    with pytest.raises(ValidationError):
        absence(claiming, claim, days=1, absence_start=MONDAY + timedelta(days=1))
    another = new_claim(claiming)
    with pytest.raises(ValidationError):
        absence(claiming, another, days=1)


@pytest.mark.parametrize("amount", ["0", "-5", "0.001", "100000000"])
def test_it_refuses_a_bad_provider_item(claiming, amount):
    claim = new_claim(claiming)
    with pytest.raises(ValidationError) as error:
        services.claim_provider_item_add(
            by=claiming.carer, claim=claim, description="Mileage", amount=Decimal(amount)
        )
    assert "amount" in error.value.message_dict


def test_it_refuses_a_file_that_is_not_what_its_name_says(claiming):
    claim = new_claim(claiming)
    with pytest.raises(ValidationError) as error:
        services.claim_attachment_add(
            by=claiming.carer, claim=claim, upload=SimpleUploadedFile("details.pdf", b"MZ\x90")
        )
    assert "is not a PDF" in error.value.message_dict["file"][0]


def test_it_refuses_to_submit_a_claim_with_no_items(claiming):
    claim = new_claim(claiming)
    with pytest.raises(services.PaymentsRefused) as refusal:
        services.claim_submit(by=claiming.carer, claim=claim)
    assert refusal.value.message == services.NO_ITEMS


def test_a_submitted_claim_can_no_longer_be_changed_or_deleted(claiming):
    claim = new_claim(claiming)
    item = absence(claiming, claim)
    services.claim_submit(by=claiming.carer, claim=claim)
    for change in (
        lambda: absence(claiming, claim, days=1, absence_start=MONDAY + timedelta(days=4)),
        lambda: services.claim_part_remove(
            by=claiming.carer, claim=claim, kind="client", pk=item.pk
        ),
        lambda: services.claim_update(
            by=claiming.carer, claim=claim, period=claim.period, notes="Changed"
        ),
        lambda: services.claim_delete(by=claiming.carer, claim=claim),
        lambda: services.claim_submit(by=claiming.carer, claim=claim),
    ):
        with pytest.raises(services.PaymentsRefused):
            change()
    assert ClaimClientItem.objects.count() == 1


def test_an_unsubmitted_claim_is_updated_its_parts_removed_and_deleted(claiming):
    world = claiming
    claim = new_claim(world)
    item = absence(world, claim)
    earlier = period_of(world, MONDAY - timedelta(weeks=1))
    services.claim_update(by=world.carer, claim=claim, period=earlier, notes="Updated")
    claim.refresh_from_db()
    assert claim.claim_date == earlier.end_date and claim.notes == "Updated"
    services.claim_part_remove(by=world.carer, claim=claim, kind="client", pk=item.pk)
    assert claim_total(claim) == Decimal("0.00")
    services.claim_delete(by=world.carer, claim=claim)
    assert not OneOffClaim.objects.exists()
    assert Event.objects.filter(action="claim.deleted").count() == 1


def test_the_payments_team_rejects_a_claim_with_its_reason_on_an_action(claiming):
    world = claiming
    claim = new_claim(world)
    absence(world, claim)
    services.claim_submit(by=world.carer, claim=claim)
    with pytest.raises(ValidationError):
        services.claim_reject(
            by=world.payments_officer, claim=claim, reason="  ", action_type=world.action_type
        )
    claim = services.claim_reject(
        by=world.payments_officer,
        claim=claim,
        reason="The hospital stay was planned",
        action_type=world.action_type,
    )
    assert claim.status == ClaimStatus.REJECTED
    assert claim.rejected_reason == "The hospital stay was planned"
    post = Post.objects.get(action_id=claim.action_id)
    assert "The hospital stay was planned" in post.text
    with pytest.raises(services.PaymentsRefused):
        services.claim_approve(
            by=world.payments_officer, claim=claim, action_type=world.action_type
        )
    with pytest.raises(services.PaymentsRefused):
        services.claim_invoice_create(
            by=world.carer, claim=claim, reference="X-1", invoice_date=date(2026, 11, 16)
        )
    # A rejected claim's days may be claimed again.
    assert absence(world, new_claim(world)).amount == Decimal("161.60")


def test_roles_that_may_not_claim_or_decide_are_refused(claiming):
    world = claiming
    for user in (
        world.read_only,
        make_user(provider=world.provider, role="invoice_only"),
        world.stranger,
        world.payments_officer,
    ):
        with pytest.raises(services.PaymentsRefused):
            new_claim(world, by=user)
    claim = new_claim(world)
    absence(world, claim)
    services.claim_submit(by=world.carer, claim=claim)
    for user in (world.broker, world.other_officer, world.carer):
        with pytest.raises(services.PaymentsRefused):
            services.claim_approve(by=user, claim=claim, action_type=world.action_type)
    assert OneOffClaim.objects.get().status == ClaimStatus.SUBMITTED


def test_another_organisation_sees_none_of_the_claims(claiming):
    world = claiming
    claim = new_claim(world)
    absence(world, claim)
    assert list(claims_for(world.stranger)) == []
    # The council sees a claim once it is submitted, and the other council never.
    assert list(claims_for(world.payments_officer)) == []
    services.claim_submit(by=world.carer, claim=claim)
    assert list(claims_for(world.payments_officer)) == [claim]
    assert list(claims_for(world.other_officer)) == []


def test_a_repeated_create_makes_one_claim_and_one_item(claiming):
    first = new_claim(claiming, idempotency_key="k-1")
    again = new_claim(claiming, idempotency_key="k-1")
    assert first == again and OneOffClaim.objects.count() == 1
    one = absence(claiming, first, idempotency_key="k-2")
    assert absence(claiming, first, idempotency_key="k-2") == one
    assert ClaimClientItem.objects.count() == 1


# Hours to the hundredth, up to 24 for a day; rates that round awkwardly.
HOURS = st.integers(min_value=1, max_value=2400).map(lambda n: Decimal(n) / 100)
PENNIES = st.integers(min_value=1, max_value=10**7).map(lambda n: Decimal(n) / 100)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rate=st.sampled_from(["16.16", "17.33", "19.99", "0.01"]),
    hours=st.lists(HOURS, min_size=1, max_size=3),
    own=st.lists(PENNIES, max_size=3),
)
def test_a_claim_totals_its_items_and_each_item_is_its_hours_at_the_rate(
    claiming, rate, hours, own
):
    world = claiming
    (cpli,) = world.agree(world.line("10", rate=rate))
    claim = new_claim(world)
    try:
        for n, each in enumerate(hours):
            item = absence(
                world,
                claim,
                days=1,
                absence_start=MONDAY + timedelta(days=n),
                ss_ref=cpli.service_user.ss_ref,
                hours=each,
            )
            assert item.amount == round_money(each * Decimal(rate))
        for amount in own:
            services.claim_provider_item_add(
                by=world.carer, claim=claim, description="Cost", amount=amount
            )
        items = [i.amount for i in claim.client_items.all()] + own
        assert claim_total(claim) == sum(items, Decimal("0"))
    finally:
        services.claim_delete(by=world.carer, claim=claim)


def test_deleting_a_claims_unsubmitted_invoice_lets_it_be_invoiced_again(claiming):
    world = claiming
    claim = new_claim(world)
    absence(world, claim)
    services.claim_submit(by=world.carer, claim=claim)
    services.claim_approve(by=world.payments_officer, claim=claim, action_type=world.action_type)
    invoice = services.claim_invoice_create(
        by=world.carer, claim=claim, reference="ABS-1", invoice_date=date(2026, 11, 16)
    )
    services.invoice_delete(by=world.carer, invoice=invoice)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    again = services.claim_invoice_create(
        by=world.carer, claim=claim, reference="ABS-1", invoice_date=date(2026, 11, 16)
    )
    assert again.claim == claim and again.lines.count() == 1
