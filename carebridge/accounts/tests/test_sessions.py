"""Sessions (ASVS 7.3.2, 7.4.2, 7.4.3, 7.4.5, 7.5.2, 14.3.1): each log-in recorded against the
user, listed on Your account, ended by the user, by an administrator, or when the account is
suspended, closed or locked; the longest life of a session; what log-out clears."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from carebridge.accounts import services
from carebridge.accounts.models import User, UserSession
from carebridge.accounts.useragents import short_user_agent
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from tests.support import PASSCODE, PASSWORD, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SECOND = reverse("accounts:login_second_step")
ACCOUNT = reverse("accounts:account")
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def council():
    return make_council()


@pytest.fixture
def user(council):
    provider = make_provider()
    make_contract(council, provider)
    return make_user(provider=provider, role="read_only")


def logged_in(user: User, *, agent: str = FIREFOX, address: str = "192.0.2.10") -> Client:
    """A browser that logged in through both steps, as people do."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    assert client.post(LOGIN, {"email": user.email, "password": PASSWORD})["Location"] == SECOND
    assert client.post(SECOND, {"passcode": PASSCODE})["Location"] == reverse("home:home")
    return client


def is_logged_in(client: Client) -> bool:
    return client.get("/").status_code == 200


# --- Recording ----------------------------------------------------------------------------------


def test_logging_in_records_the_session_with_its_address_and_browser(user):
    client = logged_in(user)
    record = UserSession.objects.get(user=user)
    assert record.session_id == client.session.session_key
    assert record.ip_address == "192.0.2.10"
    assert record.user_agent == FIREFOX
    assert abs((now() - record.logged_in_at).total_seconds()) < 60


def test_logging_out_deletes_the_session_and_its_record(user):
    client = logged_in(user)
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=user).exists()


def test_a_user_agent_full_of_control_characters_is_kept_printable_and_bounded(user):
    logged_in(user, agent="Firefox/1\x1b[31m" + "x" * 500)
    kept = UserSession.objects.get(user=user).user_agent
    assert kept.isprintable() and len(kept) <= 300


@pytest.mark.parametrize(
    ("agent", "short"),
    [
        (FIREFOX, "Firefox on Windows"),
        (IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Mac",
        ),
        ("curl/8.5.0", "Another browser"),
        ("", "Another browser"),
    ],
)
def test_it_names_the_browser_in_a_few_words(agent, short):
    assert short_user_agent(agent) == short


# --- Absolute lifetime (7.3.2) ------------------------------------------------------------------


def aged(client: Client, *, hours: float) -> None:
    """The client's session logged in `hours` ago, and busy ever since."""
    session = client.session
    session["logged_in_at"] = time.time() - hours * 3600
    session["last_seen"] = time.time()
    session.save()


def test_a_session_ends_twelve_hours_after_log_in_however_busy(user):
    client = logged_in(user)
    aged(client, hours=12.02)
    response = client.get("/")
    assert response["Location"] == LOGIN
    page = client.get(LOGIN).content.decode()
    assert "You were logged out because you logged in more than 12 hours ago" in page
    assert not is_logged_in(client)
    event = Event.objects.get(action="session.timed_out")
    assert event.detail == {"why": "lifetime"}
    assert not UserSession.objects.filter(user=user).exists()


def test_a_busy_session_carries_on_before_its_twelve_hours(user):
    client = logged_in(user)
    aged(client, hours=11.9)
    assert is_logged_in(client)


