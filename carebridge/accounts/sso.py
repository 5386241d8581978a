"""Single sign-on per council: OpenID Connect's authorization-code flow with PKCE.

A council may name its identity provider (`SingleSignOn`: Microsoft Entra ID, say). The sign-in
page posts to `accounts:sso_start`, which sends the person there with a fresh `state`, `nonce`
and PKCE verifier kept in their session; the provider sends them back to `accounts:sso_callback`
with a code, which is swapped for an ID token. The token's signature is checked against the
provider's keys (JWKS), and its `iss`, `aud`, `exp`, `iat` and `nonce`. The person is matched
to an EXISTING active, unlocked, unsuspended account of the council (or, when the council allows
it, of a provider working for it): at the first sign-in by the e-mail the provider verified,
when the token's `iss` and `sub` are recorded; after that by them (ASVS 10.5.2), and the same
e-mail with another `sub` is refused. No account is ever made here. Each `state` is used once,
whatever the answer.

The second step (the passcode or the authenticator) is the identity provider's job: a council
that turns on its single sign-on relies on the provider's own multi-factor check, so the portal
does not ask for its own second step after it. A council whose rulebook says so
(`sso_requires_mfa`, ASVS 6.8.4) has that checked: the token's `amr` must name a method beyond
a password (`sso_claims.MFA_METHODS`), or the sign-in is refused.

Why not mozilla-django-oidc's backend and views: they read one provider from global settings,
fetch with `requests` (outside `core.outbound`'s address guard, which every address a council
gives us must pass), do not check `aud`, and make accounts on the fly; overriding each of
those leaves nothing of them. The flow is small, so it is written here on PyJWT (which
mozilla-django-oidc itself depends on) for the signature and the registered claims, and
`core.outbound.open_url` for every request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import jwt
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from carebridge.accounts.models import SignOnSubject, SingleSignOn, User
from carebridge.accounts.services.common import record_about

# The rulebook's rule lives with the password log-in, which checks it; it is read here too.
from carebridge.accounts.services.signin import (
    single_sign_on_required as single_sign_on_required,
)

# The refusal lives with the claims' own checks; the views and tests read it here too.
from carebridge.accounts.sso_claims import Reason as Reason
from carebridge.accounts.sso_claims import SignOnRefused as SignOnRefused
from carebridge.accounts.sso_claims import require_mfa, subject_of, verified_email
from carebridge.audit.services import record
from carebridge.core.bounds import has_control_characters
from carebridge.core.calendar import now
from carebridge.core.outbound import OutboundRefused, open_url, url_refusal
from carebridge.integrations.connections import connections_editor_require
from carebridge.organisations.models import Council
from carebridge.organisations.selectors import providers_of_council
from carebridge.organisations.services import rulebook_update

# A sign-in not finished in ten minutes starts again, like a pending password log-in.
PENDING_LIFETIME_SECONDS = 10 * 60
# Sign-ins started in other tabs of the same browser, kept until they are used or too old.
MAX_PENDING = 5
# Discovery documents and keys change rarely; a key not found in the cached set is fetched again.
METADATA_SECONDS = 60 * 60
TIMEOUT_SECONDS = 10
MAX_BODY_BYTES = 512 * 1024
# Clocks differ a little between the provider and us.
LEEWAY_SECONDS = 60
# Only public-key signatures: "none" and the HMAC family (signed with the client secret, which
# a council administrator types in) are never accepted.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
SCOPE = "openid email profile"


@dataclass(frozen=True)
class Discovery:
    """What the provider's /.well-known/openid-configuration says that the flow uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    basic_auth: bool


# Reads


def sign_in_choices() -> QuerySet[SingleSignOn]:
    """The sign-on buttons on the sign-in page: every council's enabled provider."""
    return (
        SingleSignOn.objects.filter(enabled=True)
        .select_related("council")
        .order_by("council__name")
    )


def single_sign_on_of(council_slug: str) -> SingleSignOn | None:
    return (
        SingleSignOn.objects.filter(council__slug=council_slug, enabled=True)
        .select_related("council")
        .first()
    )


# Talking to the provider


