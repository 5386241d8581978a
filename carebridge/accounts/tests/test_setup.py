"""Setting up a new account from its e-mailed link: choose a password, then the usual first log-in
asks for a passcode. The link works once, for seven days, and only its hash is stored; it is a
one-hop door that keeps the token in the session and moves the browser to a page without it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.accounts import services
from carebridge.accounts.models import ResetLink, User
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.core.logs import LINK_OPENED
from tests.support import make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kestrel-Lantern-71"


@pytest.fixture
def invited():
    council = make_council()
    provider = make_provider()
    make_contract(council, provider)
    admin = make_user(council=council)
    user, link, token = services.account_invite(
        by=admin,
        email="New.Contact@Example.org",
        first_name="Imani",
        last_name="Okafor",
        role="reports",
        provider=provider,
        title="Ms",
        phone="0114 496 0999",
    )
    return user, link, token


def set_up_url(token: str) -> str:
    return reverse("accounts:set_up", kwargs={"token": token})


OPENED = set_up_url(LINK_OPENED)


def opened(client: Client, token: str) -> str:
    """Follows the e-mailed link's one hop; the page's own address."""
    response = client.get(set_up_url(token))
    assert response.status_code == 302
    assert response["Location"] == OPENED
    return OPENED


def test_an_invited_account_has_no_password_anyone_knows(invited):
    user, link, token = invited
    assert user.email == "new.contact@example.org"
    assert (user.title, user.phone) == ("Ms", "0114 496 0999")
    assert user.must_change_password
    assert not user.has_usable_password()
    assert link.purpose == "password"
    assert link.expires_at - link.created_at == timedelta(days=7)
    assert link.token_hash != token
    assert not ResetLink.objects.filter(token_hash=token).exists()
    assert Event.objects.filter(action="setup_link.created", object_id=str(user.pk)).exists()


def test_the_set_up_page_lets_them_choose_a_password_then_log_in_for_the_passcode(invited):
    user, _link, token = invited
    client = Client()
    page = client.get(opened(client, token))
    assert page.status_code == 200
    assert "Set up your account" in page.content.decode()
    assert user.email in page.content.decode()
    assert token not in page.content.decode()
    response = client.post(OPENED, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert not user.must_change_password
    response = client.post(
        reverse("accounts:login"), {"email": user.email, "password": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:login_new_passcode")


def test_the_link_works_once(invited):
    _user, _link, token = invited
    client = Client()
    data = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert client.post(opened(client, token), data).status_code == 302
    again = client.get(set_up_url(token))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert client.get(OPENED).status_code == 404  # the session no longer holds it


def test_an_expired_link_says_so(invited):
    _user, link, token = invited
    ResetLink.objects.filter(pk=link.pk).update(expires_at=now() - timedelta(seconds=1))
    response = Client().get(set_up_url(token))
    assert response.status_code == 410
    assert "set-up links work for 7 days" in response.content.decode()


def test_an_unknown_link_is_not_found():
    assert Client().get(set_up_url("not-a-real-token")).status_code == 404


def test_the_page_without_an_opened_link_in_the_session_is_not_found(invited):
    response = Client().get(OPENED)
    assert response.status_code == 404
    assert "Set up your account" not in response.content.decode()


def test_a_post_to_the_link_itself_only_opens_it(invited):
    user, _link, token = invited
    data = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    response = Client().post(set_up_url(token), data)
    assert response["Location"] == OPENED
    assert not User.objects.get(pk=user.pk).has_usable_password()


def test_a_later_set_up_link_in_the_same_browser_replaces_the_first(invited):
    user, _link, first = invited
    client = Client()
    opened(client, first)
    _other, _link, second = services.account_invite(
        by=None,
        email="second.contact@example.org",
        first_name="Tomasz",
        last_name="Nowak",
        role="reports",
        provider=user.provider,
        title="Mr",
        phone="0114 496 0998",
    )
    page = client.get(opened(client, second))
    assert "second.contact@example.org" in page.content.decode()
    assert user.email not in page.content.decode()


def test_a_password_that_breaks_the_rules_shows_an_error_and_keeps_the_link(invited):
    user, _link, token = invited
    client = Client()
    response = client.post(
        opened(client, token), {"new_password": "short", "confirm_password": "short"}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert client.get(OPENED).status_code == 200
    assert not User.objects.get(pk=user.pk).has_usable_password()


def test_details_are_changed_with_their_own_audit_event():
    council = make_council()
    provider = make_provider()
    make_contract(council, provider)
    admin = make_user(council=council)
    contact = make_user(provider=provider, role="read_only")
    services.account_details_update(
        user=contact, by=admin, first_name=" Morwenna ", email="Morwenna@Example.org"
    )
    contact.refresh_from_db()
    assert (contact.first_name, contact.email) == ("Morwenna", "morwenna@example.org")
    event = Event.objects.get(action="account.details_changed")
    assert event.after == {"first_name": "Morwenna", "email": "morwenna@example.org"}


def test_details_cannot_take_an_address_already_in_use():
    from django.core.exceptions import ValidationError

    provider = make_provider()
    make_contract(make_council(), provider)
    contact = make_user(provider=provider, role="read_only")
    other = make_user(provider=provider, role="read_only")
    with pytest.raises(ValidationError):
        services.account_details_update(user=contact, by=other, email=other.email.upper())
