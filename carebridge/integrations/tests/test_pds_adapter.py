"""The PDS adapter against the simulator's PDS over real HTTP: every fixture (an ordinary record,
a sensitive one, a superseded number, not found, an invalid number), the signed-JWT token and
its renewal, the headers PDS asks for, and every failure as UNAVAILABLE."""

import logging
import uuid
from datetime import date

import jwt
import pytest

from carebridge.integrations import pds as adapter
from carebridge.integrations.pds import Demographics, PdsLookup, PdsOutcome, patient_lookup
from carebridge.integrations.simulator import Reply
from carebridge.integrations.simulator import pds as sim
from carebridge.integrations.tests.pds_support import connect, pds_running
from tests.support import make_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def pds(loopback_allowed):
    with pds_running() as peer:
        yield peer


@pytest.fixture
def council(db):
    return make_council("Wrekinshire Council")


@pytest.fixture
def connection(council, pds):
    return connect(council, pds)


def test_it_reads_an_ordinary_record_with_its_current_name_address_and_gp(connection, council):
    found = patient_lookup(council.pk, sim.ORDINARY)

    assert found == PdsLookup(
        PdsOutcome.FOUND,
        Demographics(
            nhs_number=sim.ORDINARY,
            given_names="Margaret Ann",
            family_name="Holloway",
            date_of_birth=date(1944, 5, 17),
            address_lines=("12 Orchard Row", "Hadley", "Telmouth"),
            postcode="TF1 5XX",
            gp_practice_code="M99001",
            gp_practice_name="",
        ),
    )


def test_it_takes_a_number_typed_with_spaces(connection, council):
    found = patient_lookup(council.pk, "999 692 3231")

    assert found.outcome is PdsOutcome.FOUND
    assert found.demographics is not None and found.demographics.nhs_number == sim.ORDINARY


def test_it_sends_the_headers_pds_asks_for(connection, council, pds):
    patient_lookup(council.pk, sim.ORDINARY)

    [(path, headers)] = pds.calls
    assert path == f"/FHIR/R4/Patient/{sim.ORDINARY}"
    assert headers["accept"] == "application/fhir+json"
    assert uuid.UUID(headers["x-request-id"])
    assert headers["authorization"].startswith("Bearer ")
    assert headers["nhsd-end-user-organisation-ods"] == "X26"


def test_a_sensitive_record_yields_nothing_at_all(connection, council):
    found = patient_lookup(council.pk, sim.RESTRICTED)

    assert found == PdsLookup(PdsOutcome.RESTRICTED, None)


@pytest.mark.parametrize("labels", [[], [{"code": "V"}], [{"code": "U"}, {"code": "R"}], "U"])
def test_a_record_not_plainly_unrestricted_is_treated_as_sensitive(
    connection, council, pds, labels
):
    pds.patients[sim.ORDINARY]["meta"]["security"] = labels

    assert patient_lookup(council.pk, sim.ORDINARY) == PdsLookup(PdsOutcome.RESTRICTED)


def test_a_superseded_number_answers_the_current_record_and_its_number(connection, council):
    found = patient_lookup(council.pk, sim.SUPERSEDED)

    assert found.outcome is PdsOutcome.FOUND
    assert found.demographics is not None
    assert found.demographics.nhs_number == sim.SUPERSEDED_BY
    assert found.demographics.family_name == "Lowe"


def test_a_number_pds_does_not_know_is_not_found(connection, council, pds):
    assert patient_lookup(council.pk, sim.NOT_FOUND) == PdsLookup(PdsOutcome.NOT_FOUND)
    assert len(pds.calls) == 1


def test_an_invalid_number_is_not_found_and_never_sent(connection, council, pds):
    assert patient_lookup(council.pk, "9996923232") == PdsLookup(PdsOutcome.NOT_FOUND)
    assert patient_lookup(council.pk, "99969") == PdsLookup(PdsOutcome.NOT_FOUND)
    assert pds.calls == []


def test_pds_refusing_a_number_as_invalid_is_not_found(connection, council, pds):
    pds.replies.append(sim.outcome(400, "INVALID_RESOURCE_ID", "Resource Id is invalid"))

    assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.NOT_FOUND


def test_a_council_without_a_connection_is_not_configured(council, pds):
    assert patient_lookup(council.pk, sim.ORDINARY) == PdsLookup(PdsOutcome.NOT_CONFIGURED)
    assert pds.calls == []


def test_a_connection_switched_off_is_not_configured(council, pds):
    connect(council, pds, enabled=False)

    assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.NOT_CONFIGURED
    assert pds.token_requests == 0


# --- The token ---------------------------------------------------------------------------------


def test_it_signs_its_assertion_as_nhs_england_asks(connection, pds):
    assertion = adapter.PdsClient(connection).client_assertion()

    header = jwt.get_unverified_header(assertion)
    assert header["alg"] == "RS512" and header["kid"] == pds.key_id
    claims = jwt.decode(assertion, pds.public_key, algorithms=["RS512"], audience=pds.token_url())
    assert claims["iss"] == claims["sub"] == pds.api_key
    assert uuid.UUID(claims["jti"])


