"""Money still owed or being paid keeps a person's records: while a service user has an unpaid
invoice line, an open variation request or a line in a payment run not yet finalised, the
nightly run touches nothing about them (their front-door request, their closed actions), and
removes the same records of a client with nothing open. Built on the payments tests' world."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from carebridge.actions import services as actions
from carebridge.actions.choices import PostKind, RelatedKind
from carebridge.actions.models import Action, Post
from carebridge.actuals.tests.conftest import World
from carebridge.core.calendar import today
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings
from carebridge.organisations import services as org
from carebridge.organisations.choices import TeamKind
from carebridge.payments.choices import InvoiceStatus, RunStatus, VariationStatus
from carebridge.payments.models import Invoice, PaymentRun, VariationRequest
from carebridge.payments.services import variations
from carebridge.payments.tests import conftest as payments_world
from carebridge.payments.tests.conftest import LAST_WEEK, clients, create, on_invoice
from carebridge.payments.tests.runs_support import confirmed_week, prepared_run, self_billing
from carebridge.people.models import ServiceUser
from carebridge.retention import services
from carebridge.retention.tests.support import months_on, signposted
from tests.support import make_district

pytestmark = pytest.mark.django_db

# The payments tests' world (a frozen clock, a council paying its provider's agreed CPLI).
clock = payments_world.clock
world = payments_world.world


def _front_door_open(world: World) -> None:
    make_district(world.council, postcode_districts="WB1 WB2")
    FrontDoorSettings.objects.create(
        council=world.council,
        is_open=True,
        contact_phone="01632 960 100",
        emergency_contacts="Adult social care out of hours: 01632 960 999",
    )


def _records_about(world: World, person: ServiceUser) -> tuple[FrontDoorRequest, Action]:
    """A signposted front-door request that became the person, and a closed action about them."""
    request = signposted(world.council)
    FrontDoorRequest.objects.filter(pk=request.pk).update(service_user=person)
    action_type = world.council.action_types.first() or actions.action_type_create(
        council=world.council, name="Other"
    )
    action = actions.action_create(
        by=world.broker,
        new=actions.NewAction(
            council=world.council,
            provider=world.provider,
            action_type=action_type,
            related_kind=RelatedKind.CLIENT,
            related_id=person.pk,
            due_date=today() + timedelta(days=7),
            team=None,
            title=f"Care calls for {person.full_name}",
            text=f"{person.full_name}'s daughter asked about the evening call.",
        ),
    )
    actions.action_post(by=world.broker, action=action, kind=PostKind.CLOSED, text="")
    return request, action


def _an_unpaid_invoice(world: World) -> None:
    on_invoice(world)
    confirmed_week(world)
    invoice = create(world)
    assert Invoice.objects.get(pk=invoice.pk).status != InvoiceStatus.PAID


def _an_open_variation(world: World) -> None:
    on_invoice(world)
    brokerage = org.team_create(council=world.council, name="Brokerage", kind=TeamKind.BROKERAGE)
    org.team_member_set(user=world.broker, team=brokerage)
    variations.variation_request_create(
        by=world.carer,
        cpli=world.cpli,
        first_week=LAST_WEEK,
        last_week=LAST_WEEK,
        extra_quantity=Decimal("6"),
        reason="Two extra calls a day while her daughter was away",
    )
    assert VariationRequest.objects.get().status == VariationStatus.REQUESTED


def _a_prepared_payment_run(world: World) -> None:
    self_billing(world)
    confirmed_week(world)
    run = prepared_run(world)
    assert PaymentRun.objects.get(pk=run.pk).status == RunStatus.PREPARED
    assert run.lines.filter(service_user=world.person).exists()


@pytest.mark.parametrize(
    "open_payment", [_an_unpaid_invoice, _an_open_variation, _a_prepared_payment_run]
)
def test_nothing_about_a_person_with_an_open_payment_is_touched(world, open_payment):
    _front_door_open(world)
    open_payment(world)
    (settled,) = [cpli.service_user for cpli in clients(world, 1)]
    paid_request, paid_action = _records_about(world, world.person)
    settled_request, settled_action = _records_about(world, settled)
    services.council_retention_run(world.council, moment=months_on(73))
    paid_request.refresh_from_db()
    assert paid_request.person_name == "Edith Marlowe" and paid_request.answers
    assert Action.objects.get(pk=paid_action.pk).title == paid_action.title
    assert Post.objects.filter(action=paid_action).exclude(text="").exists()
    # The control: the same records of a client with nothing open are removed.
    settled_request.refresh_from_db()
    assert settled_request.person_name == "Removed"
    assert Action.objects.get(pk=settled_action.pk).title == f"Closed action {settled_action.pk}"
    assert not Post.objects.filter(action=settled_action).exclude(text="").exists()
