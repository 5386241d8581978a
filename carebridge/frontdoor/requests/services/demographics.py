"""The gate in front of the NHS demographics look-up (integrations/pds.py) on the professionals'
front door. The professional is not logged in, so an open look-up would let anyone read anyone's
name and address from an NHS number; the gate lets through only someone who:

1. proves a work e-mail address at one of the council's trusted domains
   (`PdsConnection.trusted_email_domains`, a domain or any of its subdomains): a six-digit code
   is e-mailed (the e-mail outbox), kept in the session only as an HMAC under the site's secret
   key, good for 15 minutes and 5 tries; at most CODES_PER_EMAIL codes an hour to one address
   and CODES_PER_SESSION to one session (the view adds the per-address limit of its route);
2. knows the person's date of birth as well as their NHS number: a record whose date of birth
   differs is NOT_FOUND, exactly like a number PDS does not know, so the gate never says that a
   number exists; a sensitive record is RESTRICTED, which the pages show exactly like NOT_FOUND;
3. stays under LOOKUPS_PER_HOUR look-ups an hour for that e-mail address, a fixed number here (a
   professional refers a few people an hour, a script fishing for addresses many more);

and every look-up is audited in the council's log: the verified e-mail address, the NHS number's
last four digits and the outcome, never what PDS said of the person. A verification lasts for
the session, at most VERIFIED_FOR, and ends when the council stops trusting the domain.

Decision record: docs/decisions/0019-demographics-lookup.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac

from carebridge.audit.services import record
from carebridge.core.bounds import has_control_characters
from carebridge.core.calendar import now
from carebridge.core.errors import Refused
from carebridge.integrations.models import PdsConnection
from carebridge.integrations.pds import PdsLookup, PdsOutcome, patient_lookup
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import email_queue
from carebridge.organisations.models import Council
from carebridge.people.validators import nhs_number_is_valid, normalise_nhs_number

CODE_LIFETIME = timedelta(minutes=15)
CODE_TRIES = 5
CODES_PER_EMAIL = 3  # an hour, to one address
CODES_PER_SESSION = 5  # an hour, from one session
LOOKUPS_PER_HOUR = 20  # for one verified e-mail address
VERIFIED_FOR = timedelta(hours=8)
HOUR = 3600
_SALT = "frontdoor.pds.code"
_MAX_EMAIL = 254


class DemographicsRefused(Refused):
    """No code was sent: why, in words the professional can act on."""


def _session_key(council: Council) -> str:
    return f"frontdoor.pds.{council.pk}"


def _state(session: SessionBase, council: Council) -> dict[str, Any]:
    state = session.get(_session_key(council))
    return dict(state) if isinstance(state, dict) else {}


def _save(session: SessionBase, council: Council, state: dict[str, Any]) -> None:
    session[_session_key(council)] = state
    session.modified = True


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _connection(council: Council) -> PdsConnection | None:
    return PdsConnection.objects.filter(council=council, enabled=True).first()


def _trusted(connection: PdsConnection | None, email: str) -> bool:
    """Whether the address is at a trusted domain or one of its subdomains."""
    if connection is None or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1]
    return any(
        domain == trusted or domain.endswith("." + trusted)
        for trusted in connection.trusted_domains()
    )


def _code_hash(council: Council, email: str, nonce: str, code: str) -> str:
    # Keyed by the site's secret key: six digits alone would be found by trying them all.
    value = f"{council.pk}\n{email}\n{nonce}\n{code}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()


def _over_limit(key: str, limit: int) -> bool:
    """Count one more in the hour that `key`'s first count started; whether it is over `limit`.
    The count lives in the cache (Redis when set, shared by every web process)."""
    cache.add(key, 0, timeout=HOUR)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=HOUR)
        count = 1
    return count > limit


def _email_key(council: Council, kind: str, email: str) -> str:
    digest = hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]
    return f"frontdoor.pds.{kind}.{council.pk}.{digest}"


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not email or len(email) > _MAX_EMAIL or has_control_characters(email):
        raise DemographicsRefused("Enter your work e-mail address, like name@nhs.net")
    try:
        validate_email(email)
    except ValidationError:
        raise DemographicsRefused("Enter your work e-mail address, like name@nhs.net") from None
    return email


def verification_send(session: SessionBase, council: Council, email: str) -> None:
    """E-mail a six-digit code to a professional's work address at one of the council's trusted
    domains; the code replaces any sent before. Raises DemographicsRefused, sending nothing,
    when the address is not at a trusted domain, or too many codes were asked for."""
    email = _clean_email(email)
    connection = _connection(council)
    if connection is None:
        raise DemographicsRefused("This council does not look people up from the NHS number")
    if not _trusted(connection, email):
        domains = ", ".join(connection.trusted_domains()) or "none yet"
        raise DemographicsRefused(
            f"Use your work e-mail address. The council accepts addresses at: {domains}"
        )
    state = _state(session, council)
    moment = now()
    sent = [
        s for s in state.get("sent", []) if (m := _moment(s)) and moment - m < timedelta(hours=1)
    ]
    if len(sent) >= CODES_PER_SESSION or _over_limit(
        _email_key(council, "codes", email), CODES_PER_EMAIL
    ):
        raise DemographicsRefused(
            "Too many codes have been asked for. Wait an hour, or fill in the person's details "
            "yourself"
        )
    code, nonce = f"{secrets.randbelow(10**6):06d}", secrets.token_hex(16)
    _save(
        session,
        council,
        {
            "sent": [*sent, moment.isoformat()],
            "email": email,
            "nonce": nonce,
            "code": _code_hash(council, email, nonce, code),
            "expires": (moment + CODE_LIFETIME).isoformat(),
            "tries": 0,
        },
    )
    context = {"council": council, "code": code, "minutes": CODE_LIFETIME.seconds // 60}
    with transaction.atomic():
        _code_email(council, email, nonce, context)


def _code_email(council: Council, email: str, nonce: str, context: dict[str, Any]) -> None:
    """The code's e-mail, sent once the transaction commits, and its audit row."""
    email_queue(
        to=email,
        kind=NotificationKind.FRONT_DOOR,
        key=f"front-door-pds-code-{council.pk}-{nonce}",
        subject=render_to_string("frontdoor/email/pds_code_subject.txt", context).strip(),
        body=render_to_string("frontdoor/email/pds_code.txt", context),
    )
    record(action="front_door.pds_code_sent", council=council, detail={"email": email})


