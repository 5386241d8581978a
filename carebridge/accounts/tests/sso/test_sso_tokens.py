"""Single sign-on's ID token checks, one defect at a time: tokens signed here with PyJWT, the
keys served by a real server on loopback."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from carebridge.accounts import sso
from carebridge.accounts.models import SingleSignOn
from carebridge.accounts.sso import Discovery, Reason, SignOnRefused
from carebridge.accounts.tests.sso.support import (
    CLIENT_ID,
    CLIENT_SECRET,
    serving,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]


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
