"""The NHS Personal Demographics Service (PDS FHIR API, R4): a person's name, date of birth, home
address and GP practice from their NHS number, for the professionals' front door. Used only
for a council with an enabled `PdsConnection`; the gate that decides who may ask is
`frontdoor/requests/services/demographics.py`.

The shapes used, and nothing else:

    POST <token_url>          form: grant_type=client_credentials,
                              client_assertion_type=urn:ietf:params:oauth:client-assertion-type:
                              jwt-bearer, client_assertion=<JWT>; answers {"access_token",
                              "expires_in" (seconds, as a string), "token_type": "Bearer"}
    GET  <base>/Patient/<nhs_number>   Accept: application/fhir+json, X-Request-ID (a UUID),
                              Authorization: Bearer <token>, NHSD-End-User-Organisation-ODS

The JWT is NHS England's "application-restricted, signed JWT" pattern: RS512, header `kid`,
claims `iss` = `sub` = the application's API key, `aud` = the token endpoint, a fresh `jti`
and `exp` at most five minutes ahead. The token is cached (Django's cache, per connection and
credentials) until shortly before it expires; a 401 gets a new one once.

What the answer means:

    200, meta.security "U"       FOUND: the current "usual" name, the current "home" address,
                                 the current GP practice (generalPractitioner[].identifier.value,
                                 its ODS code)
    200, meta.security "R"/"V"   RESTRICTED (a sensitive record: nothing of it is kept or shown,
                                 not even the name); a record whose confidentiality cannot be
                                 read is treated the same way
    200 with another id          the asked number was superseded (merged): FOUND, with the
                                 record's own, current number
    404 (OperationOutcome), 400  NOT_FOUND (400 is an invalid or malformed number)
    403, 429, 5xx, a timeout, a failed connection, an answer that is not a Patient
                                 UNAVAILABLE (logged with PDS's request id, never the number)

Every call goes through the address guard (`core.outbound.open_url`: TLS verified, no
redirects, no private addresses). What comes back is bounded: the answer at most 1 MiB, every
text without control characters and cut to a length, at most five address lines.
"""

from __future__ import annotations

import enum
import hashlib
import http.client
import json
import logging
import re
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import Message
from typing import Any
from urllib.parse import quote

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from carebridge.core.calendar import now, today
from carebridge.core.outbound import OutboundRefused, open_url, url_refusal
from carebridge.integrations.models import PdsConnection
from carebridge.integrations.oauth import TokenRefused, TokenUnusable, client_credentials_token
from carebridge.people.validators import nhs_number_is_valid, normalise_nhs_number

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
USER_AGENT = "carebridge-pds/1"
FHIR_JSON = "application/fhir+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# NHS England refuses a client assertion that lives longer than five minutes.
ASSERTION_LIFETIME = timedelta(minutes=5)
TOKEN_MARGIN = timedelta(minutes=1)
_MAX_ANSWER_BYTES = 1024 * 1024
_MAX_ADDRESS_LINES = 5
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# NHS England asks for RSA keys of 4096 bits; fewer than 2048 are refused outright here.
SMALLEST_KEY_BITS = 2048
_ODS_CODE = re.compile(r"[A-Z0-9]{3,10}")
# meta.security codes (v3-Confidentiality as PDS uses them): only "U" is an ordinary record.
UNRESTRICTED = "U"


