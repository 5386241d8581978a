"""Passkeys: the council's rule, the log-in step that offers or insists on them, and the
lock-out counting a failed passkey like a wrong passcode."""

import pytest
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from carebridge.accounts.models import User
from carebridge.accounts.services import Outcome, passkeys
from carebridge.audit.models import Event
from tests.support import PASSCODE, PASSWORD, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db


def add_passkey(user: User, name: str = "Laptop") -> WebAuthnCredential:
    n = WebAuthnCredential.objects.count() + 1
    return WebAuthnCredential.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=bytes([n]) * 16,
        public_key=b"not a key",
        sign_count=0,
    )


class FailingHelper:
    def authenticate_complete(self, **kwargs):
        from django_otp_webauthn.exceptions import CredentialNotFound

        raise CredentialNotFound()


class PassingHelper:
    def __init__(self, device):
        self.device = device

    def authenticate_complete(self, **kwargs):
        return self.device


def test_it_requires_a_passkey_of_staff_whose_council_says_so():
    council = make_council(staff_require_passkey=True)
    assert passkeys.passkey_required(make_user(council=council))


def test_it_leaves_a_passkey_optional_by_default():
    assert not passkeys.passkey_required(make_user(council=make_council()))


def test_it_never_requires_a_passkey_of_a_provider():
    council = make_council(staff_require_passkey=True)
    provider = make_provider()
    make_contract(council, provider)
    assert not passkeys.passkey_required(make_user(provider=provider))


def test_it_counts_a_failed_passkey_towards_the_lock():
    user = make_user(council=make_council(login_failures_before_lock=2))
    first = passkeys.login_check_passkey(user=user, helper=FailingHelper(), state={}, data={})
    second = passkeys.login_check_passkey(user=user, helper=FailingHelper(), state={}, data={})
    assert (first, second) == (Outcome.WRONG, Outcome.LOCKED)
    user.refresh_from_db()
    assert user.is_locked


def test_it_gives_back_the_try_of_a_right_passkey():
    user = make_user(council=make_council())
    device = add_passkey(user)
    outcome = passkeys.login_check_passkey(
        user=user, helper=PassingHelper(device), state={}, data={}
    )
    user.refresh_from_db()
    assert outcome is Outcome.OK
    assert user.failed_attempts == 0


def test_it_refuses_to_remove_the_last_passkey_of_someone_who_must_use_one():
    user = make_user(council=make_council(staff_require_passkey=True))
    device = add_passkey(user)
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.passkey_remove(user=user, passkey_id=device.pk, ip=None)
    assert WebAuthnCredential.objects.filter(pk=device.pk).exists()


def test_it_audits_removing_and_renaming_a_passkey(client):
    user = make_user(council=make_council())
    device = add_passkey(user)
    client.force_login(user)
    client.post(reverse("accounts:passkey_rename", args=[device.pk]), {"name": "Phone"})
    client.post(reverse("accounts:passkey_remove", args=[device.pk]))
    assert not WebAuthnCredential.objects.filter(pk=device.pk).exists()
    actions = list(Event.objects.values_list("action", flat=True))
    assert "passkey.renamed" in actions and "passkey.removed" in actions


def test_it_hides_another_users_passkey(client):
    owner = make_user(council=make_council())
    device = add_passkey(owner)
    client.force_login(make_user(council=make_council()))
    assert client.get(reverse("accounts:passkey_remove", args=[device.pk])).status_code == 404
    assert client.post(reverse("accounts:passkey_remove", args=[device.pk])).status_code == 404


def _log_in_with_passcode(client, user):
    client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    return client.post(reverse("accounts:login_second_step"), {"passcode": PASSCODE})


def test_it_sends_staff_who_must_use_a_passkey_to_set_one_up_after_the_passcode(client):
    user = make_user(council=make_council(staff_require_passkey=True))
    response = _log_in_with_passcode(client, user)
    assert response.url == reverse("accounts:login_passkey_set_up")
    assert "_auth_user_id" not in client.session


def test_it_refuses_the_passcode_of_staff_who_have_their_required_passkey(client):
    user = make_user(council=make_council(staff_require_passkey=True))
    add_passkey(user)
    response = _log_in_with_passcode(client, user)
    assert "_auth_user_id" not in client.session
    assert b"Log in with your passkey" in response.content


def test_it_still_logs_in_with_the_passcode_when_a_passkey_is_optional(client):
    user = make_user(council=make_council())
    add_passkey(user)
    client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    page = client.get(reverse("accounts:login_second_step"))
    assert b"Passkeys need JavaScript" in page.content
    client.post(reverse("accounts:login_second_step"), {"passcode": PASSCODE})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_logs_in_a_provider_with_the_passcode_whatever_the_council_requires(client):
    council = make_council(staff_require_passkey=True)
    provider = make_provider()
    make_contract(council, provider)
    user = make_user(provider=provider)
    _log_in_with_passcode(client, user)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_refuses_a_passkey_ceremony_without_a_pending_log_in(client):
    response = client.post(reverse("accounts:login_passkey_begin"))
    assert response.status_code in (401, 403)
    response = client.post(reverse("accounts:login_passkey_register_begin"))
    assert response.status_code in (401, 403)
