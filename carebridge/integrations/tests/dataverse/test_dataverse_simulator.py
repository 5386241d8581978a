"""The simulator's Dataverse refuses what Dataverse refuses, so the adapter's tests mean
something: no token, an unknown column, a bound record that does not exist, a text too long,
a $filter it cannot read, and an update of a deleted record with If-Match: *."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from carebridge.integrations.simulator.dataverse import API


def call(dataverse, method, path, body=None, *, token="", headers=None):
    request = urllib.request.Request(  # noqa: S310 (the simulator on loopback)
        f"{dataverse.sim.url}/dataverse{API}{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={
            "OData-Version": "4.0",
            "OData-MaxVersion": "4.0",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
            data = response.read()
            return response.status, json.loads(data) if data else None
    except urllib.error.HTTPError as error:
        data = error.read()
        return error.code, json.loads(data) if data else None


@pytest.fixture
def token(dataverse):
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": dataverse.client_id,
            "client_secret": dataverse.client_secret,
            "scope": f"{dataverse.sim.url}/dataverse/.default",
        }
    ).encode()
    with urllib.request.urlopen(  # noqa: S310 (loopback)
        f"{dataverse.sim.url}/dataverse/token", data=form, timeout=5
    ) as response:
        answer = json.loads(response.read())
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == 3599
    return answer["access_token"]


def test_without_a_token_it_answers_401(dataverse):
    status, _body = call(dataverse, "GET", "contacts", token="made-up")
    assert status == 401


def test_it_refuses_what_dataverse_refuses(dataverse, token):
    status, body = call(dataverse, "POST", "contacts", {"lastname": "A", "shoe": "9"}, token=token)
    assert status == 400 and "undeclared property 'shoe'" in body["error"]["message"]

    status, body = call(dataverse, "POST", "contacts", {"firstname": "A"}, token=token)
    assert status == 400 and "Required field 'lastname'" in body["error"]["message"]

    status, body = call(dataverse, "POST", "contacts", {"lastname": "x" * 51}, token=token)
    assert status == 400 and "at most 50 characters" in body["error"]["message"]

    missing = "00000000-0000-4000-8000-000000000000"
    status, body = call(
        dataverse,
        "POST",
        "incidents",
        {"title": "T", "customerid_contact@odata.bind": f"/contacts({missing})"},
        token=token,
    )
    assert status == 400 and "Does Not Exist" in body["error"]["message"]

    status, body = call(dataverse, "GET", "contacts?$filter=contains(lastname,'A')", token=token)
    assert status == 400 and body["error"]["code"]

    status, body = call(
        dataverse,
        "PATCH",
        f"contacts({missing})",
        {"lastname": "B"},
        token=token,
        headers={"If-Match": "*"},
    )
    assert status == 404 and dataverse.contacts == {}


def test_it_makes_reads_and_updates_records(dataverse, token):
    prefer = {"Prefer": "return=representation"}
    status, made = call(
        dataverse, "POST", "contacts", {"lastname": "O'Neil"}, token=token, headers=prefer
    )
    assert status == 201 and made["contactid"] in dataverse.contacts

    query = urllib.parse.quote("lastname eq 'O''Neil'", safe="")
    status, found = call(
        dataverse, "GET", f"contacts?$filter={query}&$select=contactid", token=token
    )
    assert status == 200 and found["value"] == [{"contactid": made["contactid"]}]

    status, _none = call(
        dataverse,
        "PATCH",
        f"contacts({made['contactid']})",
        {"firstname": "Ann"},
        token=token,
        headers={"If-Match": "*"},
    )
    assert status == 204
    assert dataverse.contacts[made["contactid"]]["firstname"] == "Ann"