class PdsOutcome(enum.Enum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    RESTRICTED = "restricted"
    UNAVAILABLE = "unavailable"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class Demographics:
    """What PDS says of a person, as the front door fills it in."""

    nhs_number: str
    given_names: str
    family_name: str
    date_of_birth: date | None
    address_lines: tuple[str, ...]
    postcode: str
    gp_practice_code: str
    gp_practice_name: str


@dataclass(frozen=True)
class PdsLookup:
    outcome: PdsOutcome
    demographics: Demographics | None = None


class _Unavailable(Exception):
    """PDS could not answer: why, in words for the log (never a number or a secret)."""


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    headers: Message


def private_key_refusal(pem: str) -> str:
    """Why this text cannot sign the client assertion, or "" when it is an RSA private key."""
    try:
        key = load_pem_private_key(pem.strip().encode("utf-8"), password=None)
    except (ValueError, TypeError):
        return "Enter an RSA private key in PEM form, starting -----BEGIN PRIVATE KEY-----"
    except UnsupportedAlgorithm:
        return "Enter an RSA private key in PEM form, without a password"
    if not isinstance(key, RSAPrivateKey):
        return "Enter an RSA private key: NHS England signs with RS512"
    if key.key_size < SMALLEST_KEY_BITS:
        return f"Enter an RSA key of at least {SMALLEST_KEY_BITS} bits (NHS England asks for 4096)"
    return ""


def patient_lookup(council_id: int, nhs_number: str) -> PdsLookup:
    """The person with this NHS number, from the council's PDS connection. NOT_CONFIGURED when
    the council has none (or it is switched off); an invalid number is NOT_FOUND, never sent."""
    connection = PdsConnection.objects.filter(council_id=council_id, enabled=True).first()
    if connection is None:
        return PdsLookup(PdsOutcome.NOT_CONFIGURED)
    digits = normalise_nhs_number(nhs_number or "")
    if not nhs_number_is_valid(digits):
        return PdsLookup(PdsOutcome.NOT_FOUND)
    try:
        return PdsClient(connection).patient(digits)
    except _Unavailable as error:
        logger.warning("PDS look-up for council %s unavailable: %s", council_id, error)
        return PdsLookup(PdsOutcome.UNAVAILABLE)


# --- Reading the Patient --------------------------------------------------------------------


def _text(value: Any, limit: int) -> str:
    """One line of text from PDS: no control characters, spaces collapsed, at most `limit`."""
    if not isinstance(value, str):
        return ""
    return " ".join(_CONTROL.sub(" ", value).split())[:limit].strip()


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _day(value: Any) -> date | None:
    """A full FHIR date (YYYY-MM-DD); a partial one (YYYY, YYYY-MM) or anything else is None."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _current(item: dict[str, Any], on: date) -> bool:
    """Whether a name, address or GP's period covers `on` (no period: always; an unreadable end
    is taken as ended, an unreadable start as started)."""
    period = _dict(item.get("period"))
    start, end = _day(period.get("start")), _day(period.get("end"))
    if "end" in period and end is None:
        return False
    return (start is None or start <= on) and (end is None or on <= end)


def _restricted(patient: dict[str, Any]) -> bool:
    """A sensitive ("R") or very restricted ("V") record, or one whose confidentiality cannot
    be read: only a record marked "U" alone is ordinary."""
    codes = {
        _text(label.get("code"), 10) for label in _list(_dict(patient.get("meta")).get("security"))
    }
    return codes != {UNRESTRICTED}


def _name(patient: dict[str, Any], on: date) -> tuple[str, str]:
    """Given names and family name of the current "usual" name (PDS always has one)."""
    names = [name for name in _list(patient.get("name")) if _current(name, on)]
    usual = next((name for name in names if name.get("use") == "usual"), None)
    if usual is None:
        return "", ""
    given = usual.get("given")
    given_names = " ".join(_text(part, 100) for part in given) if isinstance(given, list) else ""
    return _text(given_names, 200), _text(usual.get("family"), 100)


def _address(patient: dict[str, Any], on: date) -> tuple[tuple[str, ...], str]:
    """Lines and postcode of the current "home" address."""
    home = next(
        (
            address
            for address in _list(patient.get("address"))
            if address.get("use") == "home" and _current(address, on)
        ),
        None,
    )
    if home is None:
        return (), ""
    raw = home.get("line")
    lines = [_text(line, 100) for line in raw] if isinstance(raw, list) else []
    postcode = _text(home.get("postalCode"), 10).upper()
    return tuple(line for line in lines if line)[:_MAX_ADDRESS_LINES], postcode


def _practice(patient: dict[str, Any], on: date) -> tuple[str, str]:
    """The current GP practice's ODS code, and its name when the reference carries one (PDS
    gives the code; the name is the Organisation Data Service's, when `display` is absent)."""
    for reference in _list(patient.get("generalPractitioner")):
        identifier = _dict(reference.get("identifier"))
        code = _text(identifier.get("value"), 10).upper()
        if _ODS_CODE.fullmatch(code) and _current(identifier, on):
            return code, _text(reference.get("display"), 200)
    return "", ""


def demographics_from(patient: Any, asked: str) -> PdsLookup:
    """What a 200 answer means (see the module's table)."""
    if not isinstance(patient, dict) or patient.get("resourceType") != "Patient":
        raise _Unavailable("the answer is not a Patient")
    number = _text(patient.get("id"), 10)
    if not nhs_number_is_valid(number):
        raise _Unavailable("the Patient's id is not an NHS number")
    if _restricted(patient):
        return PdsLookup(PdsOutcome.RESTRICTED)
    on = today()
    given_names, family_name = _name(patient, on)
    lines, postcode = _address(patient, on)
    code, practice = _practice(patient, on)
    if number != asked:
        logger.info("PDS answered a superseded NHS number with the record's current one")
    return PdsLookup(
        PdsOutcome.FOUND,
        Demographics(
            nhs_number=number,
            given_names=given_names,
            family_name=family_name,
            date_of_birth=_day(patient.get("birthDate")),
            address_lines=lines,
            postcode=postcode,
            gp_practice_code=code,
            gp_practice_name=practice,
        ),
    )


