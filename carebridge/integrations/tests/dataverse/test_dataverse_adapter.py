"""The Dataverse adapter against the simulator's Dataverse over real HTTP: the person's contact
made then updated, the case made once whatever is repeated, the team's task, the token cached
and renewed after a 401, and which failures are tried again."""

from datetime import date, timedelta

import pytest

from carebridge.frontdoor.choices import RequestStatus
from carebridge.frontdoor.requests.crm import crm_payload
from carebridge.integrations.crm import CrmPushError
from carebridge.integrations.dataverse import DataverseAdapter, DataverseBusy, case_title
from carebridge.integrations.simulator import Faults, Reply
from carebridge.integrations.tests.crm.crm_support import make_request
from carebridge.integrations.tests.dataverse.conftest import TEAM

pytestmark = pytest.mark.django_db


def only(records: dict) -> dict:
    [record] = records.values()
    return record


def push(connection, request, *, key="front-door-1-submitted", **payload_fields):
    payload = {**crm_payload(request), **payload_fields}
    return DataverseAdapter(connection).push(payload, key=key)


# --- What is made ------------------------------------------------------------------------------


def test_it_makes_the_persons_contact_the_case_and_the_teams_task(dataverse, connection, council):
    request = make_request(council, person_email="edith.marlow@example.org")

    result = push(connection, request)

    contact = only(dataverse.contacts)
    assert contact["firstname"] == "Edith" and contact["lastname"] == "Marlow"
    assert contact["birthdate"] == "1941-03-03"
    assert contact["emailaddress1"] == "edith.marlow@example.org"
    assert contact["telephone1"] == "01632 960 222"
    assert contact["address1_postalcode"] == "TF3 4NB"
    case = only(dataverse.incidents)
    assert result.reference == case["incidentid"] and result.status_code == 201
    assert (
        case["title"] == case_title(request.reference) == f"Front-door request {request.reference}"
    )
    assert case["_customerid_value"] == contact["contactid"]
    assert case["prioritycode"] == 2 and case["caseorigincode"] == 3
    description = case["description"]
    assert f"Front-door request {request.reference}" in description
    assert "Status: Received. Route: Sent to the council. The tool found: Likely eligible." in (
        description
    )
    assert "Asked by: Priya Nurse, A professional" in description
    assert "Riverside Surgery" in description
    assert "Answers:" in description
    task = only(dataverse.tasks)
    assert task["_regardingobjectid_value"] == case["incidentid"]
    assert task["_ownerid_value"] == TEAM
    assert task["subject"] == f"New front-door request {request.reference} for Edith Marlow"
    assert task["prioritycode"] == 1


def test_every_call_speaks_odata_4_with_the_bearer_token(dataverse, connection, council):
    push(connection, make_request(council))

    assert dataverse.token_requests == 1
    assert dataverse.calls
    for method, _path, headers in dataverse.calls:
        assert headers["odata-version"] == "4.0" and headers["odata-maxversion"] == "4.0"
        assert headers["authorization"].startswith("Bearer ")
        assert headers["accept"] == "application/json"
        if method in ("POST", "PATCH"):
            assert headers["content-type"] == "application/json; charset=utf-8"
            assert headers["prefer"] == "return=representation"
            assert headers["mscrm.suppressduplicatedetection"] == "true"
    assert [(m, p.split("?")[0]) for m, p, _h in dataverse.calls] == [
        ("GET", "/api/data/v9.2/incidents"),
        ("GET", "/api/data/v9.2/contacts"),
        ("POST", "/api/data/v9.2/contacts"),
        ("POST", "/api/data/v9.2/incidents"),
        ("GET", "/api/data/v9.2/tasks"),
        ("POST", "/api/data/v9.2/tasks"),
    ]


