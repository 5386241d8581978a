import re
from datetime import timedelta

import pytest
from django.core import mail

from carebridge.accounts import services
from carebridge.accounts.models import ResetLink, User
from carebridge.accounts.services import LinkProblem, Outcome
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from tests.support import PASSWORD, make_council, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_user(council=make_council())


def token_from_last_email():
    return re.search(r"/reset/\w+/([\w-]+)/", mail.outbox[-1].body).group(1)


def test_it_emails_a_single_use_link(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_link_request(email=user.email, purpose="password")
    assert mail.outbox[-1].to == [user.email]
    token = token_from_last_email()
    result = services.reset_link_use(token=token, purpose="password", secret="Kestrel-Lantern-71")
    assert result == user
    assert (
        services.login_check_password(email=user.email, password="Kestrel-Lantern-71").outcome
        is Outcome.OK
    )
    again = services.reset_link_use(token=token, purpose="password", secret="Another-Lantern-72")
    assert again is LinkProblem.USED


def test_only_a_hash_of_the_token_is_stored(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_link_request(email=user.email, purpose="password")
    token = token_from_last_email()
    assert not ResetLink.objects.filter(token_hash=token).exists()


def test_an_expired_link_is_refused(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_link_request(email=user.email, purpose="password")
    ResetLink.objects.update(expires_at=now() - timedelta(seconds=1))
    result = services.reset_link_use(
        token=token_from_last_email(), purpose="password", secret="Kestrel-Lantern-71"
    )
    assert result is LinkProblem.EXPIRED
    assert Event.objects.filter(action="reset.refused", detail__reason="expired").exists()


def test_a_link_for_the_password_does_not_reset_the_passcode(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_link_request(email=user.email, purpose="password")
    assert (
        services.reset_link_check(token=token_from_last_email(), purpose="passcode")
        is LinkProblem.UNKNOWN
    )


def test_an_unknown_address_gets_no_email_but_the_same_answer(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_link_request(email="nobody@example.org", purpose="password")
    assert mail.outbox == []
    assert Event.objects.filter(action="reset.requested", detail__reason="no such account").exists()


def test_resetting_unlocks_a_locked_account(user, django_capture_on_commit_callbacks):
    for _ in range(3):
        services.login_check_password(email=user.email, password="Wrong-99")
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_link_request(email=user.email, purpose="passcode")
    services.reset_link_use(token=token_from_last_email(), purpose="passcode", secret="246802")
    user.refresh_from_db()
    assert not user.is_locked
    assert user.check_passcode("246802")
    assert Event.objects.filter(action="account.unlocked", detail__by_link=True).exists()
    assert services.login_check_password(email=user.email, password=PASSWORD).outcome is Outcome.OK


def test_a_bad_new_passcode_leaves_the_link_usable(user, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    with django_capture_on_commit_callbacks(execute=True):
        services.reset_link_request(email=user.email, purpose="passcode")
    token = token_from_last_email()
    with pytest.raises(ValidationError):
        services.reset_link_use(token=token, purpose="passcode", secret="123456")
    assert services.reset_link_use(token=token, purpose="passcode", secret="246802") == user


def test_a_new_link_makes_no_difference_to_the_password_until_used(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_link_request(email=user.email, purpose="password")
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
