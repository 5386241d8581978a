"""Single sign-on against a real OpenID Connect provider: oidc-provider-mock, run by the tests
on loopback in a thread, spoken to over HTTP through the address guard.

The mock signs ID tokens with its own RSA key and publishes it at its JWKS address. Cases it
cannot make by itself are made with real servers too: an expired ID token comes from a second
mock whose tokens live minus ten minutes (`access_token_max_age`, which also sets the ID
token's `exp`); a wrong issuer from a small discovery server whose document names itself as
the issuer but sends the flow to the mock, which signs as its own address; a replayed nonce
from an authorization request whose nonce is swapped for one already used (the mock, like a
careless provider, does not refuse a nonce twice).
"""

import json
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

from carebridge.accounts import sso
from carebridge.accounts.models import SingleSignOn, User
from carebridge.accounts.tests.sso.support import (
    CLIENT_ID,
    authorize,
    back,
    issuer_of,
    logged_in_as,
    put_claims,
    refusals,
    serving,
    sign_in,
    start,
    verified,
)
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from tests.support import (
    make_contract,
    make_council,
    make_provider,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]


def test_a_council_user_signs_in_and_it_is_audited_like_a_log_in(idp, council):
    user = make_user(council=council, email="sam.broker@wrekinshire.gov.uk", role="broker")
    User.objects.filter(pk=user.pk).update(failed_attempts=2)
    # The provider's address has another case: the match ignores it.
    verified(idp, "Sam.Broker@Wrekinshire.gov.uk")
    client = Client()
    response = sign_in(client, council, "Sam.Broker@Wrekinshire.gov.uk")
    assert response.status_code == 302
    assert response["Location"] == reverse("home:home")
    assert logged_in_as(client) == user.pk
    assert client.get(reverse("home:home")).status_code == 200
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.failed_attempts == 2  # the lock-out's count is not touched
    event = Event.objects.get(action="login.succeeded")
    assert event.object_id == str(user.pk)
    assert event.council_id == council.pk
    assert event.detail == {"via": "single sign-on", "council": council.slug}
    assert refusals() == []


def test_the_page_asked_for_before_signing_in_comes_next(idp, council):
    user = make_user(council=council, email="ana@wrekinshire.gov.uk")
    verified(idp, user.email)
    client = Client()
    response = client.post(
        reverse("accounts:sso_start", args=[council.slug]), {"next": "/accounts/account/"}
    )
    response = back(client, authorize(response["Location"], user.email))
    assert response["Location"] == "/accounts/account/"
    other = Client()
    response = other.post(
        reverse("accounts:sso_start", args=[council.slug]), {"next": "https://evil.example/"}
    )
    response = back(other, authorize(response["Location"], user.email))
    assert response["Location"] == reverse("home:home")


