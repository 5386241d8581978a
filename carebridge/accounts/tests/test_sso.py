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
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

from carebridge.accounts import sso
from carebridge.accounts.forms import LoginForm
from carebridge.accounts.models import SingleSignOn, User
from carebridge.accounts.sso import Discovery, Reason, SignOnRefused
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from tests.support import (
    PASSWORD,
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]

CLIENT_ID = "carebridge-portal"
CLIENT_SECRET = "not-a-real-secret-0123456789"


@pytest.fixture(autouse=True)
def empty_cache():
    # Discovery documents, keys and used nonces are cached: each test starts with none.
    cache.clear()
    yield
    cache.clear()


def _issuer(server) -> str:
    return f"http://localhost:{server.server_port}"


@pytest.fixture
def idp():
    with run_server_in_thread() as server:
        yield _issuer(server)


@pytest.fixture
def council(idp):
    council = make_council("Wrekinshire Council")
    SingleSignOn.objects.create(
        council=council,
        name="Wrekin Entra",
        issuer=idp,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    return council


def put_claims(issuer: str, sub: str, **claims) -> None:
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        f"{issuer}/users/{quote(sub, safe='')}",
        data=json.dumps(claims).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (the test's own server)
        assert response.status == 204


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def authorize(address: str, sub: str, **form: str) -> str:
    """The person signs in at the provider (its form, posted): the address it sends them back
    to, on the portal."""
    opener = urllib.request.build_opener(_Stay)
    data = urlencode({"sub": sub, **form}).encode()
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(urllib.request.Request(address, data=data, method="POST"), timeout=5)  # noqa: S310
    assert answer.value.code == 302, answer.value.read()
    return answer.value.headers["Location"]


def start(client: Client, council) -> str:
    response = client.post(reverse("accounts:sso_start", args=[council.slug]))
    assert response.status_code == 302, response.content
    return response["Location"]


def back(client: Client, address: str):
    parts = urlsplit(address)
    assert parts.path == reverse("accounts:sso_callback")
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, council, sub: str, **form: str):
    return back(client, authorize(start(client, council), sub, **form))


def logged_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def refusals() -> list[dict]:
    return [e.detail for e in Event.objects.filter(action="login.sso_refused").order_by("id")]


def verified(idp: str, email: str) -> None:
    put_claims(idp, email, email=email, email_verified=True)


# A good sign-in


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


@contextmanager
def serving(document: dict):
    """A small real server on loopback answering every GET with `document` as JSON: the
    address it is at."""

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", document
    finally:
        server.shutdown()
        server.server_close()


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
        issuer = _issuer(stale)
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


# The ID token's checks, one by one, on tokens signed here with a key whose JWKS a real server
# on loopback publishes (the mock cannot be made to sign them wrong)

ISSUER = "https://id.wrekinshire.example"
NONCE = "n" * 43


@pytest.fixture
def signer():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    with serving({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}) as (url, _):
        config = Discovery(
            issuer=ISSUER,
            authorization_endpoint=f"{ISSUER}/authorize",
            token_endpoint=f"{ISSUER}/token",
            jwks_uri=url,
            algorithms=("RS256",),
            basic_auth=True,
        )
        yield private, config


_OWN_KEY = object()


def _token(private, *, headers=None, key=_OWN_KEY, algorithm="RS256", **claims) -> str:
    moment = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "someone",
        "iat": moment,
        "exp": moment + 300,
        "nonce": NONCE,
        **claims,
    }
    payload = {name: value for name, value in payload.items() if value is not None}
    signing_key = private if key is _OWN_KEY else key
    return jwt.encode(payload, signing_key, algorithm, headers=headers or {"kid": "k1"})


def _claims(config, token: str) -> dict:
    provider = SingleSignOn(issuer=ISSUER, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    return sso.id_token_claims(provider, config, token, nonce=NONCE)


def test_a_right_token_gives_its_claims_and_only_once(signer):
    private, config = signer
    token = _token(private, email="a@b.example")
    assert _claims(config, token)["email"] == "a@b.example"
    with pytest.raises(SignOnRefused) as refused:
        _claims(config, token)
    assert refused.value.reason is Reason.NONCE_REPLAYED


def _other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: _token(p, key=_other_key()), Reason.TOKEN_INVALID),
        (lambda p: _token(p, key=CLIENT_SECRET, algorithm="HS256"), Reason.TOKEN_INVALID),
        (lambda p: _token(p, key=None, algorithm="none"), Reason.TOKEN_INVALID),
        (lambda p: _token(p, headers={"kid": "another"}), Reason.TOKEN_INVALID),
        (lambda p: _token(p, aud="someone-else"), Reason.TOKEN_INVALID),
        (lambda p: _token(p, aud=[CLIENT_ID, "someone-else"]), Reason.TOKEN_INVALID),
        (lambda p: _token(p, iss="https://evil.example"), Reason.WRONG_ISSUER),
        (lambda p: _token(p, iss=None), Reason.TOKEN_INVALID),
        (lambda p: _token(p, exp=int(time.time()) - 120), Reason.TOKEN_EXPIRED),
        (lambda p: _token(p, iat=int(time.time()) - 3600), Reason.TOKEN_EXPIRED),
        (lambda p: _token(p, iat=int(time.time()) + 3600), Reason.TOKEN_INVALID),
        (lambda p: _token(p, nonce=None), Reason.NONCE_MISMATCH),
        (lambda p: _token(p, nonce="m" * 43), Reason.NONCE_MISMATCH),
        (lambda p: "not.a.token", Reason.TOKEN_INVALID),
    ],
    ids=[
        "another key",
        "HS256 with the client secret",
        "alg none",
        "unknown key id",
        "another audience",
        "two audiences and no azp",
        "another issuer",
        "no issuer",
        "expired",
        "issued an hour ago",
        "issued in the future",
        "no nonce",
        "another nonce",
        "not a token",
    ],
)
def test_a_wrong_token_is_refused(signer, make, reason):
    private, config = signer
    with pytest.raises(SignOnRefused) as refused:
        _claims(config, make(private))
    assert refused.value.reason is reason


def test_two_audiences_are_taken_when_the_token_names_us_as_its_party(signer):
    private, config = signer
    token = _token(private, aud=[CLIENT_ID, "api"], azp=CLIENT_ID)
    assert _claims(config, token)["azp"] == CLIENT_ID


# The rulebook's rule, and the sign-in page


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
    with pytest.raises(sso.PermissionDenied):
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
