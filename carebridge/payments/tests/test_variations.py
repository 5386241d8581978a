"""Variation requests: a provider asks for a temporary CPLI for care over the exception; the
request is an action in the council's brokerage team's inbox; a brokerage officer approves it
(publishing the temporary CPLI for the provider to agree, after which its weeks have actuals)
or refuses it with a reason. One open request per client and weeks; refusals write nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carebridge.actions.models import Action, ActionType, Attachment, Post
from carebridge.actions.selectors import waiting_for
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import CpliStatus, DocumentStatus
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.organisations import services as org
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Team
from carebridge.payments.choices import VariationStatus
from carebridge.payments.models import VariationRequest
from carebridge.payments.services import variations as services
from carebridge.payments.tests.conftest import LAST_WEEK, enter
from tests.support import PASSWORD, make_user

WEEK = timedelta(days=7)
pytestmark = pytest.mark.django_db


@pytest.fixture
def brokerage(paying) -> Team:
    """The council's brokerage team, with the world's broker in it."""
    team = org.team_create(council=paying.council, name="Brokerage", kind=TeamKind.BROKERAGE)
    org.team_member_set(user=paying.broker, team=team)
    paying.broker.refresh_from_db()
    return team


def ask(world, *, first=LAST_WEEK, last=LAST_WEEK, extra="6", by=None, **fields):
    return services.variation_request_create(
        by=by or world.carer,
        cpli=fields.pop("cpli", world.cpli),
        first_week=first,
        last_week=last,
        extra_quantity=Decimal(extra),
        reason=fields.pop("reason", "Two extra calls a day while her daughter was away"),
        **fields,
    )


def refusal(call, *args, **kwargs) -> str:
    with pytest.raises(services.VariationRefused) as caught:
        call(*args, **kwargs)
    return caught.value.message


def errors(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message_dict


def test_it_raises_an_action_in_the_brokerage_teams_inbox_with_the_evidence(paying, brokerage):
    evidence = SimpleUploadedFile("visits.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    request = ask(paying, files=[evidence])
    assert request.status == VariationStatus.REQUESTED
    action = Action.objects.get()
    assert request.action == action
    assert action.assigned_team == brokerage
    assert action.action_type.name == services.VARIATION_ACTION_TYPE
    assert action.action_type.default_team == brokerage
    assert action.cpli == paying.cpli
    assert list(waiting_for(paying.broker)) == [action]
    text = action.posts.get().text
    assert reverse("payments:council_variation_detail", args=[request.pk]) in text
    assert "6.00 hours a week" in text and "Monica Geller" in text
    assert Attachment.objects.get(post__action=action).name == "visits.pdf"
    assert Event.objects.filter(action="variation_request.created", object_id=request.pk).exists()


def test_the_whole_flow_ends_with_the_temporary_cpli_in_the_actuals(paying, brokerage):
    enter(paying, (paying.cpli, "20"), comments="Daughter away")
    request = ask(paying, first=LAST_WEEK - WEEK, last=LAST_WEEK)
    approved = services.variation_request_approve(by=paying.broker, request=request)
    assert approved.status == VariationStatus.APPROVED
    assert approved.decided_by == paying.broker
    document = approved.document
    assert document is not None and document.status == DocumentStatus.PUBLISHED
    assert document.care_package_reference == paying.cpli.care_package_reference
    (temporary,) = document.cplis.all()
    assert (temporary.service_level, temporary.rate, temporary.quantity) == (
        paying.cpli.service_level,
        paying.cpli.rate,
        Decimal("6.00"),
    )
    assert (temporary.start_date, temporary.end_date) == (
        LAST_WEEK - WEEK,
        LAST_WEEK + WEEK * 1 - timedelta(days=1),
    )
    reply = Post.objects.filter(action=request.action, kind="reply").get()
    assert document.reference in reply.text
    assert Action.objects.get().assigned_team is None  # now the provider's to read

    contracts.contract_document_agree(document=document, by=paying.carer, password=PASSWORD)
    temporary.refresh_from_db()
    assert temporary.status == CpliStatus.ACTIVE
    actuals.actuals_generate(paying.carer, weeks=[LAST_WEEK])
    row = Actual.objects.get(cpli=temporary, week_start=LAST_WEEK)
    assert row.planned == Decimal("6.00")


def test_a_refusal_gives_its_reason_on_the_request_and_the_thread(paying, brokerage):
    request = ask(paying)
    refused = services.variation_request_refuse(
        by=paying.broker, request=request, reason="The social worker did not agree the calls"
    )
    assert refused.status == VariationStatus.REFUSED
    assert refused.refused_reason == "The social worker did not agree the calls"
    assert refused.document is None
    reply = Post.objects.get(action=request.action, kind="reply")
    assert "did not agree the calls" in reply.text
    assert not ContractDocument.objects.exclude(pk=paying.cpli.document_id).exists()


def test_a_refusal_needs_a_reason_and_writes_nothing_without_one(paying, brokerage):
    request = ask(paying)
    events = Event.objects.count()
    assert "reason" in errors(
        services.variation_request_refuse, by=paying.broker, request=request, reason="  "
    )
    assert VariationRequest.objects.get().status == VariationStatus.REQUESTED
    assert Event.objects.count() == events


def test_a_decided_request_cannot_be_decided_again(paying, brokerage):
    request = ask(paying)
    services.variation_request_approve(by=paying.broker, request=request)
    assert refusal(services.variation_request_approve, by=paying.broker, request=request) == (
        services.DECIDED
    )
    assert refusal(
        services.variation_request_refuse, by=paying.broker, request=request, reason="No"
    ) == (services.DECIDED)
    assert ContractDocument.objects.filter(cplis__quantity=Decimal("6")).count() == 1


def test_an_overlapping_open_request_for_the_same_client_is_refused(paying, brokerage):
    first = ask(paying, first=LAST_WEEK - WEEK * 2, last=LAST_WEEK - WEEK)
    message = refusal(ask, paying, first=LAST_WEEK - WEEK, last=LAST_WEEK)
    assert "already has an open variation request" in message
    assert VariationRequest.objects.count() == 1
    assert Action.objects.count() == 1
    # Other weeks are another request; once the first is decided, its weeks are free again.
    ask(paying, first=LAST_WEEK, last=LAST_WEEK)
    services.variation_request_refuse(by=paying.broker, request=first, reason="Not agreed")
    ask(paying, first=LAST_WEEK - WEEK * 2, last=LAST_WEEK - WEEK, reason="Asked again")
    assert VariationRequest.objects.filter(status=VariationStatus.REQUESTED).count() == 2


def test_the_same_submission_twice_makes_one_request(paying, brokerage):
    one = ask(paying, idempotency_key="form-1")
    two = ask(paying, idempotency_key="form-1")
    assert one == two
    assert VariationRequest.objects.count() == 1 and Action.objects.count() == 1


def test_only_the_providers_invoice_editors_may_ask(paying, brokerage):
    reader = paying.read_only
    invoice_only = make_user(provider=paying.provider, role="invoice_only")
    for user in (reader, invoice_only, paying.stranger, paying.broker):
        assert refusal(ask, paying, by=user) == services.NOT_A_REQUESTER
    assert not VariationRequest.objects.exists() and not Action.objects.exists()


def test_only_the_councils_brokers_may_decide(paying, brokerage):
    request = ask(paying)
    other_broker = make_user(council=paying.other_council, role="broker")
    for user in (paying.payments_officer, other_broker, paying.carer):
        assert (
            refusal(services.variation_request_approve, by=user, request=request)
            == services.NOT_A_BROKER
        )
        assert (
            refusal(services.variation_request_refuse, by=user, request=request, reason="No")
            == services.NOT_A_BROKER
        )
    assert VariationRequest.objects.get().status == VariationStatus.REQUESTED


@pytest.mark.parametrize(
    ("first", "last", "extra", "field"),
    [
        (LAST_WEEK + timedelta(days=1), LAST_WEEK + timedelta(days=1), "6", "first_week"),
        (LAST_WEEK, LAST_WEEK - WEEK, "6", "last_week"),
        (LAST_WEEK, LAST_WEEK + WEEK * 14, "6", "last_week"),
        (LAST_WEEK - WEEK * 60, LAST_WEEK, "6", "first_week"),
        (date(2026, 9, 28), LAST_WEEK, "6", "first_week"),  # before the CPLI started
        (LAST_WEEK, LAST_WEEK, "0", "extra_quantity"),
        (LAST_WEEK, LAST_WEEK, "-2", "extra_quantity"),
        (LAST_WEEK, LAST_WEEK, "0.1", "extra_quantity"),  # hours go in quarters
        (LAST_WEEK, LAST_WEEK, "169", "extra_quantity"),
    ],
)
def test_it_refuses_weeks_and_quantities_a_request_cannot_have(
    paying, brokerage, first, last, extra, field
):
    assert field in errors(ask, paying, first=first, last=last, extra=extra)
    assert not VariationRequest.objects.exists() and not Action.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "Bell\x07", "x" * 10_001])
def test_it_refuses_a_reason_that_is_missing_or_not_text(paying, brokerage, reason):
    assert "reason" in errors(ask, paying, reason=reason)
    assert not VariationRequest.objects.exists()


def test_a_file_that_is_not_allowed_leaves_no_request(paying, brokerage):
    script = SimpleUploadedFile("run.exe", b"MZ\x90\x00binary", "application/octet-stream")
    assert "attachments" in errors(ask, paying, files=[script])
    assert not VariationRequest.objects.exists() and not Action.objects.exists()


def test_a_council_without_a_brokerage_team_is_named(paying):
    assert refusal(ask, paying) == services.NO_BROKERAGE_TEAM
    assert not VariationRequest.objects.exists()


def test_a_council_that_switched_the_action_type_off_takes_none(paying, brokerage):
    ask(paying)
    ActionType.objects.filter(name=services.VARIATION_ACTION_TYPE).update(is_active=False)
    assert refusal(ask, paying, first=LAST_WEEK - WEEK, last=LAST_WEEK - WEEK) == (
        services.NOT_TAKEN
    )


def test_a_short_break_or_a_cpli_not_agreed_cannot_have_one(paying, brokerage):
    (short_break,) = paying.agree(paying.short_break_line("14"))
    assert refusal(ask, paying, cpli=short_break) == services.SHORT_BREAK
    (proposed,) = paying.agree(paying.line("3"), agreed=False)
    assert refusal(ask, paying, cpli=proposed) == services.NOT_RUNNING


def test_an_approval_that_cannot_publish_writes_nothing(paying, brokerage):
    request = ask(paying)
    contracts.service_level_update(level=paying.hours, by=None, is_active=False)
    message = refusal(services.variation_request_approve, by=paying.broker, request=request)
    assert message.startswith("The temporary CPLI cannot be published")
    assert VariationRequest.objects.get().status == VariationStatus.REQUESTED
    assert Cpli.objects.count() == 1
    assert not Post.objects.filter(kind="reply").exists()
