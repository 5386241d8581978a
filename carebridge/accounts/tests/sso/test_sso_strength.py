"""The identity provider's strength (ASVS 6.8.4: a council may require the ID token's `amr` to
name multi-factor) and who a sign-on is (ASVS 10.5.2: the `iss` and `sub` recorded at the first
sign-in and matched on after), against the same real OpenID Connect provider as the other
single sign-on tests."""

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.accounts.models import SignOnSubject
from carebridge.accounts.tests.sso.support import logged_in_as, put_claims, refusals, sign_in
from carebridge.audit.models import Event
from carebridge.organisations.models import Rulebook
from tests.support import client_for, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]

EMAIL = "sam.broker@wrekinshire.gov.uk"


@pytest.fixture
def staff(council):
    return make_user(council=council, email=EMAIL, role="broker")


def _require_mfa(council) -> None:
    Rulebook.objects.filter(council=council).update(sso_requires_mfa=True)


# The identity provider's strength (6.8.4)


@pytest.mark.parametrize("amr", [None, ["pwd"], "mfa", [], ["pwd", "kba"]])
def test_a_council_requiring_multi_factor_refuses_a_sign_on_without_it(idp, council, staff, amr):
    _require_mfa(council)
    claims = {"email": EMAIL, "email_verified": True}
    if amr is not None:
        claims["amr"] = amr
    put_claims(idp, "subject-1", **claims)
    client = Client()
    response = sign_in(client, council, "subject-1")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Wrekin Entra did not ask for a second step" in page
    assert "turn on multi-factor authentication" in page
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "no multi-factor at the provider"
    event = Event.objects.filter(action="login.sso_refused").latest("id")
    assert event.object_id == str(staff.pk)
    assert event.council_id == council.pk
    assert not Event.objects.filter(action="login.succeeded").exists()
    # Refused before anything about the account was recorded.
    assert not SignOnSubject.objects.exists()


@pytest.mark.parametrize("amr", [["pwd", "mfa"], ["otp"], ["hwk", "pwd"], ["swk"], ["FIDO"]])
def test_a_sign_on_naming_multi_factor_is_let_in_without_the_portals_second_step(
    idp, council, staff, amr
):
    _require_mfa(council)
    put_claims(idp, "subject-1", email=EMAIL, email_verified=True, amr=amr)
    client = Client()
    response = sign_in(client, council, "subject-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("home:home")
    assert logged_in_as(client) == staff.pk
    assert client.get(reverse("home:home")).status_code == 200


def test_without_the_rule_the_amr_is_not_asked_for(idp, council, staff):
    put_claims(idp, "subject-1", email=EMAIL, email_verified=True, amr=["pwd"])
    client = Client()
    assert sign_in(client, council, "subject-1").status_code == 302
    assert logged_in_as(client) == staff.pk


def test_the_councils_administrator_turns_it_on_and_it_is_audited(idp, council):
    admin = make_user(council=council, role="council_administrator")
    client = client_for(admin)
    page = client.get(reverse("accounts:sso_settings")).content.decode()
    assert "Require multi-factor at the identity provider" in page
    form = {
        "name": "Wrekin Entra",
        "issuer": idp,
        "client_id": "carebridge-portal",
        "client_secret": "",
        "enabled": "on",
        "sso_requires_mfa": "on",
    }
    assert client.post(reverse("accounts:sso_settings"), form).status_code == 302
    assert Rulebook.objects.get(council=council).sso_requires_mfa
    event = Event.objects.filter(action="rulebook.updated").latest("id")
    assert event.before["sso_requires_mfa"] is False
    assert event.after["sso_requires_mfa"] is True
    del form["sso_requires_mfa"]
    client.post(reverse("accounts:sso_settings"), form)
    assert not Rulebook.objects.get(council=council).sso_requires_mfa


# Who a sign-on is (10.5.2)


def test_the_first_sign_in_records_the_issuer_and_subject(idp, council, staff):
    put_claims(idp, "entra-oid-1", email=EMAIL, email_verified=True)
    assert sign_in(Client(), council, "entra-oid-1").status_code == 302
    recorded = SignOnSubject.objects.get()
    assert (recorded.user, recorded.issuer, recorded.subject) == (staff, idp, "entra-oid-1")
    event = Event.objects.get(action="login.sso_subject_recorded")
    assert event.object_id == str(staff.pk)
    assert event.detail == {"council": council.slug, "issuer": idp}
    # A second sign-in records nothing more.
    assert sign_in(Client(), council, "entra-oid-1").status_code == 302
    assert SignOnSubject.objects.count() == 1
    assert Event.objects.filter(action="login.sso_subject_recorded").count() == 1


def test_later_sign_ins_are_matched_by_the_subject_whatever_the_email(idp, council, staff):
    put_claims(idp, "entra-oid-1", email=EMAIL, email_verified=True)
    sign_in(Client(), council, "entra-oid-1")
    # The person's address changes at the provider; the portal's account is still theirs.
    put_claims(idp, "entra-oid-1", email="sam.okafor@wrekinshire.gov.uk", email_verified=True)
    client = Client()
    assert sign_in(client, council, "entra-oid-1").status_code == 302
    assert logged_in_as(client) == staff.pk


def test_the_same_email_with_another_subject_is_refused_and_audited(idp, council, staff):
    put_claims(idp, "entra-oid-1", email=EMAIL, email_verified=True)
    sign_in(Client(), council, "entra-oid-1")
    # The provider gave the address to someone else (a new starter with the same name).
    put_claims(idp, "entra-oid-2", email=EMAIL, email_verified=True)
    client = Client()
    response = sign_in(client, council, "entra-oid-2")
    assert response.status_code == 403
    assert "set up for someone else" in response.content.decode()
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "another subject for the account"
    event = Event.objects.filter(action="login.sso_refused").latest("id")
    assert event.object_id == str(staff.pk)
    assert SignOnSubject.objects.get().subject == "entra-oid-1"


def test_a_subject_recorded_for_an_account_no_longer_in_reach_signs_no_one_in(idp, council, staff):
    put_claims(idp, "entra-oid-1", email=EMAIL, email_verified=True)
    sign_in(Client(), council, "entra-oid-1")
    staff.is_active = False
    staff.save()
    client = Client()
    assert sign_in(client, council, "entra-oid-1").status_code == 403
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "closed"
