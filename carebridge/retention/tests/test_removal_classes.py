"""What the nightly run removes of each class besides requests and feedback: hub bookings'
personal details, CRM pushes' payloads, e-mails (a resident's tied to the council by the request
or booking it is about), and closed actions' titles, threads and files."""

from __future__ import annotations

from datetime import date

import pytest

from carebridge.actions.choices import PostKind
from carebridge.actions.models import Action, Attachment, Post
from carebridge.actions.services import action_post
from carebridge.actions.tests.conftest import build_world as actions_world
from carebridge.actions.tests.conftest import pdf
from carebridge.frontdoor.models import Booking, FrontDoorSettings
from carebridge.frontdoor.tests.hubs.test_hubs_support import (
    first_slot,
    freeze,
    hold,
    make_hub,
    publish,
)
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from carebridge.integrations.models import CrmDelivery
from carebridge.notifications.models import Notification
from carebridge.notifications.services import KEEP_FOR
from carebridge.retention import services
from carebridge.retention.choices import SCHEDULE, RecordClass
from carebridge.retention.models import RetentionCount
from carebridge.retention.removal import mail_owner
from carebridge.retention.tests.support import months_on, sent
from tests.support import make_user

pytestmark = pytest.mark.django_db
# A Tuesday the hub tests' clock (Monday 19 October 2026) publishes times for.
APPOINTMENT_DAY = date(2026, 10, 20)


@pytest.fixture
def clock(monkeypatch):
    return freeze(monkeypatch)


def _removed(run, record_class) -> int:
    return RetentionCount.objects.get(run=run, record_class=record_class).removed


def test_it_anonymises_a_booking_a_year_after_its_appointment_and_keeps_the_slot(clock):
    council = open_council()
    officer = make_user(council=council, role="front_door_officer")
    hub = make_hub(council, officer)
    publish(hub, officer, APPOINTMENT_DAY)
    booking = hold(first_slot(hub), about="Her memory is getting worse")
    services.council_retention_run(council, moment=months_on(11))
    booking.refresh_from_db()
    assert booking.name == "Marjorie Pennington"
    run = services.council_retention_run(council, moment=months_on(13))
    booking = Booking.objects.get(pk=booking.pk)
    assert (booking.name, booking.email, booking.about) == ("Removed", "removed@invalid", "")
    assert booking.slot.hub_id == hub.pk and booking.status
    assert _removed(run, RecordClass.BOOKINGS) == 1


def test_it_deletes_a_delivered_crm_push_and_keeps_a_waiting_one_and_a_held_persons():
    council = open_council()
    FrontDoorSettings.objects.filter(council=council).update(
        crm_webhook_url="https://crm.example.org/hook", crm_webhook_secret="s" * 32
    )
    delivered, waiting, held = (submit(council, likely_answers()) for _ in range(3))
    pushes = {r.pk: CrmDelivery.objects.get(request=r) for r in (delivered, waiting, held)}
    CrmDelivery.objects.filter(pk__in=[pushes[delivered.pk].pk, pushes[held.pk].pk]).update(
        delivered_at=pushes[delivered.pk].created_at
    )
    admin = make_user(council=council)
    services.legal_hold_place(by=admin, request=held, reason="Ombudsman complaint")
    run = services.council_retention_run(council, moment=months_on(4))
    assert set(CrmDelivery.objects.values_list("request_id", flat=True)) == {waiting.pk, held.pk}
    assert _removed(run, RecordClass.OUTBOX) >= 1


def test_it_deletes_a_residents_sent_emails_about_its_own_requests_and_bookings_only(clock):
    council, other = open_council(), open_council()
    ours, theirs = submit(council, likely_answers()), submit(other, likely_answers())
    officer = make_user(council=council, role="front_door_officer")
    hub = make_hub(council, officer)
    publish(hub, officer, APPOINTMENT_DAY)
    booking = hold(first_slot(hub))
    mails = Notification.objects.filter(user__isnull=True)
    about_ours = list(mails.filter(key__startswith=f"front-door-{ours.pk}-"))
    about_booking = list(mails.filter(key__startswith=f"frontdoor-booking:{booking.pk}:"))
    about_theirs = list(mails.filter(key__startswith=f"front-door-{theirs.pk}-"))
    assert about_ours and about_booking and about_theirs
    unsent = Notification.objects.create(
        to_email="resident@example.org",
        kind=about_ours[0].kind,
        key=f"front-door-{ours.pk}-update-9",
        subject="S",
        body="B",
        created_at=about_ours[0].created_at,
    )
    sent(*about_ours, *about_booking, *about_theirs)
    services.council_retention_run(council, moment=months_on(4))
    left = set(Notification.objects.filter(user__isnull=True).values_list("pk", flat=True))
    assert not left & {n.pk for n in [*about_ours, *about_booking]}
    assert {n.pk for n in about_theirs} <= left
    assert unsent.pk in left


def test_it_reads_the_council_from_each_kind_of_address_only_emails_key():
    assert mail_owner("front-door-41-received") == ("request", 41)
    assert mail_owner("front-door-urgent:41:7") == ("request", 41)
    assert mail_owner("front-door-summary:3:7:2026-12-01") == ("council", 3)
    assert mail_owner("frontdoor-booking:12:held") == ("booking", 12)
    assert mail_owner("frontdoor-list:9f86d081884c7d65") is None
    assert mail_owner("front-door-x-received") is None


def test_the_schedule_says_how_long_every_email_stays_in_the_outbox():
    assert f"{KEEP_FOR.days} days" in SCHEDULE[RecordClass.OUTBOX][2]


def test_a_closed_action_loses_its_title_thread_and_files_and_keeps_its_type_and_dates():
    world = actions_world()
    action = world.raise_action(title="Missed visit: Phoebe Buffay", files=[pdf()])
    action_post(by=world.payments_officer, action=action, kind=PostKind.CLOSED, text="")
    still_open = world.raise_action(title="Phoebe Buffay's hoist")
    assert Attachment.objects.filter(post__action=action).exists()
    services.council_retention_run(world.council, moment=months_on(71))
    assert Action.objects.get(pk=action.pk).title == "Missed visit: Phoebe Buffay"
    run = services.council_retention_run(world.council, moment=months_on(73))
    action = Action.objects.get(pk=action.pk)
    assert action.title == f"Closed action {action.pk}"
    assert action.action_type_id == world.catalogue.payment_query.pk and action.closed_at
    assert set(Post.objects.filter(action=action).values_list("text", flat=True)) == {""}
    assert not Attachment.objects.filter(post__action=action).exists()
    assert Action.objects.get(pk=still_open.pk).title == "Phoebe Buffay's hoist"
    assert _removed(run, RecordClass.ACTIONS) == 1
    # Run again the same night, it finds nothing more: the night's count stays at one.
    again = services.council_retention_run(world.council, moment=months_on(74))
    assert _removed(again, RecordClass.ACTIONS) == 1


def test_a_closed_action_about_a_held_persons_cpli_is_kept():
    world = actions_world()
    action = world.raise_action(
        title="Phoebe Buffay's CPLI", related_kind="cpli", related_id=world.cpli.pk
    )
    action_post(by=world.payments_officer, action=action, kind=PostKind.CLOSED, text="")
    admin = make_user(council=world.council)
    services.legal_hold_place(by=admin, service_user=world.person, reason="Court of Protection")
    services.council_retention_run(world.council, moment=months_on(73))
    assert Action.objects.get(pk=action.pk).title == "Phoebe Buffay's CPLI"