def test_an_urgent_request_makes_a_high_priority_case_and_task(dataverse, connection, council):
    request = make_request(council, urgent=True)

    push(connection, request)

    assert only(dataverse.incidents)["prioritycode"] == 1
    assert "URGENT" in only(dataverse.incidents)["description"]
    task = only(dataverse.tasks)
    assert task["prioritycode"] == 2
    assert task["subject"].startswith("Urgent: new front-door request")


def test_without_a_team_the_task_is_the_application_users(dataverse, connection, council):
    connection.team_id = ""
    connection.save()

    push(connection, make_request(council))

    assert only(dataverse.tasks)["_ownerid_value"] == dataverse.application_user


def test_a_long_list_of_answers_is_cut_to_what_a_case_keeps(dataverse, connection, council):
    answers = [
        {"section": "Needs", "question": f"Question {n}", "answer": "x" * 400, "question_id": "q"}
        for n in range(20)
    ]

    push(connection, make_request(council), answers=answers)

    description = only(dataverse.incidents)["description"]
    assert len(description) == 2000 and description.endswith("…")
    assert description.startswith("Front-door request")


# --- Made once, then updated ---------------------------------------------------------------


def test_a_decision_updates_the_contact_and_the_case_without_making_them_again(
    dataverse, connection, council
):
    request = make_request(council)
    first = push(connection, request)
    request.person_phone = "07700 900 123"
    request.status = RequestStatus.ASSESSMENT
    request.save()
    decision = {
        "id": 7,
        "kind": {"code": "accepted", "label": "Accepted for assessment"},
        "at": "2026-07-06T13:23:00Z",
        "by": "Olu Officer",
        "reason": "An assessor will call this week.",
        "outcome": {"code": "assessment", "label": "Accepted for assessment"},
        "redirected_to": "",
    }

    again = push(connection, request, key="front-door-1-decision-7", decision=decision)

    assert again.reference == first.reference and again.status_code == 200
    contact = only(dataverse.contacts)
    assert contact["telephone1"] == "07700 900 123"
    assert contact["firstname"] == "Edith"  # the columns not sent are kept
    case = only(dataverse.incidents)
    assert "Status: Accepted for assessment." in case["description"]
    assert (
        "Decision: Accepted for assessment, 2:23pm 06/07/2026, by Olu Officer. "
        "Reason: An assessor will call this week."
    ) in case["description"]
    assert len(dataverse.tasks) == 1  # the team was alerted once, for the new case
    assert [p.split("?")[0] for m, p, _h in dataverse.calls if m == "PATCH"] == [
        f"/api/data/v9.2/contacts({contact['contactid']})",
        f"/api/data/v9.2/incidents({case['incidentid']})",
    ]
    patch_headers = [h for m, _p, h in dataverse.calls if m == "PATCH"]
    assert all(h["if-match"] == "*" for h in patch_headers)


def test_a_repeated_key_makes_the_case_once(dataverse, connection, council):
    request = make_request(council)

    first = push(connection, request)
    again = push(connection, request)

    assert again.reference == first.reference
    assert (len(dataverse.contacts), len(dataverse.incidents), len(dataverse.tasks)) == (1, 1, 1)


def test_under_random_failures_each_request_is_made_once(dataverse, connection, council):
    """Dataverse fails a third of calls, before or after doing them: the outbox tries each push
    again until it is taken, and nothing is made twice."""
    requests = [
        make_request(council, person_name=f"Person {n}", person_date_of_birth=date(1940, 1, n))
        for n in range(1, 9)
    ]
    dataverse.sim.faults = Faults(failure_rate=0.15, after_rate=0.2, seed=20)
    tries = 0
    for request in requests:
        for _attempt in range(40):
            tries += 1
            try:
                push(connection, request, key=f"front-door-{request.pk}-submitted")
                break
            except CrmPushError as error:
                assert error.retryable, str(error)
        else:
            pytest.fail(f"{request.reference} was never taken")

    assert tries > len(requests)  # the faults did happen
    titles = sorted(case["title"] for case in dataverse.incidents.values())
    assert titles == sorted(case_title(r.reference) for r in requests)
    assert len(dataverse.contacts) == len(requests)
    assert sorted(t["_regardingobjectid_value"] for t in dataverse.tasks.values()) == sorted(
        dataverse.incidents
    )


