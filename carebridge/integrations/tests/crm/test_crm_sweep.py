"""After the push: the sweep that delivers what a broker outage left behind and gives up on
the rest, support's command that lists failed pushes and sends one again, and the trim of
old payloads."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.frontdoor.requests.crm import crm_payload
from carebridge.integrations import crm, tasks
from carebridge.integrations.crm import MAX_ATTEMPTS, crm_deliveries_give_up
from carebridge.integrations.models import CrmDelivery
from carebridge.integrations.tests.crm.crm_support import make_request, push

pytestmark = pytest.mark.django_db


# --- The sweep, support's command and the trim ------------------------------------------------


def _stranded(council, *, created_ago: timedelta, **fields) -> CrmDelivery:
    """A row whose task was lost (a broker outage): made, never tried."""
    request = make_request(council)
    return CrmDelivery.objects.create(
        council=council,
        request=request,
        event="submitted",
        key=f"front-door-{request.pk}-submitted",
        payload=crm_payload(request),
        created_at=now() - created_ago,
        **fields,
    )


def test_the_sweep_delivers_what_a_broker_outage_left_behind(server, council):
    lost = _stranded(council, created_ago=timedelta(minutes=20))
    fresh = _stranded(council, created_ago=timedelta(minutes=1))  # its own task comes first
    waiting = _stranded(
        council,
        created_ago=timedelta(hours=1),
        attempts=2,
        next_attempt_at=now() + timedelta(minutes=10),
    )

    assert tasks.deliver_undelivered_crm.call_local() == 1

    assert [p["headers"]["X-Carebridge-Delivery"] for p in server.posts()] == [lost.key]
    lost.refresh_from_db()
    assert lost.delivered_at is not None
    for row in (fresh, waiting):
        row.refresh_from_db()
        assert row.delivered_at is None


def test_the_sweep_gives_up_after_the_attempts_or_two_days(server, council):
    tried_out = _stranded(council, created_ago=timedelta(hours=23), attempts=MAX_ATTEMPTS)
    too_old = _stranded(council, created_ago=timedelta(days=2, minutes=1), attempts=1)
    in_time = _stranded(council, created_ago=timedelta(days=1), attempts=3)

    assert crm_deliveries_give_up() == 2

    assert set(CrmDelivery.objects.filter(gave_up=True)) == {tried_out, too_old}
    assert Event.objects.filter(action="crm_delivery.gave_up").count() == 2
    in_time.refresh_from_db()
    assert not in_time.gave_up
    assert server.posts() == []


def test_support_lists_failed_pushes_and_pushes_one_again(
    server, council, django_capture_on_commit_callbacks
):
    server.plan = [404]
    delivery = push(make_request(council), django_capture_on_commit_callbacks)
    out = StringIO()

    call_command("crm_deliveries", stdout=out)

    listed = out.getvalue()
    assert f"{delivery.pk}\t" in listed
    assert "HTTP 404" in listed
    assert "given up" in listed

    # The receiver is mended; support sends it again.
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("crm_deliveries", "--retry", str(delivery.pk), stdout=out)

    assert f"{delivery.pk}: queued again" in out.getvalue()
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert not delivery.gave_up
    assert delivery.retried_at is not None
    assert len(server.posts()) == 2
    assert Event.objects.filter(action="crm_delivery.retried").exists()
    out = StringIO()
    call_command("crm_deliveries", stdout=out)
    assert out.getvalue().strip() == "No failed CRM pushes."


def test_a_push_sent_again_by_support_gets_its_tries_afresh(server, council):
    old = _stranded(council, created_ago=timedelta(days=5), attempts=MAX_ATTEMPTS, gave_up=True)

    crm.crm_delivery_retry(delivery=old, by=None)

    # Long after it was made, but just sent again: the sweep must not give it up.
    assert crm_deliveries_give_up() == 0
    old.refresh_from_db()
    assert old.attempts == 0
    assert not old.gave_up


def test_support_is_told_of_an_unknown_delivery(council):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No CRM delivery 999"):
        call_command("crm_deliveries", "--retry", "999", stdout=StringIO())


def test_old_payloads_are_emptied_once_finished(server, council):
    delivered = _stranded(council, created_ago=timedelta(days=91), delivered_at=now())
    given_up = _stranded(council, created_ago=timedelta(days=91), gave_up=True)
    recent = _stranded(council, created_ago=timedelta(days=10), delivered_at=now())

    assert crm.crm_deliveries_purge() == 2

    for row, emptied in ((delivered, True), (given_up, True), (recent, False)):
        row.refresh_from_db()
        assert (row.payload == {}) is emptied