def _json(request: urllib.request.Request) -> dict[str, Any]:
    """A JSON object from the provider, through the address guard. The provider's refusal (a
    400 or 401: a code it did not issue to us, or a wrong client secret) is PROVIDER_REFUSED;
    any other failure (the guard, the network, another status, a body too big or not an
    object) is UNAVAILABLE."""
    try:
        with open_url(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as error:
        reason = Reason.PROVIDER_REFUSED if error.code in (400, 401) else Reason.UNAVAILABLE
        raise SignOnRefused(reason, f"{request.full_url} answered {error.code}") from None
    except (OutboundRefused, OSError) as error:
        raise SignOnRefused(Reason.UNAVAILABLE, str(error)[:200]) from None
    if len(body) > MAX_BODY_BYTES:
        raise SignOnRefused(Reason.UNAVAILABLE, "answer too big")
    try:
        data = json.loads(body)
    except ValueError:
        raise SignOnRefused(Reason.UNAVAILABLE, "answer not JSON") from None
    if not isinstance(data, dict):
        raise SignOnRefused(Reason.UNAVAILABLE, "answer not a JSON object")
    return data


def _get(url: str) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (open_url checks the address)
        url, headers={"Accept": "application/json"}
    )
    return _json(request)


def _address(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or url_refusal(value):
        raise SignOnRefused(Reason.UNAVAILABLE, f"discovery has no usable {name}")
    return value


def discovery(sso: SingleSignOn) -> Discovery:
    """The provider's settings from `<issuer>/.well-known/openid-configuration`, cached for an
    hour. Its `issuer` must be the one configured, exactly (OpenID Connect Discovery 4.3)."""
    key = "sso:discovery:" + hashlib.sha256(sso.issuer.encode()).hexdigest()
    found = cache.get(key)
    if isinstance(found, Discovery):
        return found
    data = _get(sso.issuer.rstrip("/") + "/.well-known/openid-configuration")
    if data.get("issuer") != sso.issuer:
        raise SignOnRefused(Reason.WRONG_ISSUER, "discovery names another issuer")
    offered = data.get("id_token_signing_alg_values_supported") or ["RS256"]
    methods = data.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    found = Discovery(
        issuer=sso.issuer,
        authorization_endpoint=_address(data, "authorization_endpoint"),
        token_endpoint=_address(data, "token_endpoint"),
        jwks_uri=_address(data, "jwks_uri"),
        algorithms=tuple(a for a in ALGORITHMS if isinstance(offered, list) and a in offered),
        basic_auth="client_secret_basic" in methods,
    )
    cache.set(key, found, METADATA_SECONDS)
    return found


def _signing_key(config: Discovery, header: dict[str, Any]) -> jwt.PyJWK:
    """The provider's key that signed the token: by its `kid`, from the cached key set, which is
    fetched again once when the key is not in it (the provider has rolled its keys)."""
    key = "sso:jwks:" + hashlib.sha256(config.jwks_uri.encode()).hexdigest()
    for fresh in (False, True):
        keys = None if fresh else cache.get(key)
        if keys is None:
            keys = _get(config.jwks_uri).get("keys")
            if not isinstance(keys, list):
                raise SignOnRefused(Reason.UNAVAILABLE, "the key set has no keys")
            cache.set(key, keys, METADATA_SECONDS)
        usable = [
            k
            for k in keys
            if isinstance(k, dict)
            and k.get("use", "sig") == "sig"
            and k.get("alg", header["alg"]) == header["alg"]
            and (header.get("kid") is None or k.get("kid") == header.get("kid"))
        ]
        if len(usable) == 1:
            try:
                return jwt.PyJWK(usable[0], algorithm=header["alg"])
            except jwt.PyJWTError:
                raise SignOnRefused(Reason.TOKEN_INVALID, "unusable key") from None
    raise SignOnRefused(Reason.TOKEN_INVALID, "no single key matches the token")


# The flow


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sso_begin(*, council_slug: str, redirect_uri: str) -> tuple[str, dict[str, Any]]:
    """Where to send the person to sign in at their council's provider, and what their session
    keeps for the way back (the caller stores it under its `state`)."""
    sso = single_sign_on_of(council_slug)
    if sso is None:
        raise SignOnRefused(Reason.NOT_OFFERED)
    config = discovery(sso)
    pending: dict[str, Any] = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": secrets.token_urlsafe(64),
        "council": sso.council_id,
        "at": time.time(),
    }
    query = urlencode(
        {
            "response_type": "code",
            "client_id": sso.client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPE,
            "state": pending["state"],
            "nonce": pending["nonce"],
            "code_challenge": _challenge(pending["verifier"]),
            "code_challenge_method": "S256",
        }
    )
    joiner = "&" if "?" in config.authorization_endpoint else "?"
    return f"{config.authorization_endpoint}{joiner}{query}", pending


