"""Raising a dispute: a council officer, one provider's rows of the council in periods not yet
paid and in no open dispute, a reason from the council's own catalogue; once per form token."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.actions.services import NewAction, action_create, action_type_create
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Period
from carebridge.audit.models import Event
from carebridge.core.calendar import today
from carebridge.disputes import services
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.models import Dispute, DisputeRow
from carebridge.disputes.tests.conftest import LAST_WEEK, dispute_events, reason_of
from tests.support import make_contract, make_user

pytestmark = pytest.mark.django_db


def test_a_payments_officer_disputes_a_providers_rows(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    assert (dispute.council, dispute.provider, dispute.status) == (
        w.council,
        w.provider,
        DisputeStatus.IN_DISPUTE,
    )
    assert dispute.reason.label == "Care not delivered"
    assert set(dispute.rows.values_list("actual_id", flat=True)) == {
        row.pk for row in disputing.rows
    }
    event = Event.objects.get(action="dispute.raised")
    assert (event.council_id, event.provider_id, event.detail) == (
        w.council.pk,
        w.provider.pk,
        {"rows": 2},
    )


def test_a_contracts_officer_disputes_too(disputing):
    assert disputing.raise_(by=disputing.world.broker).raised_by == disputing.world.broker


@pytest.mark.parametrize("who", ["carer", "read_only", "front_door", "administrator"])
def test_it_refuses_anyone_but_the_councils_officers(disputing, who):
    w = disputing.world
    people = {
        "carer": w.carer,
        "read_only": w.read_only,
        "front_door": make_user(council=w.council, role="front_door_officer"),
        "administrator": make_user(council=w.council, role="council_administrator"),
    }
    with pytest.raises(services.DisputeRefused):
        disputing.raise_(by=people[who])
    assert not Dispute.objects.exists()


def test_another_councils_officer_cannot_reach_these_rows(disputing):
    w = disputing.world
    with pytest.raises(services.DisputeRefused) as refused:
        disputing.raise_(by=w.other_officer, reason=reason_of(w.other_council))
    assert refused.value.message == services.NOT_THE_COUNCILS_ROWS
    assert not Dispute.objects.exists()


def test_it_refuses_rows_of_two_providers(disputing):
    with pytest.raises(services.DisputeRefused) as refused:
        disputing.raise_([disputing.rows[0], disputing.other_row])
    assert refused.value.message == services.ONE_PROVIDER
    assert not Dispute.objects.exists()
    assert dispute_events() == 0


def test_it_refuses_another_councils_reason(disputing):
    with pytest.raises(ValidationError) as refused:
        disputing.raise_(reason=reason_of(disputing.world.other_council))
    assert refused.value.message_dict == {"reason": [services.NOT_A_REASON]}
    assert not Dispute.objects.exists()


def test_it_refuses_a_reason_no_longer_offered(disputing):
    w = disputing.world
    reason = reason_of(w.council, "Other")
    services.dispute_reason_set_active(by=w.payments_officer, reason=reason, active=False)
    with pytest.raises(ValidationError):
        disputing.raise_(reason=reason)


@pytest.mark.parametrize(
    ("details", "message"),
    [("  ", "Enter the details"), ("x" * 2001, "Details must be 2,000 characters or fewer")],
)
def test_it_refuses_missing_or_overlong_details(disputing, details, message):
    with pytest.raises(ValidationError) as refused:
        disputing.raise_(details=details)
    assert refused.value.message_dict == {"details": [message]}


def test_it_refuses_details_with_control_characters(disputing):
    with pytest.raises(ValidationError):
        disputing.raise_(details="Visit\x00missed")


def test_it_refuses_no_rows(disputing):
    with pytest.raises(ValidationError) as refused:
        disputing.raise_([])
    assert refused.value.message_dict == {"rows": [services.NO_ROWS]}


def test_it_refuses_rows_whose_payment_has_been_processed(disputing):
    w = disputing.world
    period = Period.objects.get(
        council=w.council, start_date__lte=LAST_WEEK, end_date__gte=LAST_WEEK
    )
    actuals.period_mark_paid(w.payments_officer, period)
    with pytest.raises(services.DisputeRefused) as refused:
        disputing.raise_()
    assert "payment of these rows has been processed" in refused.value.message
    assert w.person.full_name in refused.value.message
    assert not Dispute.objects.exists()


def test_it_refuses_a_row_already_in_an_open_dispute(disputing):
    first = disputing.raise_([disputing.rows[0]])
    with pytest.raises(services.DisputeRefused) as refused:
        disputing.raise_()
    assert refused.value.message.startswith("Some of these rows are in an open dispute already")
    assert list(Dispute.objects.all()) == [first]


def test_a_row_can_be_disputed_again_once_its_dispute_is_resolved(disputing):
    first = disputing.raise_([disputing.rows[0]])
    services.dispute_resolve(by=disputing.world.payments_officer, dispute=first)
    again = disputing.raise_(
        [disputing.rows[0]], reason=reason_of(disputing.world.council, "Other")
    )
    assert again.pk != first.pk
    assert DisputeRow.objects.filter(actual=disputing.rows[0]).count() == 2


def test_the_database_keeps_an_actual_in_one_open_dispute(disputing):
    first = disputing.raise_([disputing.rows[0]])
    second = disputing.raise_([disputing.rows[1]])
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputeRow.objects.create(dispute=second, actual=disputing.rows[0])
    DisputeRow.objects.filter(dispute=first).update(open=False)
    DisputeRow.objects.create(dispute=second, actual=disputing.rows[0])


def test_a_repeated_form_token_raises_one_dispute(disputing):
    first = disputing.raise_(idempotency_key="token-1")
    again = disputing.raise_(idempotency_key="token-1")
    assert again.pk == first.pk
    assert Dispute.objects.count() == 1
    assert Event.objects.filter(action="dispute.raised").count() == 1


def test_a_dispute_links_its_action_once(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    action_type = action_type_create(council=w.council, name="Actuals query")
    action = _provider_action(w, w.payments_officer, w.council, action_type, "Visits on 13/1")
    other = action_type_create(council=w.other_council, name="Actuals query")
    with pytest.raises(ValidationError):
        services.dispute_action_link(by=w.carer, dispute=dispute, action=_foreign_action(w, other))
    linked = services.dispute_action_link(by=w.carer, dispute=dispute, action=action)
    assert linked.action == action
    # The same link again (a double submit) changes nothing and writes no second event.
    again = services.dispute_action_link(by=w.payments_officer, dispute=dispute, action=action)
    assert again.action == action
    assert Event.objects.filter(action="dispute.action_linked").count() == 1
    another = _provider_action(w, w.payments_officer, w.council, action_type, "Visits on 14/1")
    with pytest.raises(services.DisputeRefused):
        services.dispute_action_link(by=w.payments_officer, dispute=dispute, action=another)
    assert Dispute.objects.get(pk=dispute.pk).action == action


def _provider_action(w, by, council, action_type, title):
    """An action between the council and the world's provider, about the provider."""
    return action_create(
        by=by,
        new=NewAction(
            council=council,
            provider=w.provider,
            action_type=action_type,
            related_kind="provider",
            related_id=None,
            due_date=today() + timedelta(days=7),
            team=None,
            title=title,
            text=f"Please call us about: {title}.",
        ),
    )


def _foreign_action(w, action_type):
    """An action between the other council and the provider: not this dispute's to link."""
    make_contract(w.other_council, w.provider)
    officer = make_user(council=w.other_council, role="payments_officer")
    return _provider_action(w, officer, w.other_council, action_type, "Another matter")
