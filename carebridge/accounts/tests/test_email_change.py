"""Changing one's own e-mail address (ASVS 7.5.1): the current password asked and counted, a
link to the new address and a notice to the old, the link single use, expiring and POST-
confirmed; a council user's address changes at once, a provider's contact raises a change
request the council approves; other sessions end; limited and sent once."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from carebridge.accounts.models import ResetLink, User
from carebridge.audit.models import Event
from carebridge.core.logs import LINK_OPENED
from carebridge.core.permissions import Role
from carebridge.organisations import services as org
from carebridge.organisations.choices import ChangeRequestKind
from carebridge.organisations.models import ChangeRequest
from tests.support import PASSCODE, PASSWORD, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SECOND = reverse("accounts:login_second_step")
CHANGE = reverse("accounts:email_change")
OPENED = reverse("accounts:email_change_confirm", kwargs={"token": LINK_OPENED})
LINK = re.compile(r"http\S+/accounts/account/email/confirm/([^/\s]+)/")


def logged_in(user: User) -> Client:
    """A browser that logged in through both steps, so its session is recorded."""
    client = Client()
    assert client.post(LOGIN, {"email": user.email, "password": PASSWORD})["Location"] == SECOND
    assert client.post(SECOND, {"passcode": PASSCODE})["Location"] == reverse("home:home")
    return client


def is_logged_in(client: Client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def council():
    return make_council()


@pytest.fixture
def officer(council):
    return make_user(council=council, role=Role.BROKER)


def ask(client: Client, email: str, password: str = PASSWORD, **more: str):
    return client.post(CHANGE, {"email": email, "current_password": password, **more})


def sent_token(to: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [to]]
    found = LINK.search(message.body)
    assert found is not None
    return found.group(1)


def confirm(client: Client, token: str, **data: str):
    opened = client.get(reverse("accounts:email_change_confirm", kwargs={"token": token}))
    assert opened.status_code == 302
    assert opened["Location"] == OPENED
    return client.post(OPENED, data)


def test_your_account_links_to_changing_your_e_mail_address(officer):
    page = logged_in(officer).get(reverse("accounts:account")).content.decode()
    assert CHANGE in page


def test_the_current_password_is_required(officer):
    response = ask(logged_in(officer), "new@example.org", password="")
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter your current password" in page
    assert not ResetLink.objects.filter(purpose=ResetLink.Purpose.EMAIL).exists()


def test_a_wrong_password_is_an_error_in_the_summary_and_counts_towards_the_lock(
    officer, django_capture_on_commit_callbacks
):
    client = logged_in(officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, "new@example.org", password="not-my-password")
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Your current password is not right" in page
    officer.refresh_from_db()
    assert officer.failed_attempts == 1
    assert not ResetLink.objects.filter(purpose=ResetLink.Purpose.EMAIL).exists()
    assert mail.outbox == []


def test_the_link_goes_to_the_new_address_and_a_notice_to_the_old(
    officer, django_capture_on_commit_callbacks
):
    old = officer.email
    client = logged_in(officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, "  New.Address@Example.ORG ")
    assert response["Location"] == reverse("accounts:email_change_sent")
    assert "new.address@example.org" in client.get(response["Location"]).content.decode()
    token = sent_token("new.address@example.org")
    [notice] = [m for m in mail.outbox if m.to == [old]]
    assert "new.address@example.org" in notice.body
    assert "If this wasn't you, contact your administrator" in notice.body
    assert LINK.search(notice.body) is None
    link = ResetLink.objects.get(purpose=ResetLink.Purpose.EMAIL)
    assert link.new_email == "new.address@example.org"
    assert link.token_hash != token and token not in link.token_hash
    assert link.expires_at - link.created_at == timedelta(hours=24)
    officer.refresh_from_db()
    assert officer.email == old  # nothing changes until the link is confirmed


def test_another_accounts_address_gets_no_link_and_the_page_answers_the_same(
    officer, council, django_capture_on_commit_callbacks
):
    other = make_user(council=council)
    client = logged_in(officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        taken = ask(client, other.email.upper())
    with django_capture_on_commit_callbacks(execute=True):
        free = ask(client, "free@example.org")
    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"]
    assert [m.to for m in mail.outbox if m.to == [other.email]] == []
    assert [m for m in mail.outbox if m.to == [officer.email]]  # the notice, both times
    assert Event.objects.filter(action="email_change.refused", object_id=str(officer.pk)).exists()


def test_a_council_users_address_changes_on_confirmation_audited_and_other_sessions_end(
    officer, django_capture_on_commit_callbacks
):
    client, elsewhere = logged_in(officer), logged_in(officer)
    old = officer.email
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "moved@example.org")
    token = sent_token("moved@example.org")
    opened = client.get(reverse("accounts:email_change_confirm", kwargs={"token": token}))
    page = client.get(opened["Location"]).content.decode()
    assert "moved@example.org" in page and "Confirm" in page
    officer.refresh_from_db()
    assert officer.email == old  # a GET confirms nothing

    response = client.post(OPENED)

    assert response["Location"] == reverse("accounts:account")
    officer.refresh_from_db()
    assert officer.email == "moved@example.org"
    event = Event.objects.get(action="account.email_changed", object_id=str(officer.pk))
    assert event.before == {"email": old}
    assert event.after == {"email": "moved@example.org"}
    assert event.council_id == officer.council_id
    assert is_logged_in(client)
    assert not is_logged_in(elsewhere)


def test_an_address_taken_since_the_link_was_sent_is_refused_on_confirmation(
    officer, council, django_capture_on_commit_callbacks
):
    client = logged_in(officer)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "wanted@example.org")
    make_user(council=council, email="wanted@example.org")

    response = confirm(client, sent_token("wanted@example.org"))

    assert "You cannot use this e-mail address" in response.content.decode()
    officer.refresh_from_db()
    assert officer.email != "wanted@example.org"
    assert not ResetLink.objects.filter(
        purpose=ResetLink.Purpose.EMAIL, used_at__isnull=False
    ).exists()  # everything rolled back


def test_the_link_works_once(officer, django_capture_on_commit_callbacks):
    client = logged_in(officer)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "once@example.org")
    token = sent_token("once@example.org")
    confirm(client, token)
    again = client.get(reverse("accounts:email_change_confirm", kwargs={"token": token}))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_an_expired_link_is_refused_with_a_clear_page(officer, django_capture_on_commit_callbacks):
    client = logged_in(officer)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "late@example.org")
    token = sent_token("late@example.org")
    ResetLink.objects.filter(purpose=ResetLink.Purpose.EMAIL).update(
        expires_at=ResetLink.objects.get(purpose=ResetLink.Purpose.EMAIL).created_at
    )
    response = client.get(reverse("accounts:email_change_confirm", kwargs={"token": token}))
    assert response.status_code == 410
    assert "The link has expired" in response.content.decode()
    officer.refresh_from_db()
    assert officer.email != "late@example.org"


def test_a_tampered_link_or_another_users_is_not_found(
    officer, council, django_capture_on_commit_callbacks
):
    client = logged_in(officer)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "mine@example.org")
    token = sent_token("mine@example.org")
    tampered = client.get(reverse("accounts:email_change_confirm", kwargs={"token": token + "x"}))
    assert tampered.status_code == 404
    assert client.post(OPENED).status_code == 404  # nothing opened in this session
    colleague = logged_in(make_user(council=council))
    stolen = colleague.get(reverse("accounts:email_change_confirm", kwargs={"token": token}))
    assert stolen.status_code == 404


def test_only_the_newest_link_works(officer, django_capture_on_commit_callbacks):
    client = logged_in(officer)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "first@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "second@example.org")
    first = client.get(
        reverse("accounts:email_change_confirm", kwargs={"token": sent_token("first@example.org")})
    )
    assert first.status_code == 410


def test_a_provider_contact_raises_a_change_request_the_council_approves(
    council, django_capture_on_commit_callbacks
):
    provider = make_provider()
    make_contract(council, provider)
    contact = make_user(provider=provider, role=Role.ADMINISTRATION)
    old = contact.email
    client, elsewhere = logged_in(contact), logged_in(contact)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "contact.new@example.org")

    response = confirm(client, sent_token("contact.new@example.org"))

    assert response["Location"] == reverse("accounts:account")
    request = ChangeRequest.objects.get(contact=contact)
    assert request.kind == ChangeRequestKind.UPDATE_CONTACT
    assert request.proposed == {"email": "contact.new@example.org"}
    assert request.council == council
    contact.refresh_from_db()
    assert contact.email == old  # until the council approves
    assert not is_logged_in(elsewhere)

    org.change_request_approve(change_request=request, by=make_user(council=council))
    contact.refresh_from_db()
    assert contact.email == "contact.new@example.org"


def test_a_provider_working_for_two_councils_chooses_which_reviews(
    council, django_capture_on_commit_callbacks
):
    provider = make_provider()
    other = make_council()
    make_contract(council, provider)
    make_contract(other, provider)
    contact = make_user(provider=provider)
    client = logged_in(contact)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "two@example.org")
    unchosen = confirm(client, sent_token("two@example.org"))
    assert "Choose the council that should review this change" in unchosen.content.decode()
    assert not ChangeRequest.objects.exists()
    assert client.post(OPENED, {"council": str(other.pk)}).status_code == 302
    assert ChangeRequest.objects.get(contact=contact).council == other


def test_a_provider_user_whose_role_cannot_change_contacts_is_told_who_can(council):
    provider = make_provider()
    make_contract(council, provider)
    reader = make_user(provider=provider, role=Role.READ_ONLY)
    client = logged_in(reader)
    assert "Super User or Administration" in client.get(CHANGE).content.decode()
    ask(client, "reader@example.org")
    assert not ResetLink.objects.filter(purpose=ResetLink.Purpose.EMAIL).exists()


def test_a_double_click_sends_one_email(officer, django_capture_on_commit_callbacks):
    client = logged_in(officer)
    page = client.get(CHANGE).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token is not None
    assert 'data-prevent-double-click="true"' in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "twice@example.org", form_token=token.group(1))
        ask(client, "twice@example.org", form_token=token.group(1))
    assert len([m for m in mail.outbox if m.to == ["twice@example.org"]]) == 1
    assert len([m for m in mail.outbox if m.to == [officer.email]]) == 1
    assert ResetLink.objects.filter(purpose=ResetLink.Purpose.EMAIL).count() == 1


def test_asking_is_rate_limited(officer, django_capture_on_commit_callbacks):
    client = logged_in(officer)
    cache.clear()
    with override_settings(RATELIMIT_ENABLE=True):
        for _ in range(60):
            client.post(CHANGE, {})
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(client, "flood@example.org")
    cache.clear()
    assert response.status_code == 429
    assert not ResetLink.objects.filter(purpose=ResetLink.Purpose.EMAIL).exists()