def _token_response(
    sso: SingleSignOn, config: Discovery, *, code: str, redirect_uri: str, verifier: str
) -> dict[str, Any]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        "client_id": sso.client_id,
    }
    headers = {"Accept": "application/json"}
    if config.basic_auth:
        # RFC 6749 2.3.1: each part form-encoded before the two are joined and base64-encoded.
        pair = f"{quote(sso.client_id, safe='')}:{quote(sso.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        form["client_secret"] = sso.client_secret
    request = urllib.request.Request(  # noqa: S310 (open_url checks the address)
        config.token_endpoint, data=urlencode(form).encode(), headers=headers, method="POST"
    )
    return _json(request)


def _nonce_key(nonce: str) -> str:
    return "sso:nonce:" + hashlib.sha256(nonce.encode()).hexdigest()


def id_token_claims(
    sso: SingleSignOn, config: Discovery, id_token: str, *, nonce: str
) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, times and nonce are right.

    The nonce is also remembered as used (for as long as a sign-in may take), so the same token
    never signs anyone in twice even if a session could be replayed."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise SignOnRefused(Reason.TOKEN_INVALID, "not a signed token") from None
    if header.get("alg") not in config.algorithms:
        raise SignOnRefused(Reason.TOKEN_INVALID, "signature algorithm not accepted")
    key = _signing_key(config, header)
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=[header["alg"]],
            audience=sso.client_id,
            issuer=sso.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"], "strict_aud": False},
        )
    except jwt.InvalidIssuerError:
        raise SignOnRefused(Reason.WRONG_ISSUER) from None
    except jwt.ExpiredSignatureError:
        raise SignOnRefused(Reason.TOKEN_EXPIRED) from None
    except jwt.PyJWTError as error:
        raise SignOnRefused(Reason.TOKEN_INVALID, str(error)[:200]) from None
    # A token issued long ago is as good as expired, whatever its `exp` says.
    if claims["iat"] < time.time() - PENDING_LIFETIME_SECONDS - LEEWAY_SECONDS:
        raise SignOnRefused(Reason.TOKEN_EXPIRED, "issued too long ago")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != sso.client_id:
        raise SignOnRefused(Reason.TOKEN_INVALID, "issued to another party")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not secrets.compare_digest(token_nonce, nonce):
        used = isinstance(token_nonce, str) and cache.get(_nonce_key(token_nonce)) is not None
        raise SignOnRefused(Reason.NONCE_REPLAYED if used else Reason.NONCE_MISMATCH)
    if not cache.add(_nonce_key(nonce), True, PENDING_LIFETIME_SECONDS * 2):
        raise SignOnRefused(Reason.NONCE_REPLAYED)
    return claims


def _matching_user(sso: SingleSignOn, claims: dict[str, Any]) -> User:
    """The existing account at the council, or at a provider working for it when the council
    lets providers use its sign-on; never made here. An account signed in through this issuer
    before is found by the subject recorded then (ASVS 10.5.2), whatever e-mail the token
    carries now; otherwise by the verified e-mail (any case), unless that account has another
    subject at this issuer: the address has been given to someone else."""
    subject = subject_of(claims)
    whose = Q(council_id=sso.council_id)
    if sso.providers_may_use:
        whose |= Q(provider__in=providers_of_council(sso.council_id))
    accounts = User.objects.filter(whose).select_related("council__rulebook", "provider")
    known = SignOnSubject.objects.filter(issuer=sso.issuer, subject=subject).first()
    if known is not None:
        user = accounts.filter(pk=known.user_id).first()
    else:
        user = accounts.filter(email__iexact=verified_email(claims)).first()
        if user is not None and user.sign_on_subjects.filter(issuer=sso.issuer).exists():
            raise SignOnRefused(Reason.SUBJECT_CHANGED, user=user)
    if user is None:
        raise SignOnRefused(Reason.NO_ACCOUNT)
    return user


