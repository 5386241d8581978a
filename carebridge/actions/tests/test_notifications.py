"""E-mail notifications: who hears of a post on an action, the password change e-mail, the daily
summary, the outbox's once-only sending, the GOV.UK Notify backend and the preferences page."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

from carebridge.accounts import services as accounts
from carebridge.actions import emails
from carebridge.actions.choices import PostKind, RelatedKind
from carebridge.actions.services import NewAction, action_create, action_post, action_type_create
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis, Unit
from carebridge.core.calendar import LONDON, now, to_london
from carebridge.notifications import digest, tasks
from carebridge.notifications import services as notifications
from carebridge.notifications.models import Notification, NotificationKind, Subscription
from carebridge.notifications.tests.test_notify import API_KEY, TEMPLATE_ID, fake_notify
from carebridge.organisations import services as org
from carebridge.organisations.choices import TeamKind
from carebridge.people import services as people
from tests.support import make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db


def _today() -> date:
    return to_london(now()).date()


@pytest.fixture
def world():
    council = make_council()
    provider = make_provider()
    other_provider = make_provider()
    make_contract(council, provider)
    make_contract(council, other_provider)
    brokerage = org.team_create(council=council, name="Brokerage", kind=TeamKind.BROKERAGE)
    payments = org.team_create(council=council, name="Payments", kind=TeamKind.PAYMENTS)
    safeguarding = org.team_create(council=council, name="Safeguarding", kind=TeamKind.SAFEGUARDING)

    def member(team, role="broker"):
        user = make_user(council=council, role=role)
        org.team_member_set(user=user, team=team)
        return user

    return {
        "council": council,
        "provider": provider,
        "manager": make_user(provider=provider, role="super_user_scheduled"),
        "colleague": make_user(provider=provider, role="super_user_scheduled"),
        # Invoices only: cannot read actions, so never hears of them.
        "invoicer": make_user(provider=provider, role="invoice_only"),
        "stranger": make_user(provider=other_provider, role="super_user_scheduled"),
        "broker": member(brokerage),
        "broker_2": member(brokerage),
        "payments_officer": member(payments, "payments_officer"),
        "safeguarder": member(safeguarding),
        "missed_visit": action_type_create(
            council=council, name="Missed visit", default_team=brokerage
        ),
        "concern": action_type_create(
            council=council, name="Safeguarding concern", is_safeguarding=True
        ),
    }


def raise_action(world, *, by=None, action_type=None, title="Missed visit on Monday"):
    by = by or world["manager"]
    return action_create(
        by=by,
        new=NewAction(
            council=world["council"],
            provider=world["provider"],
            action_type=action_type or world["missed_visit"],
            related_kind=RelatedKind.PROVIDER,
            related_id=None,
            due_date=_today() + timedelta(days=7),
            team=None,
            title=title,
            text="The evening visit did not happen.",
        ),
    )


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_it_tells_the_team_when_a_provider_raises_an_action(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = raise_action(world, title="Mrs Example missed her visit")

    assert recipients() == sorted([world["broker"].email, world["broker_2"].email])
    message = mail.outbox[0]
    assert message.subject == f"Action {action.pk} (Missed visit) is waiting for you"
    assert "Example" not in message.subject
    assert "Mrs Example missed her visit" in message.body
    assert "Type: Missed visit" in message.body
    assert f"Due: {action.due_date:%-d %B %Y}" in message.body
    assert world["manager"].full_name in message.body
    assert f"/actions/{action.pk}/" in message.body
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


def test_it_tells_the_providers_users_but_not_the_author_when_the_council_replies(
    world, django_capture_on_commit_callbacks
):
    action = raise_action(world)
    Subscription.objects.create(user=world["colleague"], actions_immediate=True)

    with django_capture_on_commit_callbacks(execute=True):
        action_post(by=world["broker"], action=action, kind=PostKind.REPLY, text="Checked.")

    assert recipients() == sorted([world["manager"].email, world["colleague"].email])
    assert world["broker"].full_name in mail.outbox[0].body


def test_it_does_not_tell_a_user_who_unsubscribed(world, django_capture_on_commit_callbacks):
    notifications.subscription_update(
        user=world["broker_2"], by=world["broker_2"], choices={"password_immediate": True}
    )

    with django_capture_on_commit_callbacks(execute=True):
        raise_action(world)

    assert recipients() == [world["broker"].email]


def test_it_tells_the_safeguarding_team_whatever_their_choice(
    world, django_capture_on_commit_callbacks
):
    notifications.subscription_update(
        user=world["safeguarder"], by=world["safeguarder"], choices={}
    )

    with django_capture_on_commit_callbacks(execute=True):
        action = raise_action(world, action_type=world["concern"], title="Bruising seen")

    assert recipients() == [world["safeguarder"].email]
    assert mail.outbox[0].subject == f"Urgent safeguarding concern: action {action.pk}"


def test_it_creates_nothing_more_when_told_twice_of_the_same_post(
    world, django_capture_on_commit_callbacks
):
    action = raise_action(world)
    post = action.posts.get()

    with django_capture_on_commit_callbacks(execute=True):
        first = emails.action_posted(action.pk, post.pk)
        second = emails.action_posted(action.pk, post.pk)

    assert len(first) == 2
    assert second == []
    assert {n.key for n in first} == {
        f"action-post:{post.pk}:{world['broker'].pk}",
        f"action-post:{post.pk}:{world['broker_2'].pk}",
    }
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_it_never_sends_a_notification_twice(world):
    action = raise_action(world)
    notification = emails.action_posted(action.pk, action.posts.get().pk)[0]
    mail.outbox.clear()

    tasks.send_notification.call_local(notification.pk)
    tasks.send_notification.call_local(notification.pk)

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_it_records_the_error_and_releases_the_claim_when_sending_fails(world):
    action = raise_action(world)
    with mock.patch.object(EmailMessage, "send", side_effect=OSError("mail server down")):
        notification = emails.action_posted(action.pk, action.posts.get().pk)[0]
        with pytest.raises(OSError):
            tasks.send_notification.call_local(notification.pk)

    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.claimed_at is None
    assert notification.last_error == "OSError: mail server down"

    tasks.send_notification.call_local(notification.pk)

    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.last_error == ""
    assert len(mail.outbox) == 1


def test_it_leaves_a_fresh_claim_alone_but_takes_a_stale_one(world):
    action = raise_action(world)
    with mock.patch.object(tasks, "send_notification"):
        notification = emails.action_posted(action.pk, action.posts.get().pk)[0]
    Notification.objects.filter(pk=notification.pk).update(claimed_at=now())

    assert tasks.send_notification.call_local(notification.pk) is False
    assert mail.outbox == []

    Notification.objects.filter(pk=notification.pk).update(claimed_at=now() - timedelta(minutes=11))
    assert tasks.send_notification.call_local(notification.pk) is True
    assert len(mail.outbox) == 1


def test_the_sweep_sends_what_was_left_unsent(world):
    action = raise_action(world)
    with mock.patch.object(tasks, "send_notification"):
        created = emails.action_posted(action.pk, action.posts.get().pk)
    Notification.objects.update(created_at=now() - timedelta(minutes=30))

    assert tasks.send_unsent_notifications.call_local() == len(created)
    assert len(mail.outbox) == len(created)
    assert tasks.send_unsent_notifications.call_local() == 0


def test_it_tells_a_user_their_password_was_changed(world, django_capture_on_commit_callbacks):
    user = world["manager"]

    with django_capture_on_commit_callbacks(execute=True):
        accounts.password_change(user=user, new_password="Quiet-Meadow-Lamp-77", by=user)

    assert recipients() == [user.email]
    assert mail.outbox[0].subject == "Your Carebridge password has been changed"
    assert "/accounts/" in mail.outbox[0].body
    assert Notification.objects.get().kind == NotificationKind.PASSWORD_IMMEDIATE


def test_it_does_not_tell_a_user_who_unsubscribed_from_password_emails(
    world, django_capture_on_commit_callbacks
):
    user = world["manager"]
    notifications.subscription_update(user=user, by=user, choices={"actions_immediate": True})

    with django_capture_on_commit_callbacks(execute=True):
        accounts.password_change(user=user, new_password="Quiet-Meadow-Lamp-77", by=user)

    assert mail.outbox == []


def test_it_does_not_tell_of_the_first_password_chosen_at_set_up(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_user(provider=world["provider"])

    assert mail.outbox == []


# The daily summary


def subscribe_daily(user, **choices):
    notifications.subscription_update(user=user, by=user, choices=choices)


def publish_document(world):
    broker = world["broker"]
    service = org.service_create(provider=world["provider"], name="Home care", postcode="M1 1AA")
    person = people.service_user_create(
        council=world["council"],
        by=broker,
        ss_ref="SS200001",
        first_name="Maisy",
        last_name="Goddard",
        date_of_birth=date(1940, 4, 23),
    )
    level = contracts.service_level_create(
        council=world["council"], name="Home Care - Single (Hour)", unit=Unit.HOURS, by=broker
    )
    return contracts.contract_document_publish(
        council=world["council"],
        service=service,
        service_user=person,
        care_package_reference="CP-0042",
        lines=[
            contracts.Line(
                service_level=level,
                quantity=Decimal("3.5"),
                rate=Decimal("16.16"),
                pricing_basis=PricingBasis.SPOT,
                start_date=_today(),
            )
        ],
        by=broker,
    )


def today_window():
    return digest.london_day(_today())


def test_the_summary_lists_actions_answered_by_the_council(world):
    subscribe_daily(world["manager"], daily_actions=True)
    action = raise_action(world, title="Missed visit on Monday")
    action_post(by=world["broker"], action=action, kind=PostKind.REPLY, text="Checked.")

    body = digest.digest_for(world["manager"], *today_window())

    assert body is not None
    assert f"Action {action.pk}: Missed visit on Monday (Missed visit)" in body
    assert f"/actions/{action.pk}/" in body


def test_the_summary_lists_actions_waiting_for_the_team(world):
    subscribe_daily(world["broker"], daily_actions=True)
    subscribe_daily(world["payments_officer"], daily_actions=True)
    action = raise_action(world)

    assert f"Action {action.pk}:" in (digest.digest_for(world["broker"], *today_window()))
    assert digest.digest_for(world["payments_officer"], *today_window()) is None


def test_the_summary_shows_nothing_of_another_provider(world):
    subscribe_daily(world["stranger"], daily_actions=True, daily_cplis=True,
                    daily_contract_documents=True)  # fmt: skip
    raise_action(world)
    publish_document(world)

    assert digest.digest_for(world["stranger"], *today_window()) is None


def test_the_summary_hides_safeguarding_concerns_from_other_teams(world):
    subscribe_daily(world["broker"], daily_actions=True)
    raise_action(world, action_type=world["concern"])

    assert digest.digest_for(world["broker"], *today_window()) is None


def test_the_summary_lists_new_cplis_and_contract_documents(world):
    subscribe_daily(world["manager"], daily_cplis=True, daily_contract_documents=True)
    document = publish_document(world)

    body = digest.digest_for(world["manager"], *today_window())

    assert body is not None
    assert "Care package line items" in body
    assert "care package CP-0042" in body
    assert f"Contract documents\n- {document.get_kind_display()} {document.reference}" in body
    assert "Goddard" not in body


def test_the_summary_lists_only_the_sections_subscribed_to(world):
    subscribe_daily(world["manager"], daily_contract_documents=True)
    publish_document(world)
    raise_action(world, by=world["broker"])

    body = digest.digest_for(world["manager"], *today_window())

    assert body is not None
    assert "Contract documents" in body
    assert "Care package line items" not in body
    assert "Actions" not in body


def test_the_summary_ignores_what_happened_on_other_days(world):
    subscribe_daily(world["manager"], daily_actions=True, daily_contract_documents=True)
    raise_action(world, by=world["broker"])
    publish_document(world)

    assert digest.digest_for(world["manager"], *digest.london_day(
        _today() - timedelta(days=1))) is None  # fmt: skip


def test_it_sends_one_summary_a_day_however_often_it_runs(
    world, django_capture_on_commit_callbacks
):
    subscribe_daily(world["manager"], daily_actions=True)
    subscribe_daily(world["colleague"], daily_cplis=True)  # nothing to say: no e-mail
    raise_action(world, by=world["broker"])
    mail.outbox.clear()
    day = _today()

    with django_capture_on_commit_callbacks(execute=True):
        first = digest.send_daily_digests(day)
        second = digest.send_daily_digests(day)

    assert [n.key for n in first] == [f"digest:{world['manager'].pk}:{day.isoformat()}"]
    assert second == []
    assert recipients() == [world["manager"].email]
    assert mail.outbox[0].subject == f"Your Carebridge summary for {day:%-d %B %Y}"


def test_the_morning_task_summarises_the_day_before(world, django_capture_on_commit_callbacks):
    subscribe_daily(world["manager"], daily_actions=True)
    raise_action(world, by=world["broker"])
    mail.outbox.clear()
    tomorrow_morning = datetime.combine(
        _today() + timedelta(days=1), datetime.min.time().replace(hour=6, minute=30)
    ).replace(tzinfo=LONDON)

    with (
        mock.patch("django.utils.timezone.now", return_value=tomorrow_morning),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.daily_digests.call_local() == 1
        assert tasks.daily_digests.call_local() == 0

    assert recipients() == [world["manager"].email]


# GOV.UK Notify


@pytest.fixture
def notify_server():
    with fake_notify() as server_and_received:
        yield server_and_received


def test_the_task_sends_through_notify_when_configured(
    world, notify_server, settings, django_capture_on_commit_callbacks
):
    server, received = notify_server
    settings.EMAIL_BACKEND = "carebridge.notifications.notify.NotifyEmailBackend"
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"

    with django_capture_on_commit_callbacks(execute=True):
        raise_action(world)

    assert sorted(r["json"]["email_address"] for r in received) == sorted(
        [world["broker"].email, world["broker_2"].email]
    )
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


# The preferences page


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_defaults_to_a_user_who_never_chose(world):
    response = logged_in(world["manager"]).get(reverse("actions:subscriptions"))

    assert response.status_code == 200
    page = response.content.decode()
    for label in (
        "Actions",
        "Care package line items",
        "Contract documents",
        "Actions (immediate)",
        "Password change (immediate)",
    ):
        assert f">{label}</label>" in page
    assert 'name="actions_immediate" type="checkbox" value="on" checked' in page
    assert 'name="daily_actions" type="checkbox" value="on">' in page


@pytest.mark.parametrize("persona", ["manager", "broker"])
def test_it_saves_the_choices_and_says_so(world, persona):
    user = world[persona]
    client = logged_in(user)

    response = client.post(
        reverse("actions:subscriptions"),
        {"daily_actions": "on", "daily_cplis": "on", "password_immediate": "on"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Your e-mail notifications have been saved." in response.content.decode()
    subscription = Subscription.objects.get(user=user)
    assert subscription.daily_actions and subscription.daily_cplis
    assert subscription.password_immediate
    assert not subscription.actions_immediate
    assert not subscription.daily_contract_documents


def test_it_sends_an_anonymous_visitor_to_log_in():
    response = Client().get(reverse("actions:subscriptions"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
