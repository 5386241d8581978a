import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.accounts.tests.support import new_broker
from carebridge.audit.models import Event
from carebridge.core.logs import LINK_OPENED
from tests.support import PASSCODE, PASSWORD, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SECOND = reverse("accounts:login_second_step")


@pytest.fixture
def user():
    provider = make_provider()
    make_contract(make_council(), provider)
    return make_user(provider=provider, role="read_only")


def log_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"email": email, "password": password})


def test_it_logs_in_through_both_steps(client, user):
    response = log_in(client, user.email)
    assert response["Location"] == SECOND
    assert "_auth_user_id" not in client.session, "not logged in after the password alone"
    response = client.post(SECOND, {"passcode": PASSCODE})
    assert response["Location"] == reverse("home:home")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/").status_code == 200


def test_the_second_step_asks_for_the_whole_passcode_in_one_field(client, user):
    log_in(client, user.email)
    page = client.get(SECOND).content.decode()
    assert len(re.findall(r"<input[^>]+type=\"password\"", page)) == 1
    assert 'name="passcode"' in page
    assert 'autocomplete="off"' not in page


def test_the_second_step_cannot_be_reached_without_the_password(client, user):
    response = client.get(SECOND)
    assert response["Location"] == LOGIN


def test_a_wrong_password_shows_an_error_summary(client, user):
    response = log_in(client, user.email, "Wrong-Guess-99")
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "The e-mail address or password is not right" in page
    assert page.count("<title>Error: ") == 1


def test_an_unknown_email_gets_exactly_the_same_page(client, user):
    known = log_in(Client(), user.email, "Wrong-Guess-99").content.decode()
    unknown = log_in(Client(), "nobody@example.org", "Wrong-Guess-99").content.decode()

    def strip_tokens(page):
        return re.sub(r'(value|nonce)="[^"]+"', "", page)

    assert strip_tokens(known).replace(user.email, "X") == strip_tokens(unknown).replace(
        "nobody@example.org", "X"
    )


def test_empty_fields_get_a_message_against_each_field(client):
    page = client.post(LOGIN, {"email": "", "password": ""}).content.decode()
    assert "Enter your e-mail address" in page
    assert "Enter your password" in page
    assert 'href="#id_email"' in page


def test_a_wrong_passcode_says_how_many_tries_are_left(client, user):
    log_in(client, user.email)
    page = client.post(SECOND, {"passcode": "000001"}).content.decode()
    assert "The passcode is not right. You have 2 more tries" in page


def test_the_third_wrong_passcode_locks_and_ends_the_attempt(client, user):
    log_in(client, user.email)
    client.post(SECOND, {"passcode": "000001"})
    client.post(SECOND, {"passcode": "000002"})
    response = client.post(SECOND, {"passcode": "000003"})
    assert response["Location"] == LOGIN
    user.refresh_from_db()
    assert user.is_locked
    page = log_in(Client(), user.email).content.decode()
    assert "This account is locked" in page


def test_a_new_user_changes_password_then_chooses_a_passcode(client):
    user, initial = new_broker(
        make_council(), email="first@example.org", first_name="Jo", last_name="First"
    )
    assert log_in(client, user.email, initial)["Location"] == reverse("accounts:login_new_password")
    # Skipping ahead is not possible.
    assert client.get(reverse("home:home"))["Location"].startswith(LOGIN)
    response = client.post(
        reverse("accounts:login_new_password"),
        {"new_password": "Kestrel-Lantern-71", "confirm_password": "Kestrel-Lantern-71"},
    )
    assert response["Location"] == reverse("accounts:login_new_passcode")
    response = client.post(
        reverse("accounts:login_new_passcode"),
        {"new_passcode": "123456", "confirm_passcode": "123456"},
    )
    assert "more than 3 digits in a row going up" in response.content.decode()
    response = client.post(
        reverse("accounts:login_new_passcode"),
        {"new_passcode": "246802", "confirm_passcode": "246802"},
    )
    assert response["Location"] == reverse("home:home")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_mismatched_new_passwords_are_refused(client):
    user, initial = new_broker(
        make_council(), email="first@example.org", first_name="Jo", last_name="First"
    )
    log_in(client, user.email, initial)
    page = client.post(
        reverse("accounts:login_new_password"),
        {"new_password": "Kestrel-Lantern-71", "confirm_password": "Kestrel-Lantern-72"},
    ).content.decode()
    assert "The passwords do not match" in page


def test_an_expired_password_must_be_changed_at_log_in(client):
    from datetime import timedelta

    from carebridge.core.calendar import now

    user = make_user(council=make_council(password_expiry_days=365))
    User.objects.filter(pk=user.pk).update(password_changed_at=now() - timedelta(days=400))
    log_in(client, user.email)
    response = client.post(SECOND, {"passcode": PASSCODE})
    assert response["Location"] == reverse("accounts:login_new_password")
    assert "Your password has expired" in client.get(response["Location"]).content.decode()


def test_a_forged_csrf_token_is_refused_clearly(user):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    response = client.post(
        LOGIN, {"email": user.email, "password": PASSWORD, "csrfmiddlewaretoken": "forged"}
    )
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


