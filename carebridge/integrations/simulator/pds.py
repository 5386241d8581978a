"""The NHS Personal Demographics Service (PDS FHIR API, R4) and NHS England's token endpoint, as
far as the PDS adapter (`integrations/pds.py`) uses them, in the same shapes as the real ones:

    POST /pds/oauth2/token                 client credentials with a signed JWT
                                           (client_assertion, RS512, checked against the
                                           peer's public key: iss = sub = the API key, aud =
                                           this endpoint, kid, exp at most 5 minutes ahead,
                                           jti used once); {"access_token", "expires_in":
                                           "599", "token_type": "Bearer", "issued_at"}
    GET  /pds/FHIR/R4/Patient/<nhs number> a Patient (application/fhir+json), a 404 or 400
                                           OperationOutcome, 401 without a valid token, 400
                                           without an X-Request-ID that is a UUID

Its people (`patients`, by NHS number, to read and change in tests) are made up, with numbers
from the 999 range that is never issued:

    ORDINARY      an ordinary record (meta.security "U"), with an old name and address beside
                  the current ones, and a GP practice
    RESTRICTED    a sensitive record ("R"): PDS leaves out its address and GP, as here
    SUPERSEDED    an old number merged into SUPERSEDED_BY: its read answers the current record,
                  whose id is the new number
    any other valid number: 404 RESOURCE_NOT_FOUND; an invalid one: 400 INVALID_RESOURCE_ID

`replies` queues answers given instead of the next Patient reads (a 429, a 503); the
simulator's faults (failures, timeouts, slow answers) apply to every request.
"""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from carebridge.integrations.simulator.server import Peer, Reply, Request
from carebridge.people.validators import nhs_number_is_valid

FHIR = "/FHIR/R4"
TOKEN = "/oauth2/token"  # noqa: S105 (an address, not a secret)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ORDINARY = "9996923231"
RESTRICTED = "9992124075"
SUPERSEDED = "9997108272"
SUPERSEDED_BY = "9997471490"
NOT_FOUND = "9992541857"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
_LABELS = {"U": "unrestricted", "R": "restricted", "V": "very restricted"}


def outcome(status: int, code: str, display: str, *, issue: str = "invalid") -> Reply:
    """An OperationOutcome as PDS answers one: the spine error code in details.coding."""
    return Reply(
        status,
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": issue,
                    "details": {
                        "coding": [
                            {
                                "system": "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode",
                                "version": "1",
                                "code": code,
                                "display": display,
                            }
                        ]
                    },
                }
            ],
        },
    )


def patient(
    nhs_number: str,
    *,
    given: list[str],
    family: str,
    birth_date: str,
    security: str = "U",
    lines: list[str] | None = None,
    postcode: str = "",
    gp: str = "",
) -> dict[str, Any]:
    """A Patient in PDS's shape, with a current usual name, home address and GP."""
    record: dict[str, Any] = {
        "resourceType": "Patient",
        "id": nhs_number,
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": nhs_number}],
        "meta": {
            "versionId": "2",
            "security": [
                {"system": CONFIDENTIALITY, "code": security, "display": _LABELS[security]}
            ],
        },
        "name": [
            {
                "id": "123",
                "use": "usual",
                "period": {"start": "2015-01-01"},
                "given": given,
                "family": family,
                "prefix": ["Mrs"],
            }
        ],
        "gender": "female",
        "birthDate": birth_date,
    }
    if lines is not None:
        record["address"] = [
            {
                "id": "456",
                "use": "home",
                "period": {"start": "2019-06-01"},
                "line": lines,
                "postalCode": postcode,
            }
        ]
    if gp:
        record["generalPractitioner"] = [
            {
                "id": "254406A3",
                "type": "Organization",
                "identifier": {
                    "system": ODS_SYSTEM,
                    "value": gp,
                    "period": {"start": "2019-06-01"},
                },
            }
        ]
    return record


def _fixtures() -> dict[str, dict[str, Any]]:
    ordinary = patient(
        ORDINARY,
        given=["Margaret", "Ann"],
        family="Holloway",
        birth_date="1944-05-17",
        lines=["12 Orchard Row", "Hadley", "Telmouth"],
        postcode="TF1 5XX",
        gp="M99001",
    )
    # What changed: a name and an address that ended, which must never be the ones shown.
    ordinary["name"].append(
        {"use": "old", "given": ["Margaret"], "family": "Pryce", "period": {"end": "2014-12-31"}}
    )
    ordinary["address"].append(
        {
            "use": "home",
            "line": ["3 Mill Lane", "Wellham"],
            "postalCode": "TF2 9XX",
            "period": {"start": "2001-01-01", "end": "2019-05-31"},
        }
    )
    return {
        ORDINARY: ordinary,
        # PDS removes a sensitive record's address, telecom and GP before answering.
        RESTRICTED: patient(
            RESTRICTED, given=["Joan"], family="Ashdown", birth_date="1950-02-02", security="R"
        ),
        SUPERSEDED_BY: patient(
            SUPERSEDED_BY,
            given=["Peter"],
            family="Lowe",
            birth_date="1938-11-30",
            lines=["Flat 4", "7 Station Road", "Telmouth"],
            postcode="TF3 1XX",
            gp="M99002",
        ),
    }


