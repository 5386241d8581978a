"""A professional's referral reaches the Dataverse case: who referred and their callback, the NHS
number, the risks and the basis for sharing, then the rest of what they told the council, each
value cleaned and cut, against the simulator's Dataverse over real HTTP."""

import re

import pytest

from carebridge.frontdoor.requests.crm import crm_payload
from carebridge.integrations.dataverse import DataverseAdapter
from carebridge.integrations.tests.crm.crm_support import make_request

pytestmark = pytest.mark.django_db

REFERRAL = {
    "professional_kind": "gp_practice",
    "asker_email_confirmed": True,
    "person_nhs_number": "9434765919",
    "person_address_line_1": "4 Wharf Cottages",
    "person_town": "Wellington",
    "gp_practice": "Riverside Surgery (M83001)",
    "demographics_from_pds": True,
    "presenting_need": "Falls at home twice this month; struggling to wash and dress.",
    "current_services": "District nurse weekly",
    "others_involved": "Daughter, visits at weekends",
    "risk_to_person": "yes",
    "risk_to_person_details": "Falls on the stairs",
    "risk_to_others": "no",
    "risk_to_staff": "not_known",
    "sharing_basis": "lacks_capacity",
    "sharing_basis_reason": "Assessed by the GP on 01/12",
}


def description_of(dataverse, connection, payload) -> str:
    DataverseAdapter(connection).push(payload, key="front-door-1-submitted")
    [case] = dataverse.incidents.values()
    return case["description"]


def test_the_case_says_who_referred_how_to_call_back_the_risks_and_the_basis(
    dataverse, connection, council
):
    request = make_request(council, **REFERRAL)

    description = description_of(dataverse, connection, crm_payload(request))

    assert (
        "Referred by: GP practice, Priya Nurse, Practice nurse, Riverside Surgery. "
        "Callback: 01632 960 111. Work e-mail: priya.nurse@example.org (confirmed)."
    ) in description
    assert "NHS number: 9434765919 (details from the NHS record)." in description
    assert (
        "Risks: to the person: Yes (Falls on the stairs); to others: No; "
        "to staff visiting: Not known."
    ) in description
    assert (
        "Basis for sharing: Without consent: the person lacks capacity to agree. "
        "Why: Assessed by the GP on 01/12"
    ) in description
    assert "Address: 4 Wharf Cottages, Wellington, TF3 4NB" in description
    assert "GP practice: Riverside Surgery (M83001)" in description
    assert "Presenting need: Falls at home twice this month" in description
    assert "Others involved: Daughter, visits at weekends" in description
    # The referral comes before the answers, which are cut first.
    assert description.index("Referred by:") < description.index("Answers:")


def test_a_residents_request_has_no_referral(dataverse, connection, council):
    description = description_of(dataverse, connection, crm_payload(make_request(council)))

    # (The answers may name the same things, as questions: "- NHS number: Not answered".)
    assert not re.search(r"^(Referred by|NHS number|Risks|Basis for sharing):", description, re.M)


def test_every_referral_value_is_cleaned_and_cut(dataverse, connection, council):
    payload = crm_payload(make_request(council))
    payload["answers"] = []
    payload["referral"] = {
        "professional_kind": {"code": "police", "label": "Police\x00\x1b[31m"},
        "nhs_number": "94347<script>",
        "risks": {"to_person": {"answer": {"label": "Yes"}, "details": "x\r\ny" * 400}},
        "sharing_basis": "not a dict",
        "presenting_need": "need " * 1000,
        "address": ["not", "a", "dict"],
    }

    description = description_of(dataverse, connection, payload)

    assert len(description) <= 2000
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", description)
    assert "Referred by: Police[31m, Priya Nurse, Practice nurse" in description
    assert "NHS number: not given." in description
    assert "Basis for sharing: not given." in description
    assert "to others: not answered" in description
    need = re.search(r"Presenting need: (.*)", description)
    assert need is not None and len(need.group(1)) <= 500
