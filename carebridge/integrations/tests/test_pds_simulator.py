"""The simulator's PDS speaks NHS England's shapes, so the adapter's tests mean something: the
token endpoint checks the signed JWT as NHS England does (issuer, audience, key id, a lifetime
of five minutes at most, each jti once), a read needs a token and an X-Request-ID, and the
answers are a Patient or an OperationOutcome. `carebridge simulator` serves it."""

import json
import socket
import time
import urllib.error
import urllib.request
import uuid
from io import StringIO
from urllib.parse import urlencode

import jwt
import pytest
from django.core.management import call_command

from carebridge.integrations.simulator import pds as sim
from carebridge.integrations.tests.pds_support import pds_running


@pytest.fixture
def pds():
    with pds_running() as peer:
        yield peer


def post_token(pds, **claims_and_header):
    header = {"kid": pds.key_id, **claims_and_header.pop("header", {})}
    claims = {
        "iss": pds.api_key,
        "sub": pds.api_key,
        "aud": pds.token_url(),
        "jti": str(uuid.uuid4()),
        "exp": int(time.time()) + 300,
        **claims_and_header,
    }
    assertion = jwt.encode(claims, pds.private_key_pem, algorithm="RS512", headers=header)
    form = urlencode(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": sim.ASSERTION_TYPE,
            "client_assertion": assertion,
        }
    ).encode()
    request = urllib.request.Request(pds.token_url(), data=form, method="POST")  # noqa: S310
    return call(request)


def call(request):
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def read(pds, number, *, token, request_id=None):
    headers = {"Accept": "application/fhir+json", "Authorization": f"Bearer {token}"}
    if request_id is not False:
        headers["X-Request-ID"] = request_id or str(uuid.uuid4())
    url = f"{pds.base_url()}/Patient/{number}"
    return call(urllib.request.Request(url, headers=headers))  # noqa: S310 (loopback)


def test_a_well_signed_assertion_gets_a_token_as_nhs_england_gives_it(pds):
    status, body = post_token(pds)

    assert status == 200
    assert body["token_type"] == "Bearer" and body["expires_in"] == "599"
    assert read(pds, sim.ORDINARY, token=body["access_token"])[0] == 200


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"iss": "someone-else"}, "'iss'/'sub'"),
        ({"aud": "https://api.service.nhs.uk/oauth2/token"}, "'aud'"),
        ({"exp": int(time.time()) + 3600}, "5 minutes"),
        ({"header": {"kid": "another"}}, "'kid'"),
    ],
)
def test_it_refuses_an_assertion_nhs_england_would_refuse(pds, change, words):
    status, body = post_token(pds, **change)

    assert status == 400
    assert body["error"] == "invalid_request" and words in body["error_description"]


def test_a_jti_is_taken_once(pds):
    jti = str(uuid.uuid4())

    assert post_token(pds, jti=jti)[0] == 200
    assert "jti" in post_token(pds, jti=jti)[1]["error_description"]


def test_a_read_needs_a_token_and_a_request_id(pds):
    token = post_token(pds)[1]["access_token"]

    assert read(pds, sim.ORDINARY, token="made-up")[0] == 401
    status, body = read(pds, sim.ORDINARY, token=token, request_id=False)
    assert status == 400
    assert body["issue"][0]["details"]["coding"][0]["code"] == "INVALID_VALUE"


def test_it_answers_each_fixture_in_pds_shapes(pds):
    token = post_token(pds)[1]["access_token"]

    status, ordinary = read(pds, sim.ORDINARY, token=token)
    assert status == 200 and ordinary["resourceType"] == "Patient"
    assert ordinary["meta"]["security"][0]["code"] == "U"
    status, restricted = read(pds, sim.RESTRICTED, token=token)
    assert restricted["meta"]["security"][0]["code"] == "R" and "address" not in restricted
    assert read(pds, sim.SUPERSEDED, token=token)[1]["id"] == sim.SUPERSEDED_BY
    status, missing = read(pds, sim.NOT_FOUND, token=token)
    assert status == 404 and missing["resourceType"] == "OperationOutcome"
    status, invalid = read(pds, "1234567890", token=token)
    assert status == 400
    assert invalid["issue"][0]["details"]["coding"][0]["code"] == "INVALID_RESOURCE_ID"


@pytest.mark.django_db
def test_the_simulator_command_serves_pds():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = StringIO()

    call_command("simulator", "--port", str(port), "--stop-after", "0.2", stdout=out)

    assert f"Simulator: http://127.0.0.1:{port}/pds" in out.getvalue()
    assert f"PDS: http://127.0.0.1:{port}/pds/FHIR/R4" in out.getvalue()
