"""What the audit log may show its reader: a safeguarding concern's events (its title, its
thread, its files) are the safeguarding team's alone, like the concern itself; the rest of the
council's log is everyone's with the audit function."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.actions import services as actions
from carebridge.actions.choices import PostKind
from carebridge.actions.models import Attachment
from carebridge.actions.tests.conftest import build_world, pdf
from carebridge.audit.models import Event
from carebridge.audit.selectors import events_visible_to
from carebridge.core.calendar import now
from carebridge.notifications import services as notifications
from carebridge.notifications.models import Notification, NotificationKind
from carebridge.organisations import services as org
from tests.support import make_user

pytestmark = pytest.mark.django_db

TITLE = "Unexplained bruising on both arms"


def raise_concern(world):
    """A safeguarding concern, with a file, answered, replied to, read, downloaded and closed."""
    concern = world.raise_action(
        action_type=world.catalogue.safeguarding_concern,
        title=TITLE,
        text="Seen at the morning visit.",
        files=[pdf("body-map.pdf")],
    )
    actions.action_post(
        by=world.safeguarding_officer, action=concern, kind=PostKind.REPLY, text="Visiting today."
    )
    actions.action_post(by=world.carer, action=concern, kind=PostKind.COMMENT, text="Thank you.")
    actions.action_viewed(by=world.safeguarding_officer, action=concern)
    actions.attachment_downloaded(
        by=world.safeguarding_officer, attachment=Attachment.objects.get(post__action=concern)
    )
    actions.action_post(
        by=world.safeguarding_officer, action=concern, kind=PostKind.CLOSED, text="Resolved."
    )
    return concern


def audit_page(user, action: str = "action.") -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("audit:event_list"), {"action": action})
    assert response.status_code == 200
    return response.content.decode()


def test_it_keeps_every_event_of_a_safeguarding_concern_out_of_the_councils_log():
    world = build_world()
    concern = raise_concern(world)
    admin = make_user(council=world.council, role="council_administrator")

    shown = events_visible_to(admin).filter(object_type="actions.action", object_id=concern.pk)
    assert not shown.exists()
    assert TITLE not in audit_page(admin)
    # Every kind of event about the concern was written, for the team.
    kept = Event.objects.filter(object_type="actions.action", object_id=str(concern.pk))
    assert set(kept.values_list("action", flat=True)) == {
        "action.created",
        "action.reply",
        "action.comment",
        "action.viewed",
        "action.attachment_downloaded",
        "action.closed",
    }


def test_it_shows_a_safeguarding_concerns_events_to_the_safeguarding_teams_auditor():
    world = build_world()
    raise_concern(world)
    auditor = make_user(council=world.council, role="council_administrator")
    org.team_member_set(user=auditor, team=world.catalogue.safeguarding)

    assert TITLE in audit_page(auditor)


def test_it_still_shows_other_actions_to_the_councils_auditor():
    world = build_world()
    world.raise_action(title="Invoice 4471 not paid")
    admin = make_user(council=world.council, role="council_administrator")

    assert "Invoice 4471 not paid" in audit_page(admin)


def test_it_keeps_an_e_mails_subject_out_of_the_event_of_its_retry():
    world = build_world()
    admin = make_user(council=world.council, role="council_administrator")
    failed = Notification.objects.create(
        user=world.safeguarding_officer,
        kind=NotificationKind.ACTIONS_IMMEDIATE,
        key="safeguarding-7",
        subject="Urgent safeguarding concern: action 7",
        body="Log in to read it.",
        created_at=now() - timedelta(minutes=5),
        attempts=notifications.MAX_ATTEMPTS,
        last_error="OSError: mail server down",
    )

    assert notifications.notification_retry(notification=failed, by=admin) is True
    event = Event.objects.get(action="notification.retried")
    assert "safeguarding" not in str(event.after).lower()
    assert "safeguarding" not in audit_page(admin, "notification.").lower()
