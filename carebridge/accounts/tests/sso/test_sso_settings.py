"""Single sign-on's settings page, the sign-in page's buttons, and the rulebook's rule that
staff must use it."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from carebridge.accounts import sso
from carebridge.accounts.forms import LoginForm
from carebridge.accounts.models import SingleSignOn, User
from carebridge.accounts.tests.sso.support import (
    CLIENT_SECRET,
    logged_in_as,
    sign_in,
    verified,
)
from carebridge.audit.models import Event
from tests.support import (
    PASSWORD,
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]


def test_the_rule_applies_to_council_staff_only_and_only_while_the_sign_on_is_on(council):
    staff = make_user(council=council)
    provider = make_provider()
    make_contract(council, provider)
    provider_user = make_user(provider=provider)
    assert not sso.single_sign_on_required(staff)
    council.rulebook.staff_single_sign_on_required = True
    council.rulebook.save()
    staff = User.objects.select_related("council__rulebook").get(pk=staff.pk)
    assert sso.single_sign_on_required(staff)
    assert not sso.single_sign_on_required(provider_user)
    SingleSignOn.objects.filter(council=council).update(enabled=False)
    assert not sso.single_sign_on_required(staff)


def test_the_sign_in_page_offers_each_enabled_sign_on(council):
    off = make_council("Offshire Council")
    SingleSignOn.objects.create(
        council=off, name="Off ID", issuer="https://id.example", client_id="x", enabled=False
    )
    html = render_to_string(
        "accounts/login.html",
        {"form": LoginForm(), "failures": 5, "single_sign_ons": sso.sign_in_choices()},
    )
    assert "Sign in with Wrekin Entra (Wrekinshire Council)" in html
    assert reverse("accounts:sso_start", args=[council.slug]) in html
    assert "Off ID" not in html


# The council administrator's settings


@pytest.fixture
def admin(council):
    return make_user(council=council, role="council_administrator")


def _settings(**overrides):
    return {
        "name": "Wrekin Entra",
        "issuer": "https://login.microsoftonline.com/tenant-id/v2.0",
        "client_id": "abc",
        "client_secret": "",
        "enabled": "on",
        **overrides,
    }


def test_the_settings_page_never_shows_the_secret_and_audits_without_it(admin, council):
    client = client_for(admin)
    page = client.get(reverse("accounts:sso_settings"))
    assert page.status_code == 200
    assert CLIENT_SECRET not in page.content.decode()
    assert "http://testserver/accounts/sso/callback/" in page.content.decode()
    response = client.post(
        reverse("accounts:sso_settings"), _settings(client_secret="brand-new-secret")
    )
    assert response.status_code == 302
    saved = SingleSignOn.objects.get(council=council)
    assert saved.client_secret == "brand-new-secret"
    assert saved.issuer == "https://login.microsoftonline.com/tenant-id/v2.0"
    event = Event.objects.get(action="single_sign_on.updated")
    assert "secret" not in json.dumps(event.before) + json.dumps(event.after)
    assert "brand-new-secret" not in json.dumps([event.before, event.after, event.detail])
    assert event.detail == {"client_secret_changed": True}
    # Blank keeps the saved secret.
    client.post(reverse("accounts:sso_settings"), _settings(name="Council ID"))
    saved.refresh_from_db()
    assert (saved.name, saved.client_secret) == ("Council ID", "brand-new-secret")
    assert "brand-new-secret" not in client.get(reverse("accounts:sso_settings")).content.decode()


@pytest.mark.parametrize(
    "issuer", ["https://10.0.0.5/tenant", "https://idp.internal/", "ftp://idp.example/"]
)
def test_an_issuer_the_address_guard_refuses_is_not_saved(admin, council, issuer, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    response = client_for(admin).post(reverse("accounts:sso_settings"), _settings(issuer=issuer))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert SingleSignOn.objects.get(council=council).issuer != issuer


def test_only_the_councils_administrator_may_change_it(council):
    broker = make_user(council=council, role="broker")
    assert client_for(broker).get(reverse("accounts:sso_settings")).status_code == 403
    provider_user = make_user(provider=make_provider())
    assert client_for(provider_user).get(reverse("accounts:sso_settings")).status_code == 403
    with pytest.raises(PermissionDenied):
        sso.sso_settings_update(
            council=council,
            by=make_user(council=make_council()),
            client_secret="",
            staff_single_sign_on_required=False,
            signed_in_through_it=False,
            **{k: v for k, v in _settings().items() if k in sso.SETTINGS_FIELDS},
        )


def test_staff_can_be_required_to_use_it_only_by_an_administrator_who_signed_in_with_it(
    idp, council, admin
):
    form = _settings(issuer=idp, staff_single_sign_on_required="on")
    password_session = client_for(admin)
    response = password_session.post(reverse("accounts:sso_settings"), form)
    assert response.status_code == 200
    assert "Sign in through the single sign-on yourself first" in response.content.decode()
    council.rulebook.refresh_from_db()
    assert not council.rulebook.staff_single_sign_on_required
    verified(idp, admin.email)
    sso_session = Client()
    assert sign_in(sso_session, council, admin.email).status_code == 302
    response = sso_session.post(reverse("accounts:sso_settings"), form)
    assert response.status_code == 302
    council.rulebook.refresh_from_db()
    assert council.rulebook.staff_single_sign_on_required
    assert Event.objects.filter(action="rulebook.updated", council=council).exists()


def test_a_council_without_one_sets_it_up_with_a_secret(settings):
    council = make_council("Newshire Council")
    admin = make_user(council=council, role="council_administrator")
    client = client_for(admin)
    page = client.get(reverse("accounts:sso_settings")).content.decode()
    assert 'value="Microsoft Entra ID"' in page
    refused = client.post(reverse("accounts:sso_settings"), _settings())
    assert "Enter the client secret" in refused.content.decode()
    assert not SingleSignOn.objects.filter(council=council).exists()
    client.post(reverse("accounts:sso_settings"), _settings(client_secret="first-secret"))
    saved = SingleSignOn.objects.get(council=council)
    assert (saved.client_id, saved.client_secret, saved.enabled) == ("abc", "first-secret", True)
    event = Event.objects.get(action="single_sign_on.created")
    assert event.before is None
    assert event.after["issuer"] == "https://login.microsoftonline.com/tenant-id/v2.0"
    assert "first-secret" not in json.dumps([event.after, event.detail])


# The password log-in, the reset links and the sign-in page under the rulebook's rule


@pytest.fixture
def required(council):
    council.rulebook.staff_single_sign_on_required = True
    council.rulebook.save()
    return council


def _password_log_in(client: Client, user: User, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"email": user.email, "password": password})


def test_the_password_log_in_is_refused_when_the_rulebook_requires_sign_on(required):
    staff = make_user(council=required, email="di@wrekinshire.gov.uk")
    client = Client()
    response = _password_log_in(client, staff)
    assert response.status_code == 200
    assert "sign in with its single sign-on" in response.content.decode()
    assert "Sign in with Wrekin Entra (Wrekinshire Council)" in response.content.decode()
    assert logged_in_as(client) is None
    assert "pending_login" not in client.session
    event = Event.objects.filter(action="login.refused").get()
    assert (event.object_id, event.detail) == (
        str(staff.pk),
        {"reason": "single sign-on required"},
    )
    # A wrong password says only that, as for anyone: the rule is told to those who know it.
    wrong = _password_log_in(Client(), staff, "Wrong-Guess-99").content.decode()
    assert "The e-mail address or password is not right" in wrong
    assert "asks its staff to sign in" not in wrong


def test_providers_and_councils_whose_sign_on_is_off_are_never_forced(required):
    provider = make_provider()
    make_contract(required, provider)
    provider_user = make_user(provider=provider)
    response = _password_log_in(Client(), provider_user)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_second_step")
    SingleSignOn.objects.filter(council=required).update(enabled=False)
    staff = make_user(council=required)
    assert _password_log_in(Client(), staff)["Location"] == reverse("accounts:login_second_step")


def test_no_reset_link_is_sent_to_staff_who_must_use_the_sign_on(
    required, mailoutbox, django_capture_on_commit_callbacks
):
    staff = make_user(council=required, email="flo@wrekinshire.gov.uk")
    provider = make_provider()
    make_contract(required, provider)
    provider_user = make_user(provider=provider)
    for user in (staff, provider_user):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                reverse("accounts:reset"), {"email": user.email, "purpose": "password"}
            )
        assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[provider_user.email]]
    event = Event.objects.get(action="reset.refused")
    assert event.object_id == str(staff.pk)
    assert event.detail == {"purpose": "password", "reason": "single sign-on required"}


def test_the_sign_in_page_shows_the_buttons(council):
    html = Client().get(reverse("accounts:login") + "?next=/accounts/account/").content.decode()
    assert "Sign in with Wrekin Entra (Wrekinshire Council)" in html
    assert 'name="next" value="/accounts/account/"' in html