def test_it_keeps_its_token_for_the_next_look_ups(connection, council, pds):
    patient_lookup(council.pk, sim.ORDINARY)
    patient_lookup(council.pk, sim.RESTRICTED)

    assert pds.token_requests == 1 and len(pds.calls) == 2


def test_a_refused_token_gets_a_new_one_once(connection, council, pds):
    patient_lookup(council.pk, sim.ORDINARY)
    pds.expire_tokens()

    assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.FOUND
    assert pds.token_requests == 2


def test_a_key_pds_does_not_know_is_unavailable(council, pds, caplog):
    other = sim.Pds()  # its own key pair: the signature does not match PDS's public key
    connect(council, pds, private_key=other.private_key_pem)

    with caplog.at_level(logging.WARNING, logger="carebridge.integrations.pds"):
        assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.UNAVAILABLE
    assert pds.calls == []
    assert "token endpoint answered 400" in caplog.text
    assert other.private_key_pem.splitlines()[1] not in caplog.text


def test_a_private_key_that_cannot_sign_is_unavailable(council, pds):
    connect(council, pds, private_key="not a key")

    assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.UNAVAILABLE
    assert pds.token_requests == 0


# --- Failures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 429, 500, 502, 503])
def test_a_refusal_or_an_error_is_unavailable(connection, council, pds, status, caplog):
    pds.replies.append(sim.outcome(status, "SERVICE_UNAVAILABLE", "Service unavailable"))

    with caplog.at_level(logging.WARNING, logger="carebridge.integrations.pds"):
        assert patient_lookup(council.pk, sim.ORDINARY) == PdsLookup(PdsOutcome.UNAVAILABLE)
    assert f"PDS answered {status} SERVICE_UNAVAILABLE" in caplog.text
    assert sim.ORDINARY not in caplog.text


def test_the_simulators_failures_are_unavailable(connection, council, pds):
    assert pds.sim is not None
    pds.sim.faults.failure_rate = 1.0

    assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.UNAVAILABLE


def test_a_timeout_is_unavailable(connection, council, pds, monkeypatch):
    assert pds.sim is not None
    patient_lookup(council.pk, sim.ORDINARY)  # the token first, so the read is what times out
    monkeypatch.setattr(adapter, "TIMEOUT_SECONDS", 0.3)
    pds.sim.faults.slow_seconds = 1.0

    assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.UNAVAILABLE


def test_a_dropped_connection_is_unavailable(connection, council, pds):
    assert pds.sim is not None
    pds.sim.faults.timeout_rate = 1.0
    pds.sim.faults.timeout_seconds = 0.1

    assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.UNAVAILABLE


def test_an_answer_that_is_not_a_patient_is_unavailable(connection, council, pds):
    pds.replies.append(Reply(200, {"resourceType": "Bundle", "entry": []}))

    assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.UNAVAILABLE


def test_an_address_on_this_machine_is_refused_outside_tests(connection, council, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    assert patient_lookup(council.pk, sim.ORDINARY).outcome is PdsOutcome.UNAVAILABLE


# --- Reading defensively -----------------------------------------------------------------------


def test_it_cuts_and_cleans_what_pds_says(connection, council, pds):
    record = pds.patients[sim.ORDINARY]
    record["name"][0]["given"] = ["Mar\x00garet", "A" * 300]
    record["name"][0]["family"] = "Hollo\nway"
    record["address"][0]["line"] = [f"Line {n}" for n in range(9)] + [7]
    record["address"][0]["postalCode"] = "tf1 5xx\x1b[31m and more"
    record["generalPractitioner"][0]["identifier"]["value"] = "<script>"
    record["birthDate"] = "1944"

    found = patient_lookup(council.pk, sim.ORDINARY).demographics

    assert found is not None
    assert found.given_names.startswith("Mar garet A") and len(found.given_names) <= 200
    assert found.family_name == "Hollo way"
    assert found.address_lines == ("Line 0", "Line 1", "Line 2", "Line 3", "Line 4")
    assert len(found.postcode) <= 10 and "\x1b" not in found.postcode
    assert found.gp_practice_code == ""
    assert found.date_of_birth is None


def test_an_ended_name_address_or_practice_is_never_the_current_one(connection, council, pds):
    record = pds.patients[sim.ORDINARY]
    record["name"][0]["period"] = {"start": "2015-01-01", "end": "2020-01-01"}
    record["address"][0]["period"]["end"] = "2020-01-01"
    record["generalPractitioner"][0]["identifier"]["period"]["end"] = "2020-01-01"

    found = patient_lookup(council.pk, sim.ORDINARY).demographics

    assert found is not None
    assert (found.given_names, found.family_name) == ("", "")
    assert (found.address_lines, found.postcode, found.gp_practice_code) == ((), "", "")


def test_a_practice_named_in_the_reference_is_kept(connection, council, pds):
    pds.patients[sim.ORDINARY]["generalPractitioner"][0]["display"] = "Hadley Health Centre"

    found = patient_lookup(council.pk, sim.ORDINARY).demographics

    assert found is not None and found.gp_practice_name == "Hadley Health Centre"