def test_it_updates_the_persons_contact_found_by_email(dataverse, connection, council):
    known = "0b8e7a62-1f0c-4a55-9d1e-3f5c2a7b8c90"
    dataverse.contacts[known] = {
        "contactid": known,
        "firstname": "Edie",
        "lastname": "Marlow",
        "emailaddress1": "edith.marlow@example.org",
    }

    push(connection, make_request(council, person_email="edith.marlow@example.org"))

    contact = only(dataverse.contacts)
    assert contact["contactid"] == known and contact["firstname"] == "Edith"
    assert only(dataverse.incidents)["_customerid_value"] == known


def test_it_matches_a_contact_by_name_and_birth_date_and_nothing_less(
    dataverse, connection, council
):
    same, namesake = "1a2b3c4d-0000-4000-8000-000000000001", "1a2b3c4d-0000-4000-8000-000000000002"
    dataverse.contacts[namesake] = {
        "contactid": namesake,
        "firstname": "Mary",
        "lastname": "O'Brien",
        "birthdate": "1950-01-01",
    }
    dataverse.contacts[same] = {
        "contactid": same,
        "firstname": "Mary",
        "lastname": "O'Brien",
        "birthdate": "1938-11-30",
    }

    push(
        connection,
        make_request(council, person_name="Mary O'Brien", person_date_of_birth=date(1938, 11, 30)),
    )
    push(
        connection,
        make_request(council, person_name="Mary O'Brien", person_date_of_birth=date(1961, 5, 4)),
        key="front-door-2-submitted",
    )

    customers = [case["_customerid_value"] for case in dataverse.incidents.values()]
    assert customers[0] == same
    assert customers[1] not in (same, namesake)  # a different person: a new contact
    assert len(dataverse.contacts) == 3


def test_a_person_with_one_name_is_matched_to_a_contact_without_a_first_name(
    dataverse, connection, council
):
    known = "1a2b3c4d-0000-4000-8000-000000000003"
    dataverse.contacts[known] = {"contactid": known, "lastname": "Cher", "birthdate": "1946-05-20"}

    push(
        connection,
        make_request(council, person_name="Cher", person_date_of_birth=date(1946, 5, 20)),
    )

    assert only(dataverse.contacts)["contactid"] == known
    assert "firstname" not in only(dataverse.contacts)


def test_a_contact_deleted_in_dataverse_is_not_made_again_by_an_update(
    dataverse, connection, council
):
    request = make_request(council, person_email="edith.marlow@example.org")
    push(connection, request)
    dataverse.contacts.clear()  # deleted by a CRM administrator

    push(connection, request, key="front-door-1-decision-9")

    contact = only(dataverse.contacts)  # made anew, once, not by the PATCH (If-Match: *)
    patches = [p for m, p, _h in dataverse.calls if m == "PATCH" and "contacts" in p]
    assert len(patches) == 1
    assert contact["emailaddress1"] == "edith.marlow@example.org"


# --- The token -------------------------------------------------------------------------------


def test_the_token_is_kept_between_pushes(dataverse, connection, council):
    push(connection, make_request(council))
    push(connection, make_request(council), key="front-door-2-submitted")

    assert dataverse.token_requests == 1
    assert len(dataverse.incidents) == 2


def test_a_401_gets_a_new_token_once(dataverse, connection, council):
    push(connection, make_request(council))
    dataverse.expire_tokens()

    push(connection, make_request(council), key="front-door-2-submitted")

    assert dataverse.token_requests == 2
    assert len(dataverse.incidents) == 2