def verification_confirm(session: SessionBase, council: Council, code: str) -> bool:
    """Whether the code is the one e-mailed (within 15 minutes, in 5 tries); if it is, the
    professional is verified for the session. A code used, expired or tried 5 times is gone."""
    state = _state(session, council)
    email, expires = state.get("email"), _moment(state.get("expires"))
    if not isinstance(email, str) or not state.get("code") or expires is None:
        return False
    given = "".join((code or "").split())[:12]
    tries = int(state.get("tries", 0)) + 1
    pending = expires > now() and tries <= CODE_TRIES
    right = pending and hmac.compare_digest(
        _code_hash(council, email, str(state.get("nonce", "")), given), str(state["code"])
    )
    kept = {"sent": state.get("sent", [])}
    if right:
        kept |= {"verified": email, "verified_until": (now() + VERIFIED_FOR).isoformat()}
        record(action="front_door.pds_verified", council=council, detail={"email": email})
    elif pending and tries < CODE_TRIES:
        kept = {**state, "tries": tries}
    _save(session, council, kept)
    return right


def professional_verified(session: SessionBase, council: Council) -> str:
    """The work e-mail address this session proved, or "" (none, expired, or a domain the
    council no longer trusts)."""
    state = _state(session, council)
    email, until = state.get("verified"), _moment(state.get("verified_until"))
    if not isinstance(email, str) or until is None or until <= now():
        return ""
    return email if _trusted(_connection(council), email) else ""


def _audit(council: Council, email: str, digits: str, outcome: str) -> None:
    record(
        action="front_door.pds_lookup",
        council=council,
        detail={"email": email, "nhs_number_last4": digits[-4:], "outcome": outcome},
    )


def demographics_for(
    session: SessionBase, council: Council, nhs_number: str, date_of_birth: date
) -> PdsLookup:
    """The person's demographics for a verified professional who knows their NHS number and
    date of birth (see the module's rules). NOT_CONFIGURED when the session is not verified;
    UNAVAILABLE when the hour's look-ups are used up."""
    email = professional_verified(session, council)
    if not email:
        return PdsLookup(PdsOutcome.NOT_CONFIGURED)
    digits = normalise_nhs_number(nhs_number or "")
    if not nhs_number_is_valid(digits):
        return PdsLookup(PdsOutcome.NOT_FOUND)
    if _over_limit(_email_key(council, "lookups", email), LOOKUPS_PER_HOUR):
        _audit(council, email, digits, "rate_limited")
        return PdsLookup(PdsOutcome.UNAVAILABLE)
    found = patient_lookup(council.pk, digits)
    outcome = found.outcome.value
    if found.outcome is PdsOutcome.FOUND and (
        found.demographics is None or found.demographics.date_of_birth != date_of_birth
    ):
        found, outcome = PdsLookup(PdsOutcome.NOT_FOUND), "date_of_birth_differs"
    _audit(council, email, digits, outcome)
    return found