def test_a_missing_csrf_token_is_refused(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert not Event.objects.filter(action="login.failed").exists()


def test_the_reset_page_answers_the_same_for_unknown_addresses(
    client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:reset"), {"email": user.email, "purpose": "password"})
        unknown = client.post(
            reverse("accounts:reset"), {"email": "nobody@example.org", "purpose": "password"}
        )
    assert known["Location"] == unknown["Location"] == reverse("accounts:reset_sent")
    assert len(mail.outbox) == 1


def test_a_reset_link_works_once_from_the_email(client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:reset"), {"email": user.email, "purpose": "password"})
    path = re.search(
        r"https?://[^/]+(/accounts/reset/password/[\w-]+/)", mail.outbox[0].body
    ).group(1)
    door = client.get(path)
    page = reverse("accounts:reset_password", kwargs={"token": LINK_OPENED})
    assert door["Location"] == page  # the token leaves the address bar at once
    assert client.get(page).status_code == 200
    data = {"new_password": "Kestrel-Lantern-71", "confirm_password": "Kestrel-Lantern-71"}
    assert client.post(page, data)["Location"] == LOGIN
    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_an_unknown_reset_link_is_not_found(client):
    response = client.get(reverse("accounts:reset_password", kwargs={"token": "made-up"}))
    assert response.status_code == 404


def idle_session(client, user, *, minutes: int) -> float:
    """The user logged in, their last page `minutes` ago; returns when that was."""
    client.force_login(user)
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] = seen = time.time() - minutes * 60
    session.save()
    return seen


def test_a_session_ends_after_thirty_idle_minutes(client, user):
    idle_session(client, user, minutes=31)
    response = client.get("/")
    assert response["Location"] == LOGIN
    assert client.get("/")["Location"].startswith(LOGIN)
    assert Event.objects.filter(action="session.timed_out").exists()


def test_a_session_survives_twenty_nine_idle_minutes(client, user):
    idle_session(client, user, minutes=29)
    assert client.get("/").status_code == 200


def test_a_page_refreshing_itself_does_not_keep_the_session_alive(client, user):
    seen = idle_session(client, user, minutes=10)
    assert client.get("/", headers={"HX-Request": "true"}).status_code == 200
    assert client.session["last_seen"] == seen


def test_a_refresh_after_the_idle_time_sends_the_browser_to_log_in(client, user):
    idle_session(client, user, minutes=31)
    response = client.get("/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == LOGIN
    assert Event.objects.filter(action="session.timed_out").exists()


def test_logging_out_ends_the_session_and_is_audited(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == LOGIN
    assert client.get("/")["Location"].startswith(LOGIN)
    assert Event.objects.filter(action="logout", actor=user).exists()


def test_a_provider_user_sees_both_councils_and_can_filter_by_one(client):
    provider = make_provider()
    first, second = make_council("Firstshire Council"), make_council("Secondbury Council")
    make_contract(first, provider, reference="FIRST-1")
    make_contract(second, provider, reference="SECOND-1")
    client.force_login(make_user(provider=provider))
    page = client.get("/").content.decode()
    assert "FIRST-1" in page and "SECOND-1" in page
    filtered = client.get(f"/?council={second.slug}").content.decode()
    assert "SECOND-1" in filtered and "FIRST-1" not in filtered


def test_the_navigation_shows_only_what_the_role_may_use(client, user):
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "Administration" not in page and "User accounts" not in page
    assert client.get(reverse("accounts:user_list")).status_code == 403
    admin = make_user(council=make_council())
    client.force_login(admin)
    assert "Administration" in client.get("/").content.decode()
    # The section's pages are its sub-navigation.
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "User accounts" in page and "Audit log" in page


# Robin Hart, a broker as the Add user page is given them.
ROBIN = {"first_name": "Robin", "last_name": "Hart", "email": "robin@example.org", "role": "broker"}


def test_a_council_administrator_adds_a_user_and_sees_the_one_off_password(client):
    council = make_council()
    client.force_login(make_user(council=council))
    response = client.post(
        reverse("accounts:user_create"),
        {**ROBIN, "organisation": "council"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "can now log in" in page
    password = re.search(r"cb-nowrap\">([^<]+)</p>", page).group(1)
    assert log_in(Client(), "robin@example.org", password)["Location"] == reverse(
        "accounts:login_new_password"
    )


def test_a_council_role_cannot_be_given_to_a_providers_contact(client):
    council = make_council()
    provider = make_provider()
    make_contract(council, provider)
    client.force_login(make_user(council=council))
    page = client.post(
        reverse("accounts:user_create"),
        {**ROBIN, "organisation": f"provider-{provider.pk}"},
    ).content.decode()
    assert "Choose a council role for council staff" in page
    assert not User.objects.filter(email="robin@example.org").exists()


def test_changing_the_password_asks_for_the_current_one(client, user):
    client.force_login(user)
    url = reverse("accounts:password_change")
    data = {
        "current_password": "Not-The-One-11",
        "new_password": "Kestrel-Lantern-71",
        "confirm_password": "Kestrel-Lantern-71",
    }
    assert "Your current password is not right" in client.post(url, data).content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and user.failed_attempts == 1
    data["current_password"] = PASSWORD
    assert client.post(url, data)["Location"] == reverse("accounts:account")
    user.refresh_from_db()
    assert user.check_password("Kestrel-Lantern-71")
    assert client.get("/").status_code == 200, "the session that changed the password goes on"


def test_after_logging_in_the_user_lands_on_the_page_they_asked_for(client, user):
    client.post(f"{LOGIN}?next=/accounts/account/", {"email": user.email, "password": PASSWORD})
    assert client.post(SECOND, {"passcode": PASSCODE})["Location"] == "/accounts/account/"


def test_a_next_address_on_another_site_is_ignored(client, user):
    client.post(f"{LOGIN}?next=https://evil.example/", {"email": user.email, "password": PASSWORD})
    assert client.post(SECOND, {"passcode": PASSCODE})["Location"] == reverse("home:home")