def _issue_code(answer: _Answer) -> str:
    """The OperationOutcome's first issue's code (e.g. RESOURCE_NOT_FOUND), for the log."""
    try:
        data = json.loads(answer.body or b"{}")
    except ValueError:
        return ""
    for issue in _list(_dict(data).get("issue")):
        for coding in _list(_dict(issue.get("details")).get("coding")):
            code = _text(coding.get("code"), 60)
            if code:
                return code
        return _text(issue.get("code"), 60)
    return ""


class PdsClient:
    """A council's application-restricted access to PDS."""

    def __init__(self, connection: PdsConnection, *, timeout: float | None = None) -> None:
        self.connection = connection
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout

    def patient(self, nhs_number: str) -> PdsLookup:
        """Read the Patient; raises _Unavailable when PDS cannot answer."""
        for url in (self.connection.base_url, self.connection.token_url):
            refusal = url_refusal(url)
            if refusal:
                raise _Unavailable(f"the address may not be used: {refusal}")
        request_id = str(uuid.uuid4())
        answer = self._read(nhs_number, request_id, fresh=False)
        if answer.status == 401:
            answer = self._read(nhs_number, request_id=str(uuid.uuid4()), fresh=True)
        if answer.status == 200:
            try:
                patient = json.loads(answer.body)
            except ValueError as error:
                raise _Unavailable(f"the answer to {request_id} is not JSON") from error
            return demographics_from(patient, nhs_number)
        if answer.status in (400, 404, 410):
            return PdsLookup(PdsOutcome.NOT_FOUND)
        raise _Unavailable(
            f"PDS answered {answer.status} {_issue_code(answer)} to request {request_id}".strip()
        )

    def _read(self, nhs_number: str, request_id: str, *, fresh: bool) -> _Answer:
        c = self.connection
        headers = {
            "Accept": FHIR_JSON,
            "X-Request-ID": request_id,
            "User-Agent": USER_AGENT,
            "Authorization": f"Bearer {self._token(fresh=fresh)}",
        }
        ods_code = _text(c.ods_code, 10).upper()
        if ods_code:
            headers["NHSD-End-User-Organisation-ODS"] = ods_code
        url = f"{c.base_url.rstrip('/')}/Patient/{quote(nhs_number, safe='')}"
        request = urllib.request.Request(url, method="GET", headers=headers)  # noqa: S310 (open_url checks the address)
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> _Answer:
        """Through the address guard: any HTTP answer comes back; no answer raises."""
        try:
            with open_url(request, timeout=self.timeout) as response:
                return _Answer(
                    int(response.status), response.read(_MAX_ANSWER_BYTES), response.headers
                )
        except OutboundRefused as error:
            raise _Unavailable(f"the address may not be reached: {error}") from error
        except urllib.error.HTTPError as error:
            return _Answer(error.code, error.read(_MAX_ANSWER_BYTES), error.headers)
        except urllib.error.URLError as error:
            raise _Unavailable(f"PDS could not be reached: {error.reason}") from error
        except TimeoutError as error:
            raise _Unavailable(f"PDS did not answer within {self.timeout:g} seconds") from error
        except (OSError, http.client.HTTPException) as error:
            raise _Unavailable(f"the connection failed: {type(error).__name__}") from error

    # --- The token --------------------------------------------------------------------------

    def _cache_key(self) -> str:
        """Per connection and credentials: a new key or address never uses an old token."""
        c = self.connection
        parts = "\n".join([str(c.pk), c.token_url, c.api_key, c.key_id, c.private_key])
        return "pds-token:" + hashlib.sha256(parts.encode("utf-8")).hexdigest()[:40]

    def client_assertion(self) -> str:
        """The signed JWT that asks for a token (RS512, five minutes at most)."""
        c = self.connection
        issued = now()
        claims = {
            "iss": c.api_key,
            "sub": c.api_key,
            "aud": c.token_url,
            "jti": str(uuid.uuid4()),
            "exp": int((issued + ASSERTION_LIFETIME).timestamp()),
        }
        try:
            return jwt.encode(
                claims, c.private_key, algorithm="RS512", headers={"kid": c.key_id, "typ": "JWT"}
            )
        except (ValueError, TypeError, jwt.PyJWTError) as error:
            # The key itself is never logged: only that it could not sign.
            raise _Unavailable("the private key cannot sign (is it an RSA key in PEM?)") from error

    def _token(self, *, fresh: bool) -> str:
        try:
            return client_credentials_token(
                token_url=self.connection.token_url,
                form=lambda: {
                    "grant_type": "client_credentials",
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": self.client_assertion(),
                },
                cache_key=self._cache_key(),
                send=self._open,
                user_agent=USER_AGENT,
                margin=TOKEN_MARGIN,
                fresh=fresh,
            )
        except (TokenRefused, TokenUnusable) as error:
            raise _Unavailable(str(error)) from error
