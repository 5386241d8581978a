"""Changing the second step of the log-in (passcode, authenticator app) from the account pages:
the current password first, counted towards the lock; an e-mail to the user; an audit event."""

import base64

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from carebridge.accounts import services
from carebridge.accounts.views.common import AUTHENTICATOR_KEY
from carebridge.audit.models import Event
from carebridge.notifications.models import Notification
from carebridge.organisations import services as org
from tests.support import PASSCODE, PASSWORD, make_council, make_user

pytestmark = pytest.mark.django_db

PASSCODE_PAGE = reverse("accounts:passcode_change")
ENROL_PAGE = reverse("accounts:authenticator_enrol")
REMOVE_PAGE = reverse("accounts:authenticator_remove")
NEW_PASSCODE = "246813"
WRONG_PASSWORD = "Not-The-One-11"


@pytest.fixture
def user():
    return make_user(council=make_council(login_failures_before_lock=3))


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def _new_passcode(current_password: str) -> dict[str, str]:
    return {
        "current_password": current_password,
        "new_passcode": NEW_PASSCODE,
        "confirm_passcode": NEW_PASSCODE,
    }


def _code(client) -> str:
    """The current code of the app whose secret the set-up page showed (kept in the session)."""
    return str(totp(bytes.fromhex(client.session[AUTHENTICATOR_KEY]["key"]))).zfill(6)


def _with_authenticator(client, user) -> None:
    client.get(ENROL_PAGE)
    response = client.post(ENROL_PAGE, {"current_password": PASSWORD, "code": _code(client)})
    assert response["Location"] == reverse("accounts:account")
    mail.outbox.clear()


def test_the_passcode_page_asks_for_the_current_password(logged_in, user):
    page = logged_in.get(PASSCODE_PAGE).content.decode()
    assert 'name="current_password"' in page
    assert 'autocomplete="current-password"' in page

    page = logged_in.post(
        PASSCODE_PAGE, {"new_passcode": NEW_PASSCODE, "confirm_passcode": NEW_PASSCODE}
    ).content.decode()
    assert "Enter your current password" in page
    user.refresh_from_db()
    assert user.check_passcode(PASSCODE)


def test_it_refuses_a_new_passcode_with_a_wrong_current_password_and_counts_the_try(
    logged_in, user
):
    page = logged_in.post(PASSCODE_PAGE, _new_passcode(WRONG_PASSWORD)).content.decode()
    assert "Your current password is not right" in page
    user.refresh_from_db()
    assert user.check_passcode(PASSCODE)
    assert user.failed_attempts == 1
    failed = Event.objects.get(action="login.failed")
    assert failed.detail["step"] == "current password"
    assert Event.objects.filter(action="passcode.changed").count() == 1, "only the first one"


def test_wrong_current_passwords_lock_the_account_and_end_the_session(logged_in, user):
    for _ in range(2):
        logged_in.post(PASSCODE_PAGE, _new_passcode(WRONG_PASSWORD))
    response = logged_in.post(PASSCODE_PAGE, _new_passcode(WRONG_PASSWORD))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in logged_in.session
    user.refresh_from_db()
    assert user.is_locked
    assert user.check_passcode(PASSCODE)


def test_a_locked_account_cannot_change_its_passcode_even_with_the_right_password(logged_in, user):
    for n in range(3):
        services.login_check_password(email=user.email, password=f"Wrong-Guess-{n}")
    response = logged_in.post(PASSCODE_PAGE, _new_passcode(PASSWORD))
    assert response["Location"].startswith(reverse("accounts:login"))
    user.refresh_from_db()
    assert user.check_passcode(PASSCODE)


