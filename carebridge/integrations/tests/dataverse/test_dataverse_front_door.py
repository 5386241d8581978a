"""The front door's pushes, as the outbox queues them, reach the simulator's Dataverse: the
request makes the contact, the case and the team's task; each officer's decision after it
updates the same case. (Until `crm.adapter_for` hands a council with a Dataverse connection
this adapter, the rows are pushed here by calling it directly, with their own keys.)"""

import pytest

from carebridge.frontdoor.models import FrontDoorSettings
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from carebridge.integrations.dataverse import DataverseAdapter, case_title
from carebridge.integrations.models import CrmDelivery, DataverseConnection
from carebridge.integrations.tests.dataverse.conftest import TEAM
from tests.support import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(db):
    council = open_council("Wrekinshire Council")
    # A CRM to queue for: the rows are read here, never posted to this address.
    FrontDoorSettings.objects.filter(council=council).update(
        crm_webhook_url="https://crm.wrekinshire.example/requests", crm_webhook_secret="s" * 32
    )
    return council


def test_a_request_and_its_decisions_become_one_case_kept_current(dataverse, connection, council):
    officer = make_user(council=council, role="front_door_officer")
    sent = submit(council, likely_answers(person_email="edith@example.org"))
    services.request_open(request=sent, by=officer)
    services.request_redirect(
        request=sent, by=officer, to="Age UK Wrekinshire", text="They run a lunch club nearby."
    )
    adapter = DataverseAdapter(DataverseConnection.objects.get(council=council))

    rows = list(CrmDelivery.objects.filter(request=sent).order_by("pk"))
    results = [adapter.push(row.payload, key=row.key) for row in rows]

    assert [row.event.split("-")[0] for row in rows] == ["submitted", "decision", "decision"]
    case = next(iter(dataverse.incidents.values()))
    assert len(dataverse.incidents) == 1 and case["title"] == case_title(sent.reference)
    assert {result.reference for result in results} == {case["incidentid"]}
    [contact] = dataverse.contacts.values()
    assert contact["emailaddress1"] == "edith@example.org"
    assert case["_customerid_value"] == contact["contactid"]
    assert "Status: Closed." in case["description"]
    assert "Decision: Redirected" in case["description"]
    assert "Reason: They run a lunch club nearby." in case["description"]
    [task] = dataverse.tasks.values()
    assert task["_ownerid_value"] == TEAM
    assert task["_regardingobjectid_value"] == case["incidentid"]