def test_a_token_refused_again_is_final(dataverse, connection, council):
    dataverse.token_lifetime = 0  # every token is expired when it is used

    with pytest.raises(CrmPushError) as failed:
        push(connection, make_request(council))

    assert not failed.value.retryable and failed.value.status_code == 401
    assert dataverse.token_requests == 2
    assert dataverse.incidents == {}


def test_a_wrong_client_secret_is_final_with_the_sign_ins_reason(dataverse, connection, council):
    connection.client_secret = "not-the-secret"
    connection.save()

    with pytest.raises(CrmPushError) as failed:
        push(connection, make_request(council))

    assert not failed.value.retryable and failed.value.status_code == 401
    assert "invalid_client" in str(failed.value) and "AADSTS7000215" in str(failed.value)
    assert dataverse.calls == []


def test_a_new_secret_gets_a_new_token(dataverse, connection, council):
    push(connection, make_request(council))
    dataverse.client_secret = connection.client_secret = "the-rotated-secret"
    connection.save()

    push(connection, make_request(council), key="front-door-2-submitted")

    assert dataverse.token_requests == 2


# --- Failures --------------------------------------------------------------------------------


def test_429_is_tried_again_after_its_retry_after(dataverse, connection, council):
    dataverse.replies.append(
        Reply(
            429,
            {"error": {"code": "0x80072322", "message": "Number of requests exceeded the limit"}},
            {"Retry-After": "30"},
        )
    )

    with pytest.raises(DataverseBusy) as failed:
        push(connection, make_request(council))

    assert failed.value.retryable and failed.value.status_code == 429
    assert failed.value.retry_after == timedelta(seconds=30)
    assert "Number of requests exceeded the limit" in str(failed.value)


def test_a_server_error_is_tried_again(dataverse, connection, council):
    dataverse.replies.append(
        Reply(500, {"error": {"code": "0x80040216", "message": "An unexpected error occurred."}})
    )

    with pytest.raises(CrmPushError) as failed:
        push(connection, make_request(council))

    assert failed.value.retryable and failed.value.status_code == 500
    assert "An unexpected error occurred. (0x80040216)" in str(failed.value)


def test_no_answer_in_time_is_tried_again(dataverse, connection, council):
    dataverse.sim.faults.timeout_rate = 1.0
    dataverse.sim.faults.timeout_seconds = 1.0
    payload = crm_payload(make_request(council))

    with pytest.raises(CrmPushError) as failed:
        DataverseAdapter(connection, timeout=0.3).push(payload, key="k")

    assert failed.value.retryable and failed.value.status_code is None


def test_a_400_is_final_with_dataverses_message(dataverse, connection, council):
    dataverse.replies.append(
        Reply(400, {"error": {"code": "0x80048d19", "message": "Error identified in Payload"}})
    )

    with pytest.raises(CrmPushError) as failed:
        push(connection, make_request(council))

    assert not failed.value.retryable and failed.value.status_code == 400
    assert "Error identified in Payload (0x80048d19)" in str(failed.value)


def test_a_team_dataverse_does_not_know_is_final(dataverse, connection, council):
    dataverse.teams.clear()

    with pytest.raises(CrmPushError) as failed:
        push(connection, make_request(council))

    assert not failed.value.retryable and failed.value.status_code == 400
    assert f"teams With Id = {TEAM} Does Not Exist" in str(failed.value)


def test_a_connection_switched_off_sends_nothing(dataverse, connection, council):
    connection.enabled = False
    connection.save()

    with pytest.raises(CrmPushError) as failed:
        push(connection, make_request(council))

    assert not failed.value.retryable
    assert dataverse.token_requests == 0 and dataverse.calls == []


def test_an_address_on_this_machine_is_refused_outside_tests(
    dataverse, connection, council, settings
):
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    with pytest.raises(CrmPushError) as failed:
        push(connection, make_request(council))

    assert not failed.value.retryable
    assert dataverse.token_requests == 0 and dataverse.calls == []