def _subject_recorded(user: User, sso: SingleSignOn, subject: str, *, ip: str | None) -> None:
    """The account's subject at this issuer, recorded at its first sign-in through it. Two
    first sign-ins at once with different subjects: the second finds the first's and is
    refused."""
    try:
        found, made = SignOnSubject.objects.get_or_create(
            user=user,
            issuer=sso.issuer,
            defaults={"subject": subject, "first_signed_in_at": now()},
        )
    except IntegrityError:
        raise SignOnRefused(Reason.SUBJECT_CHANGED, "subject taken", user=user) from None
    if found.subject != subject:
        raise SignOnRefused(Reason.SUBJECT_CHANGED, user=user)
    if made:
        record_about(
            user,
            action="login.sso_subject_recorded",
            by=user,
            detail={"council": sso.council.slug, "issuer": sso.issuer},
            ip_address=ip,
        )


def _refusal_for(user: User) -> SignOnRefused:
    reason = (
        Reason.CLOSED
        if not user.is_active
        else Reason.LOCKED
        if user.is_locked
        else Reason.SUSPENDED
    )
    return SignOnRefused(reason, user=user)


@transaction.atomic
def _complete(user: User, sso: SingleSignOn, subject: str, *, ip: str | None) -> None:
    """The log-in itself, as the password log-in finishes it (`login_complete`): the account is
    checked to be open, unlocked and unsuspended in the statement that sets its last log-in, and
    the log-in goes into its organisation's logs. The count of wrong password tries is left as
    it is: a sign-in elsewhere says nothing about guesses at the portal's password, and a
    locked account stays locked until a reset or an administrator unlocks it."""
    if not User.objects.filter(
        pk=user.pk, is_active=True, locked_at__isnull=True, suspended_at__isnull=True
    ).update(last_login=now()):
        user.refresh_from_db(fields=["is_active", "locked_at", "suspended_at"])
        raise _refusal_for(user)
    _subject_recorded(user, sso, subject, ip=ip)
    record_about(
        user,
        action="login.succeeded",
        by=user,
        detail={"via": "single sign-on", "council": sso.council.slug},
        ip_address=ip,
    )


def _record_refusal(refusal: SignOnRefused, sso: SingleSignOn | None, *, ip: str | None) -> None:
    """`login.sso_refused`, with the reason, in the log of the account when one was found, else
    of the council whose sign-on it was. The e-mail address the provider sent is never written
    (decision 0008): an unknown one would be a stranger's personal data in the log."""
    refusal.sso = sso
    detail = {"reason": refusal.reason.value}
    if refusal.message != refusal.reason.value:
        detail["detail"] = refusal.message
    if sso is not None:
        detail["council"] = sso.council.slug
    if refusal.user is not None:
        record_about(refusal.user, action="login.sso_refused", detail=detail, ip_address=ip)
    else:
        record(
            action="login.sso_refused",
            council=sso.council_id if sso is not None else None,
            detail=detail,
            ip_address=ip,
        )


def sso_start(
    *, council_slug: str, redirect_uri: str, ip: str | None = None
) -> tuple[str, dict[str, Any]]:
    """`sso_begin`, with a refusal (no such sign-on, the provider unreachable) recorded."""
    try:
        return sso_begin(council_slug=council_slug, redirect_uri=redirect_uri)
    except SignOnRefused as refusal:
        _record_refusal(refusal, single_sign_on_of(council_slug), ip=ip)
        raise


def _signed_in_user(
    sso: SingleSignOn, pending: dict[str, Any], params: Any, redirect_uri: str
) -> tuple[User, str]:
    """The account the provider's answer signs in, and its subject there."""
    error = params.get("error")
    if error:
        # The provider's own code ("access_denied", say), bounded: it came through the browser.
        code = "".join(c for c in str(error)[:100] if c.isprintable())
        raise SignOnRefused(Reason.PROVIDER_REFUSED, f"provider said {code}")
    code = params.get("code")
    if not code or len(code) > 4096 or has_control_characters(code):
        raise SignOnRefused(Reason.PROVIDER_REFUSED, "no code")
    config = discovery(sso)
    tokens = _token_response(
        sso, config, code=code, redirect_uri=redirect_uri, verifier=pending["verifier"]
    )
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str) or len(id_token) > MAX_BODY_BYTES:
        raise SignOnRefused(Reason.TOKEN_INVALID, "no ID token")
    claims = id_token_claims(sso, config, id_token, nonce=pending["nonce"])
    user = _matching_user(sso, claims)
    if sso.council.rulebook.sso_requires_mfa:
        require_mfa(claims, user)
    return user, subject_of(claims)