def test_the_authorization_request_carries_pkce_state_and_nonce(council):
    address = start(Client(), council)
    query = parse_qs(urlsplit(address).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 43
    assert len(query["nonce"][0]) >= 43
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/callback/"]


def test_a_provider_user_signs_in_when_the_council_allows_it(idp, council):
    provider = make_provider()
    make_contract(council, provider)
    user = make_user(provider=provider, email="lee@homecare.example")
    verified(idp, user.email)
    client = Client()
    refused = sign_in(client, council, user.email)
    assert refused.status_code == 403
    assert "There is no portal account for you" in refused.content.decode()
    assert logged_in_as(client) is None
    SingleSignOn.objects.filter(council=council).update(providers_may_use=True)
    response = sign_in(client, council, user.email)
    assert response.status_code == 302
    assert logged_in_as(client) == user.pk
    # A provider's log-in is in the log of every council it works for.
    assert Event.objects.filter(action="login.succeeded", council=council).exists()


def test_a_provider_not_working_for_the_council_cannot_use_its_sign_on(idp, council):
    SingleSignOn.objects.filter(council=council).update(providers_may_use=True)
    stranger = make_user(provider=make_provider(), email="kim@elsewhere.example")
    verified(idp, stranger.email)
    client = Client()
    assert sign_in(client, council, stranger.email).status_code == 403
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "no account"


def test_another_councils_staff_cannot_use_its_sign_on(idp, council):
    other = make_user(council=make_council(), email="pat@othershire.gov.uk")
    verified(idp, other.email)
    client = Client()
    assert sign_in(client, council, other.email).status_code == 403
    assert logged_in_as(client) is None


# Refusals, each audited


def test_an_unknown_email_is_refused_no_account_is_made_and_the_address_is_not_logged(idp, council):
    verified(idp, "nobody@wrekinshire.gov.uk")
    users = User.objects.count()
    client = Client()
    response = sign_in(client, council, "nobody@wrekinshire.gov.uk")
    assert response.status_code == 403
    assert "no portal account with the e-mail address" in response.content.decode()
    assert logged_in_as(client) is None
    assert User.objects.count() == users
    event = Event.objects.get(action="login.sso_refused")
    assert event.detail == {"reason": "no account", "council": council.slug}
    assert event.council_id == council.pk
    assert "nobody" not in json.dumps(event.detail)


@pytest.mark.parametrize(
    "claims",
    [
        {"email_verified": False},
        {},  # no email_verified at all, as Microsoft Entra ID sends by default
        {"email_verified": "false"},
    ],
)
def test_an_email_the_provider_has_not_verified_is_refused(idp, council, claims):
    user = make_user(council=council, email="jo@wrekinshire.gov.uk")
    put_claims(idp, user.email, email=user.email, **claims)
    client = Client()
    response = sign_in(client, council, user.email)
    assert response.status_code == 403
    assert "did not confirm your e-mail address" in response.content.decode()
    assert logged_in_as(client) is None
    assert refusals() == [{"reason": "e-mail not verified", "council": council.slug}]


def test_entra_ids_domain_owner_verified_claim_counts_as_verified(idp, council):
    user = make_user(council=council, email="mo@wrekinshire.gov.uk")
    put_claims(idp, user.email, email=user.email, xms_edov=True)
    client = Client()
    assert sign_in(client, council, user.email).status_code == 302
    assert logged_in_as(client) == user.pk


def test_a_preferred_username_alone_is_not_trusted(idp, council):
    user = make_user(council=council, email="al@wrekinshire.gov.uk")
    put_claims(idp, "al-sub", preferred_username=user.email, email_verified=True)
    client = Client()
    assert sign_in(client, council, "al-sub").status_code == 403
    assert refusals()[-1]["reason"] == "e-mail not verified"


@pytest.mark.parametrize(
    ("change", "reason", "words"),
    [
        ({"locked_at": now()}, "locked", "This account is locked"),
        ({"suspended_at": now()}, "suspended", "Your account is suspended"),
        ({"is_active": False}, "closed", "This account has been closed"),
    ],
)
def test_a_locked_suspended_or_closed_account_is_refused(idp, council, change, reason, words):
    user = make_user(council=council, email="vi@wrekinshire.gov.uk")
    User.objects.filter(pk=user.pk).update(**change)
    verified(idp, user.email)
    client = Client()
    response = sign_in(client, council, user.email)
    assert response.status_code == 403
    assert words in response.content.decode()
    assert logged_in_as(client) is None
    event = Event.objects.get(action="login.sso_refused")
    assert event.object_id == str(user.pk)
    assert event.detail["reason"] == reason


def test_the_provider_refusing_is_shown_and_audited(idp, council):
    client = Client()
    address = authorize(start(client, council), "anyone@example.org", action="deny")
    query = parse_qs(urlsplit(address).query)
    assert query["error"] == ["access_denied"]
    state = parse_qs(urlsplit(start(client, council)).query)["state"][0]
    # The mock's refusal does not carry the state back: the refusal is replayed with one.
    response = client.get(
        reverse("accounts:sso_callback")
        + "?"
        + urlencode({"error": "access_denied", "state": state})
    )
    assert response.status_code == 403
    assert "did not sign you in" in response.content.decode()
    assert refusals()[-1]["reason"] == "provider refused"


def test_a_provider_that_cannot_be_reached_is_a_plain_page_and_audited(council):
    SingleSignOn.objects.filter(council=council).update(issuer="http://localhost:9")
    response = Client().post(reverse("accounts:sso_start", args=[council.slug]))
    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()
    assert refusals()[-1]["reason"] == "provider unavailable"


def test_a_council_without_an_enabled_sign_on_is_refused(council):
    SingleSignOn.objects.filter(council=council).update(enabled=False)
    response = Client().post(reverse("accounts:sso_start", args=[council.slug]))
    assert response.status_code == 403
    assert "not available" in response.content.decode()
    assert refusals()[-1]["reason"] == "not offered"


# Replays, a wrong issuer, an expired token


def test_a_replayed_callback_is_refused(idp, council):
    user = make_user(council=council, email="ray@wrekinshire.gov.uk")
    verified(idp, user.email)
    client = Client()
    address = authorize(start(client, council), user.email)
    assert back(client, address).status_code == 302
    client.post(reverse("accounts:logout"))
    # The same answer again, in the same browser: its state was used.
    again = back(client, address)
    assert again.status_code == 403
    assert "Your sign-in has expired" in again.content.decode()
    assert logged_in_as(client) is None
    # And in another browser, which never started a sign-in (a forged log-in).
    elsewhere = Client()
    assert back(elsewhere, address).status_code == 403
    assert logged_in_as(elsewhere) is None
    assert [r["reason"] for r in refusals()] == ["expired", "expired"]
    assert Event.objects.filter(action="login.succeeded").count() == 1


def test_a_callback_whose_state_was_used_is_refused_even_before_the_provider_answers(idp, council):
    user = make_user(council=council, email="eve@wrekinshire.gov.uk")
    verified(idp, user.email)
    client = Client()
    address = authorize(start(client, council), user.email)
    state = parse_qs(urlsplit(address).query)["state"][0]
    # A made-up code with the right state uses the state up, so the real answer is refused.
    assert client.get(
        reverse("accounts:sso_callback") + "?" + urlencode({"code": "made-up", "state": state})
    ).status_code in (403, 503)
    assert back(client, address).status_code == 403
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "expired"


def test_sign_ins_started_in_two_tabs_each_keep_their_own_state(idp, council):
    user = make_user(council=council, email="tabs@wrekinshire.gov.uk")
    verified(idp, user.email)
    client = Client()
    first = start(client, council)
    start(client, council)
    assert len(client.session["sso_pending"]) == 2
    assert back(client, authorize(first, user.email)).status_code == 302
    assert logged_in_as(client) == user.pk


def test_a_sign_in_left_for_more_than_ten_minutes_is_refused(idp, council):
    user = make_user(council=council, email="slow@wrekinshire.gov.uk")
    verified(idp, user.email)
    client = Client()
    address = authorize(start(client, council), user.email)
    session = client.session
    for pending in session["sso_pending"].values():
        pending["at"] -= sso.PENDING_LIFETIME_SECONDS + 1
    session.save()
    response = back(client, address)
    assert response.status_code == 403
    assert "Your sign-in has expired" in response.content.decode()
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "expired"


def _with_nonce(address: str, nonce: str) -> str:
    parts = urlsplit(address)
    query = parse_qs(parts.query)
    query["nonce"] = [nonce]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def test_a_replayed_nonce_is_refused(idp, council):
    user = make_user(council=council, email="nina@wrekinshire.gov.uk")
    verified(idp, user.email)
    first = Client()
    first_address = start(first, council)
    used_nonce = parse_qs(urlsplit(first_address).query)["nonce"][0]
    assert back(first, authorize(first_address, user.email)).status_code == 302
    # A second sign-in whose token carries the first one's nonce.
    second = Client()
    response = back(second, authorize(_with_nonce(start(second, council), used_nonce), user.email))
    assert response.status_code == 403
    assert "could not trust" in response.content.decode()
    assert logged_in_as(second) is None
    assert refusals() == [{"reason": "nonce replayed", "council": council.slug}]


def test_a_nonce_that_is_not_this_sign_ins_is_refused(idp, council):
    user = make_user(council=council, email="noor@wrekinshire.gov.uk")
    verified(idp, user.email)
    client = Client()
    response = back(client, authorize(_with_nonce(start(client, council), "x" * 43), user.email))
    assert response.status_code == 403
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "nonce not this sign-in's"


def test_a_token_from_another_issuer_is_refused(idp, council):
    with urllib.request.urlopen(f"{idp}/.well-known/openid-configuration", timeout=5) as answer:  # noqa: S310
        mock_document = json.load(answer)
    user = make_user(council=council, email="ira@wrekinshire.gov.uk")
    verified(idp, user.email)
    client = Client()
    with serving(dict(mock_document)) as (address, document):
        # This "provider" names itself as the issuer, but the mock signs the token as its own.
        document["issuer"] = address
        SingleSignOn.objects.filter(council=council).update(issuer=address)
        response = sign_in(client, council, user.email)
    assert response.status_code == 403
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "wrong issuer"


def test_a_discovery_document_naming_another_issuer_is_refused(idp, council):
    # The mock names itself by the address it was reached at: 127.0.0.1 is not "localhost".
    port = urlsplit(idp).port
    SingleSignOn.objects.filter(council=council).update(issuer=f"http://localhost:{port}/")
    response = Client().post(reverse("accounts:sso_start", args=[council.slug]))
    assert response.status_code == 403
    assert refusals()[-1] == {
        "reason": "wrong issuer",
        "detail": "discovery names another issuer",
        "council": council.slug,
    }


def test_an_expired_id_token_is_refused(council):
    with run_server_in_thread(access_token_max_age=timedelta(minutes=-10)) as stale:
        issuer = issuer_of(stale)
        SingleSignOn.objects.filter(council=council).update(issuer=issuer)
        user = make_user(council=council, email="old@wrekinshire.gov.uk")
        verified(issuer, user.email)
        client = Client()
        response = sign_in(client, council, user.email)
    assert response.status_code == 403
    assert "already expired" in response.content.decode()
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "token expired"


def test_a_code_issued_to_another_client_is_refused(idp, council):
    user = make_user(council=council, email="cy@wrekinshire.gov.uk")
    verified(idp, user.email)
    client = Client()
    parts = urlsplit(start(client, council))
    query = parse_qs(parts.query)
    query["client_id"] = ["someone-else"]
    forged = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    response = back(client, authorize(forged, user.email))
    assert response.status_code == 403
    assert "did not sign you in" in response.content.decode()
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "provider refused"
    assert refusals()[-1]["detail"].endswith("/oauth2/token answered 400")