def test_the_right_current_password_changes_the_passcode_emails_and_audits_it(
    logged_in, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(PASSCODE_PAGE, _new_passcode(PASSWORD))

    assert response["Location"] == reverse("accounts:account")
    user.refresh_from_db()
    assert user.check_passcode(NEW_PASSCODE)
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "The way you log in to Carebridge has changed"
    assert "Your 6-digit passcode was changed" in message.body
    assert "/accounts/reset/" in message.body
    assert Notification.objects.get().user == user, "sent through the e-mail outbox"
    actions = list(
        Event.objects.filter(object_id=str(user.pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions[-2:] == ["password.confirmed", "passcode.changed"]


def test_the_email_goes_even_to_a_user_who_chose_no_password_emails(
    logged_in, user, django_capture_on_commit_callbacks
):
    from carebridge.notifications.services import subscription_update

    subscription_update(user=user, by=user, choices={"password_immediate": False})
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(PASSCODE_PAGE, _new_passcode(PASSWORD))
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_a_passcode_reset_by_link_emails_the_user_too(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.passcode_change(user=user, new_passcode=NEW_PASSCODE, by=user)
    assert [m.subject for m in mail.outbox] == ["The way you log in to Carebridge has changed"]


def test_the_first_passcode_chosen_at_set_up_sends_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_user(council=make_council())
    assert mail.outbox == []


def test_setting_up_an_authenticator_asks_for_the_current_password(logged_in, user):
    logged_in.get(ENROL_PAGE)
    page = logged_in.post(ENROL_PAGE, {"code": _code(logged_in)}).content.decode()
    assert "Enter your current password" in page
    assert services.authenticator_device(user) is None

    page = logged_in.post(
        ENROL_PAGE, {"code": _code(logged_in), "current_password": WRONG_PASSWORD}
    ).content.decode()
    assert "Your current password is not right" in page
    assert services.authenticator_device(user) is None
    user.refresh_from_db()
    assert user.failed_attempts == 1


def test_an_authenticator_set_up_with_the_current_password_is_emailed_and_audited(
    logged_in, user, django_capture_on_commit_callbacks
):
    logged_in.get(ENROL_PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(
            ENROL_PAGE, {"code": _code(logged_in), "current_password": PASSWORD}
        )
    assert response["Location"] == reverse("accounts:account")
    assert services.authenticator_device(user) is not None
    [message] = mail.outbox
    assert "An authenticator app was set up" in message.body
    assert Event.objects.filter(action="authenticator.enrolled", object_id=str(user.pk)).exists()


def test_removing_the_authenticator_asks_for_the_current_password(
    logged_in, user, django_capture_on_commit_callbacks
):
    _with_authenticator(logged_in, user)
    page = logged_in.get(REMOVE_PAGE).content.decode()
    assert 'name="current_password"' in page

    logged_in.post(REMOVE_PAGE, {})
    page = logged_in.post(REMOVE_PAGE, {"current_password": WRONG_PASSWORD}).content.decode()
    assert "Your current password is not right" in page
    assert services.authenticator_device(user) is not None

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(REMOVE_PAGE, {"current_password": PASSWORD})
    assert response["Location"] == reverse("accounts:account")
    assert services.authenticator_device(user) is None
    [message] = mail.outbox
    assert "Your authenticator app was removed" in message.body
    assert Event.objects.filter(action="authenticator.removed", object_id=str(user.pk)).exists()


def test_the_app_cannot_be_removed_by_a_user_with_no_passcode_to_fall_back_on(logged_in, user):
    _with_authenticator(logged_in, user)
    type(user).objects.filter(pk=user.pk).update(passcode="")
    page = logged_in.get(REMOVE_PAGE).content.decode()
    assert 'name="current_password"' not in page
    logged_in.post(REMOVE_PAGE, {"current_password": PASSWORD})
    assert services.authenticator_device(user) is not None


def test_a_locked_account_is_refused_the_right_current_password_unchecked(user):
    for n in range(3):
        services.login_check_password(email=user.email, password=f"Wrong-Guess-{n}")
    assert services.password_confirm(user=user, password=PASSWORD) is services.Outcome.LOCKED
    assert not Event.objects.filter(action="password.confirmed").exists()


def test_a_passcode_holder_whose_council_comes_to_require_an_app_gives_the_passcode_first(
    client, django_capture_on_commit_callbacks
):
    """The first log-in's set-up asks nothing more than the password only for an account with
    no second step yet; an account that has a passcode proves it before setting up an app."""
    council = make_council()
    user = make_user(council=council)
    org.rulebook_update(council=council, by=None, staff_require_authenticator=True)
    second_step = reverse("accounts:login_second_step")
    set_up_app = reverse("accounts:login_authenticator")

    response = client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    assert response["Location"] == second_step
    assert client.get(set_up_app)["Location"] == second_step
    page = client.get(second_step).content.decode()
    assert 'name="passcode"' in page

    response = client.post(second_step, {"passcode": PASSCODE})
    assert response["Location"] == set_up_app
    client.get(set_up_app)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(set_up_app, {"code": _code(client)})
    assert response["Location"] == reverse("home:home")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert [m.to for m in mail.outbox] == [[user.email]], "the app replaced the passcode"


def test_a_passcode_holder_whose_council_requires_an_app_cannot_skip_the_passcode(client):
    council = make_council()
    user = make_user(council=council)
    org.rulebook_update(council=council, by=None, staff_require_authenticator=True)
    client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    set_up_app = reverse("accounts:login_authenticator")
    device = services.authenticator_start(user=user)

    client.post(set_up_app, {"code": str(totp(device.bin_key)).zfill(6)})

    assert services.authenticator_device(user) is None
    assert "_auth_user_id" not in client.session


def test_an_administrator_removes_a_lost_authenticator_app_and_the_person_is_told(
    client, user, django_capture_on_commit_callbacks
):
    client.force_login(user)
    _with_authenticator(client, user)
    admin = make_user(council=user.council, role="council_administrator")
    client.force_login(admin)
    detail = reverse("accounts:user_detail", kwargs={"pk": user.pk})
    assert "Remove their authenticator app" in client.get(detail).content.decode()
    action = reverse("accounts:user_action", kwargs={"pk": user.pk, "action": "authenticator"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action, follow=True)
    assert "authenticator app is removed" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert services.second_step_for(user) == services.SecondStep.PASSCODE
    assert Event.objects.filter(action="authenticator.reset", actor=admin).count() == 1
    assert Notification.objects.filter(user=user).exists()
    # Nothing left to remove: a second press changes nothing and says nothing.
    assert "authenticator app is removed" not in client.post(action, follow=True).content.decode()


def test_only_an_administrator_of_the_persons_council_removes_their_authenticator_app(client, user):
    client.force_login(user)
    _with_authenticator(client, user)
    action = reverse("accounts:user_action", kwargs={"pk": user.pk, "action": "authenticator"})
    for stranger in (
        make_user(council=make_council(), role="council_administrator"),
        make_user(council=user.council, role="broker"),
    ):
        client.force_login(stranger)
        assert client.post(action).status_code in (403, 404)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_showing_the_app_set_up_page_saves_no_device_and_shows_the_same_secret_again(
    logged_in, user
):
    first = logged_in.get(ENROL_PAGE).content.decode()
    again = logged_in.get(ENROL_PAGE).content.decode()
    key = logged_in.session[AUTHENTICATOR_KEY]["key"]
    shown = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
    grouped = " ".join(shown[i : i + 4] for i in range(0, len(shown), 4))
    assert grouped in first
    assert grouped in again
    assert not TOTPDevice.objects.filter(user=user).exists()

    logged_in.post(ENROL_PAGE, {"code": "000000", "current_password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=user).exists(), "a wrong code saves nothing"

    logged_in.post(ENROL_PAGE, {"code": _code(logged_in), "current_password": PASSWORD})
    [device] = TOTPDevice.objects.filter(user=user)
    assert device.confirmed
    assert device.key == key
    assert AUTHENTICATOR_KEY not in logged_in.session