def sso_finish(
    *, pending: dict[str, Any] | None, params: Any, redirect_uri: str, ip: str | None = None
) -> User:
    """The way back from the provider: `pending` is what `sso_begin` gave for this `state`,
    already taken out of the session by the caller (so a second use of the same answer finds
    nothing and is EXPIRED); `params` the callback's query. Returns the account signed in, or
    raises SignOnRefused, recorded either way."""
    sso: SingleSignOn | None = None
    try:
        if pending is None or time.time() - float(pending["at"]) > PENDING_LIFETIME_SECONDS:
            raise SignOnRefused(Reason.EXPIRED)
        sso = (
            SingleSignOn.objects.filter(council_id=pending["council"], enabled=True)
            .select_related("council")
            .first()
        )
        if sso is None:
            raise SignOnRefused(Reason.NOT_OFFERED)
        user, subject = _signed_in_user(sso, pending, params, redirect_uri)
        if not user.is_active or user.is_locked or user.is_suspended:
            raise _refusal_for(user)
        _complete(user, sso, subject, ip=ip)
    except SignOnRefused as refusal:
        _record_refusal(refusal, sso, ip=ip)
        raise
    return user


# The council administrator's settings

SETTINGS_FIELDS = ("name", "issuer", "client_id", "enabled", "providers_may_use")


def sso_settings_of(council: Council) -> SingleSignOn | None:
    return SingleSignOn.objects.filter(council=council).first()


@transaction.atomic
def sso_settings_update(
    *,
    council: Council,
    by: User,
    client_secret: str,
    staff_single_sign_on_required: bool,
    signed_in_through_it: bool,
    sso_requires_mfa: bool = False,
    **fields: Any,
) -> SingleSignOn:
    """Set the council's single sign-on: its administrators only. The issuer must be an address
    the outbound guard accepts; the client secret is kept when none is given (the page never
    shows it back) and never goes into the log. Requiring it of the council's staff is refused
    until the administrator has signed in through it in this session: a provider set up wrong
    would otherwise lock every member of staff out at once, the administrator included.
    `sso_requires_mfa` (the rulebook's) refuses sign-ons whose token names no multi-factor."""
    connections_editor_require(council, by)
    if set(fields) != set(SETTINGS_FIELDS):
        raise TypeError(f"single sign-on settings are {SETTINGS_FIELDS}")
    current = SingleSignOn.objects.select_for_update().filter(council=council).first()
    before = None if current is None else _audit_values(current)
    current = current or SingleSignOn(council=council)
    errors: dict[str, str] = {}
    refusal = url_refusal(fields["issuer"])
    if refusal:
        errors["issuer"] = refusal
    if not client_secret and not current.client_secret:
        errors["client_secret"] = "Enter the client secret"  # noqa: S105 (a message)
    rulebook = council.rulebook
    if staff_single_sign_on_required and not rulebook.staff_single_sign_on_required:
        if not fields["enabled"]:
            errors["staff_single_sign_on_required"] = (
                "Turn the single sign-on on before requiring it of staff"
            )
        elif not signed_in_through_it:
            errors["staff_single_sign_on_required"] = (
                "Sign in through the single sign-on yourself first, so you know it works, "
                "then require it of staff"
            )
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(current, name, value)
    if client_secret:
        current.client_secret = client_secret
    current.full_clean()
    current.save()
    after = _audit_values(current)
    if before != after or client_secret:
        record(
            action="single_sign_on.created" if before is None else "single_sign_on.updated",
            by=by,
            obj=current,
            council=council,
            before=before,
            after=after,
            detail={"client_secret_changed": bool(client_secret)},
        )
    rules = {
        "staff_single_sign_on_required": staff_single_sign_on_required,
        "sso_requires_mfa": sso_requires_mfa,
    }
    changed = {name: value for name, value in rules.items() if getattr(rulebook, name) != value}
    if changed:
        rulebook_update(council=council, by=by, **changed)
    # The provider's settings may have moved with the issuer.
    cache.delete("sso:discovery:" + hashlib.sha256(current.issuer.encode()).hexdigest())
    return current


def _audit_values(sso: SingleSignOn) -> dict[str, Any]:
    return {name: getattr(sso, name) for name in SETTINGS_FIELDS}