def test_the_longest_life_of_a_session_is_a_setting(user, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    client = logged_in(user)
    aged(client, hours=1.1)
    assert client.get("/")["Location"] == LOGIN
    assert "you logged in more than 1 hour ago" in client.get(LOGIN).content.decode()


def test_a_session_from_before_the_lifetime_was_recorded_counts_from_its_next_page(user):
    client = Client()
    client.force_login(user)
    assert is_logged_in(client)
    assert time.time() - client.session["logged_in_at"] < 60


# --- Log-out clears the browser (14.3.1) --------------------------------------------------------


def test_logging_out_clears_the_browsers_cache_and_storage_and_the_next_log_in_works(user):
    client = Client(enforce_csrf_checks=True)

    def post(path, data):
        token = client.cookies["csrftoken"].value
        return client.post(path, {**data, "csrfmiddlewaretoken": token})

    client.get(LOGIN)
    post(LOGIN, {"email": user.email, "password": PASSWORD})
    post(SECOND, {"passcode": PASSCODE})
    assert is_logged_in(client)
    response = post(reverse("accounts:logout"), {})
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    # Not "cookies": the CSRF cookie stays, so the log-in form that follows still posts.
    assert client.get(LOGIN).status_code == 200
    assert post(LOGIN, {"email": user.email, "password": PASSWORD})["Location"] == SECOND


# --- Your sessions (7.5.2) and after a change (7.4.3) ------------------------------------------


def test_your_account_lists_your_sessions_and_marks_this_one(user):
    laptop = logged_in(user, agent=FIREFOX, address="192.0.2.10")
    logged_in(user, agent=IPHONE, address="198.51.100.7")
    page = laptop.get(ACCOUNT).content.decode()
    assert "Firefox on Windows" in page and "192.0.2.10" in page
    assert "Safari on iPhone" in page and "198.51.100.7" in page
    assert page.count("This session") == 1
    assert "Log out of your other sessions" in page
    assert laptop.session.session_key not in page


def test_someone_elses_sessions_are_not_listed(user, council):
    colleague = make_user(provider=user.provider, role="read_only")
    logged_in(colleague, agent=IPHONE)
    page = logged_in(user).get(ACCOUNT).content.decode()
    assert "Safari on iPhone" not in page
    assert "You are not logged in anywhere else" in page


def test_an_expired_session_is_not_listed(user):
    old = logged_in(user, agent=IPHONE)
    Session.objects.filter(session_key=old.session.session_key).update(
        expire_date=now() - timedelta(minutes=1)
    )
    page = logged_in(user).get(ACCOUNT).content.decode()
    assert "Safari on iPhone" not in page


def test_logging_out_of_the_other_sessions_asks_for_the_password_and_counts_a_wrong_one(user):
    laptop, phone = logged_in(user), logged_in(user, agent=IPHONE)
    page = laptop.post(ACCOUNT, {"which": "others", "current_password": "Wrong-Guess-1"})
    assert page.status_code == 200
    assert "Your current password is not right" in page.content.decode()
    user.refresh_from_db()
    assert user.failed_attempts == 1
    assert is_logged_in(phone)

    response = laptop.post(ACCOUNT, {"which": "others", "current_password": PASSWORD})
    assert response["Location"] == f"{ACCOUNT}#sessions"
    assert not is_logged_in(phone)
    assert is_logged_in(laptop)
    assert UserSession.objects.filter(user=user).count() == 1
    event = Event.objects.get(action="session.ended")
    assert event.actor == user
    assert event.detail == {"sessions": 1, "why": "ended by the user"}


def test_one_chosen_session_can_be_ended_and_the_others_stay(user):
    laptop, phone, tablet = logged_in(user), logged_in(user, agent=IPHONE), logged_in(user)
    chosen = UserSession.objects.get(session_id=phone.session.session_key)
    response = laptop.post(ACCOUNT, {"which": str(chosen.pk), "current_password": PASSWORD})
    assert response.status_code == 302
    assert not is_logged_in(phone)
    assert is_logged_in(tablet) and is_logged_in(laptop)


def test_another_users_session_cannot_be_chosen(user):
    colleague = make_user(provider=user.provider, role="read_only")
    theirs = logged_in(colleague)
    laptop, _phone = logged_in(user), logged_in(user, agent=IPHONE)
    row = UserSession.objects.get(user=colleague)
    page = laptop.post(ACCOUNT, {"which": str(row.pk), "current_password": PASSWORD})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()
    assert is_logged_in(theirs)
    ended = services.sessions_end_others(
        user=user, keep=laptop.session.session_key, by=user, ip=None, chosen=row.pk
    )
    assert ended == 0 and is_logged_in(theirs)


def test_changing_the_passcode_offers_to_log_out_of_the_other_sessions(user):
    laptop, phone = logged_in(user), logged_in(user, agent=IPHONE)
    response = laptop.post(
        reverse("accounts:passcode_change"),
        {"current_password": PASSWORD, "new_passcode": "975318", "confirm_passcode": "975318"},
    )
    assert response["Location"] == f"{ACCOUNT}#sessions"
    page = laptop.get(ACCOUNT).content.decode()
    assert "log out of your other sessions" in page
    assert is_logged_in(phone), "offered, not done"


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(user):
    laptop, phone = logged_in(user), logged_in(user, agent=IPHONE)
    new = "Kestrel-Lantern-71"
    response = laptop.post(
        reverse("accounts:password_change"),
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert response["Location"] == ACCOUNT
    assert is_logged_in(laptop)
    assert not is_logged_in(phone)
    (kept,) = UserSession.objects.filter(user=user)
    assert kept.session_id == laptop.session.session_key
    assert Event.objects.filter(action="session.ended", detail__why="the password changed").exists()


# --- Ended for the user (7.4.2, 7.4.5) ----------------------------------------------------------


def test_suspending_an_account_ends_its_sessions_at_once(user):
    client = logged_in(user)
    User.objects.filter(pk=user.pk).update(last_login=now() - timedelta(days=400))
    assert services.accounts_suspend_unused() == 1
    assert not UserSession.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key=client.session.session_key).exists()
    assert not is_logged_in(client)


def test_closing_an_account_ends_its_sessions_at_once(user, council):
    client = logged_in(user)
    admin = make_user(council=council)
    assert services.account_close(user=user, by=admin)
    assert not Session.objects.filter(session_key=client.session.session_key).exists()
    assert not is_logged_in(client)


def test_an_account_that_locks_ends_its_sessions(user):
    client = logged_in(user)
    for n in range(3):
        services.login_check_password(email=user.email, password=f"Wrong-Guess-{n}")
    user.refresh_from_db()
    assert user.is_locked
    assert not UserSession.objects.filter(user=user).exists()
    assert not is_logged_in(client)


def test_an_administrator_logs_a_user_out_everywhere_from_their_page(user, council):
    laptop, phone = logged_in(user), logged_in(user, agent=IPHONE)
    admin = Client()
    admin.force_login(administrator := make_user(council=council))
    page = admin.get(reverse("accounts:user_detail", kwargs={"pk": user.pk})).content.decode()
    assert "Firefox on Windows since" in page and "Log them out everywhere" in page
    url = reverse("accounts:user_action", kwargs={"pk": user.pk, "action": "sessions"})
    assert admin.post(url)["Location"] == reverse("accounts:user_detail", kwargs={"pk": user.pk})
    assert not is_logged_in(laptop) and not is_logged_in(phone)
    event = Event.objects.get(action="session.ended")
    assert event.actor == administrator
    assert event.detail == {"sessions": 2, "why": "ended by an administrator"}


def test_another_councils_administrator_cannot_end_a_users_sessions(user):
    client = logged_in(user)
    stranger = Client()
    stranger.force_login(make_user(council=make_council()))
    url = reverse("accounts:user_action", kwargs={"pk": user.pk, "action": "sessions"})
    assert stranger.post(url).status_code == 404
    assert is_logged_in(client)
    assert not Event.objects.filter(action="session.ended").exists()


def test_a_colleague_without_the_user_accounts_function_cannot_end_sessions(user, council):
    client = logged_in(user)
    broker = Client()
    broker.force_login(make_user(council=council, role="broker"))
    url = reverse("accounts:user_action", kwargs={"pk": user.pk, "action": "sessions"})
    assert broker.post(url).status_code in (403, 404)
    assert is_logged_in(client)
