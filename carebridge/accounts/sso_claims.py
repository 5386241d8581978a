"""What a sign-on's ID token must say, beyond its signature and registered claims: why a sign-in
is refused (`Reason`, the audit log's words), the e-mail address the identity provider vouches
for, who the person is at it (`iss` and `sub`), and how strongly they were checked there (`amr`).
Used by `carebridge.accounts.sso`, which re-exports the refusal."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from carebridge.core.bounds import has_control_characters
from carebridge.core.errors import Refused
from carebridge.organisations.validators import normalise_email

if TYPE_CHECKING:
    from carebridge.accounts.models import SingleSignOn, User

# The authentication method references (RFC 8176) that mean more than a password was checked:
# multi-factor, a one-time code, a proof of a key held in hardware or software, a FIDO
# authenticator. Microsoft Entra ID sends "mfa".
MFA_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "fido"})
# RFC 7519 allows a `sub` of any string; one longer than this is not a real provider's.
SUBJECT_MAX_LENGTH = 255


class Reason(StrEnum):
    """Why a sign-in through a council's provider was refused: the audit log's words."""

    NOT_OFFERED = "not offered"
    EXPIRED = "expired"
    PROVIDER_REFUSED = "provider refused"
    UNAVAILABLE = "provider unavailable"
    TOKEN_INVALID = "token invalid"  # noqa: S105 (a reason, not a secret)
    WRONG_ISSUER = "wrong issuer"
    TOKEN_EXPIRED = "token expired"  # noqa: S105 (a reason, not a secret)
    NONCE_MISMATCH = "nonce not this sign-in's"
    NONCE_REPLAYED = "nonce replayed"
    EMAIL_UNVERIFIED = "e-mail not verified"
    NO_ACCOUNT = "no account"
    CLOSED = "closed"
    LOCKED = "locked"
    SUSPENDED = "suspended"
    NO_MFA = "no multi-factor at the provider"
    SUBJECT_CHANGED = "another subject for the account"


class SignOnRefused(Refused):
    """A sign-in refused: `reason` for the log, `message` its detail; the account (`user`) when
    one was found, and the council's sign-on (`sso`) when known, for the page's words."""

    def __init__(self, reason: Reason, message: str = "", *, user: User | None = None) -> None:
        super().__init__(message or reason.value)
        self.reason = reason
        self.user = user
        self.sso: SingleSignOn | None = None


def verified_email(claims: dict[str, Any]) -> str:
    """The e-mail the provider vouches for. `email_verified` must be true. Microsoft Entra ID
    does not send it; it sends `xms_edov` ("e-mail domain owner verified", an optional claim the
    tenant adds) instead, which is taken as the same promise. An `email` with neither, or a
    `preferred_username`, is never trusted: anyone may type any address into some tenants."""
    email = claims.get("email")
    if not isinstance(email, str) or not email or len(email) > 254 or "@" not in email:
        raise SignOnRefused(Reason.EMAIL_UNVERIFIED, "no e-mail address")
    if has_control_characters(email):
        raise SignOnRefused(Reason.EMAIL_UNVERIFIED, "e-mail address not usable")
    if not any(claims.get(name) in (True, "true") for name in ("email_verified", "xms_edov")):
        raise SignOnRefused(Reason.EMAIL_UNVERIFIED)
    return normalise_email(email)


def subject_of(claims: dict[str, Any]) -> str:
    """The token's `sub` (required and checked present by the signature's check), bounded."""
    subject = claims.get("sub")
    if (
        not isinstance(subject, str)
        or not subject
        or len(subject) > SUBJECT_MAX_LENGTH
        or has_control_characters(subject)
    ):
        raise SignOnRefused(Reason.TOKEN_INVALID, "no usable subject")
    return subject


def require_mfa(claims: dict[str, Any], user: User) -> None:
    """Refuses the sign-in unless the token's `amr` names a method beyond a password (the
    council's rulebook asks for it: `sso_requires_mfa`). A missing or malformed `amr` is no
    promise of anything."""
    methods = claims.get("amr")
    named = [m for m in methods[:20] if isinstance(m, str)] if isinstance(methods, list) else []
    if not any(method.lower() in MFA_METHODS for method in named):
        # What it did say, bounded and printable, for whoever reads the log.
        said = ["".join(c for c in method[:20] if c.isprintable()) for method in named[:5]]
        raise SignOnRefused(Reason.NO_MFA, f"amr was {said}", user=user)