class Pds(Peer):
    """PDS and its token endpoint, for one application (its API key and key pair)."""

    prefix = "/pds"

    def __init__(
        self, *, api_key: str = "carebridge-pds-app", key_id: str = "carebridge-1"
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.key_id = key_id
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = key.public_key()
        # The private key the council keeps (PEM): tests give it to the PdsConnection.
        self.private_key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        self.token_lifetime = 599
        self.patients = _fixtures()
        self.superseded = {SUPERSEDED: SUPERSEDED_BY}
        self.tokens: dict[str, float] = {}  # token: when it expires (time.monotonic)
        self.token_requests = 0
        self._jtis: set[str] = set()
        # Every Patient read: (path, lower-case headers).
        self.calls: list[tuple[str, dict[str, str]]] = []
        # Answers given instead of handling the next Patient reads, in turn.
        self.replies: list[Reply] = []

    def token_url(self) -> str:
        assert self.sim is not None
        return f"{self.sim.url}{self.prefix}{TOKEN}"

    def base_url(self) -> str:
        assert self.sim is not None
        return f"{self.sim.url}{self.prefix}{FHIR}"

    def expire_tokens(self) -> None:
        """Every token issued so far is refused from now on."""
        with self.lock:
            self.tokens.clear()

    def handle(self, request: Request) -> Reply:
        if request.path == TOKEN and request.method == "POST":
            return self._token(request)
        patient_path = f"{FHIR}/Patient/"
        if request.method != "GET" or not request.path.startswith(patient_path):
            return outcome(404, "RESOURCE_NOT_FOUND", "Resource not found", issue="not-found")
        with self.lock:
            self.calls.append((request.path, request.headers))
            if not self._signed_in(request):
                return outcome(401, "ACCESS_DENIED", "Access Token Invalid", issue="forbidden")
            try:
                uuid.UUID(request.headers.get("x-request-id", ""))
            except ValueError:
                return outcome(400, "INVALID_VALUE", "Invalid value - X-Request-ID")
            if self.replies:
                return self.replies.pop(0)
            return self._read(request.path[len(patient_path) :])

    def _read(self, nhs_number: str) -> Reply:
        if not nhs_number_is_valid(nhs_number):
            return outcome(400, "INVALID_RESOURCE_ID", "Resource Id is invalid", issue="value")
        found = self.patients.get(self.superseded.get(nhs_number, nhs_number))
        if found is None:
            return outcome(404, "RESOURCE_NOT_FOUND", "Resource not found", issue="not-found")
        return Reply(200, found, {"ETag": f'W/"{found["meta"]["versionId"]}"'})

    # --- The token endpoint ---------------------------------------------------------------

    def _token(self, request: Request) -> Reply:
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        with self.lock:
            self.token_requests += 1
            if form.get("grant_type") != "client_credentials":
                return _oauth(400, "unsupported_grant_type", "grant_type is invalid")
            if form.get("client_assertion_type") != ASSERTION_TYPE:
                return _oauth(400, "invalid_request", "Missing or invalid client_assertion_type")
            refusal = self._assertion_refusal(form.get("client_assertion", ""))
            if refusal:
                return _oauth(400, "invalid_request", refusal)
            token = secrets.token_urlsafe(24)
            self.tokens[token] = time.monotonic() + self.token_lifetime
        return Reply(
            200,
            {
                "access_token": token,
                "expires_in": str(self.token_lifetime),
                "token_type": "Bearer",
                "issued_at": str(int(datetime.now(UTC).timestamp() * 1000)),
            },
        )

    def _assertion_refusal(self, assertion: str) -> str:
        """Why the client assertion is refused, in NHS England's words, or ""."""
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return "Malformed JWT in client_assertion"
        if header.get("kid") != self.key_id:
            return "Invalid 'kid' header in client_assertion JWT - no matching public key"
        if header.get("alg") != "RS512":
            return "Invalid 'alg' header in client_assertion JWT - unsupported JWT algorithm"
        try:
            claims = jwt.decode(
                assertion,
                self.public_key,
                algorithms=["RS512"],
                audience=self.token_url(),
                options={"require": ["iss", "sub", "aud", "jti", "exp"]},
            )
        except jwt.InvalidAudienceError:
            return "Missing or invalid 'aud' claim in client_assertion JWT"
        except jwt.PyJWTError:
            return "Invalid client_assertion JWT: signature or claims"
        if claims["iss"] != self.api_key or claims["sub"] != self.api_key:
            return "Invalid 'iss'/'sub' claims in client_assertion JWT"
        if claims["exp"] > time.time() + 300:
            return "Invalid 'exp' claim in client_assertion JWT - more than 5 minutes in future"
        if claims["jti"] in self._jtis:
            return "Non-unique 'jti' claim in client_assertion JWT"
        self._jtis.add(claims["jti"])
        return ""

    def _signed_in(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expires = self.tokens.get(token)
        return scheme == "Bearer" and expires is not None and expires > time.monotonic()


def _oauth(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})
