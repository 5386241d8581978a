"""The professional journey with the council's NHS Personal Demographics Service connection
(against the simulator): the work e-mail confirmed by a code, then the name, address and GP
practice pages pre-filled from the record and editable; a restricted record reads exactly like
one not found; an unavailable service says to try later; nothing of the record is stored
unless the request is sent."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests.views import public_professional as pro
from carebridge.frontdoor.tests.requests.professional_support import (
    page_url,
    post_page,
    referral_answers,
    walk,
)
from carebridge.frontdoor.tests.support_requests import open_council
from carebridge.integrations.simulator import pds as sim
from carebridge.integrations.tests.pds_support import connect, pds_running
from carebridge.notifications.models import Notification
from tests.support import make_district

pytestmark = pytest.mark.django_db

GP = "priya.nurse@nhs.net"


@pytest.fixture
def pds(loopback_allowed):
    with pds_running() as peer:
        yield peer


@pytest.fixture
def council(pds):
    council = open_council()
    make_district(council, postcode_districts="TF1 TF2 TF3")
    connect(council, pds, trusted_email_domains="nhs.net")
    return council


def answers_for(nhs_number: str, born: str, **overrides):
    answers = referral_answers(
        professional_email=GP, referral_nhs_number=nhs_number, referral_dob=born
    )
    for question_id in pro.qp.PREFILLED:
        answers.pop(question_id)
    answers.update(overrides)
    return answers


def confirm_email(client: Client, council) -> None:
    """Give the work e-mail, ask for the code and enter it."""
    location = walk(client, council, answers_for(sim.ORDINARY, "1944-05-17"))
    assert location == page_url(council, pro.SEND_SLUG)
    assert client.post(location)["Location"] == page_url(council, pro.CODE_SLUG)
    body = Notification.objects.filter(to_email=GP).latest("pk").body
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None
    response = client.post(page_url(council, pro.CODE_SLUG), {"code": found.group(1)})
    assert response["Location"] == page_url(council, "urgent")


def shown(client: Client, council, slug: str) -> str:
    page = client.get(page_url(council, slug)).content.decode()
    # What differs from one load to the next: the form's tokens and the scripts' nonces.
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', "", page)


def test_a_confirmed_professional_gets_the_details_from_the_nhs_record(client, council):
    confirm_email(client, council)
    walk(client, council, answers_for(sim.ORDINARY, "1944-05-17"), until="referral_name")

    name = shown(client, council, "referral-name")
    address = shown(client, council, "referral-address")
    practice = shown(client, council, "referral-gp-practice")

    assert pro.FOUND_NOTICE in name and pro.FOUND_NOTICE in address
    assert 'value="Margaret Ann Holloway"' in name
    assert 'value="12 Orchard Row"' in address and 'value="TF1 5XX"' in address
    assert 'value="Telmouth"' in address
    assert "3 Mill Lane" not in address  # an address that ended is never offered
    assert "M99001" in practice
    assert not FrontDoorRequest.objects.exists()


def test_the_professional_can_correct_the_record_and_the_request_says_where_it_came_from(
    client, council
):
    confirm_email(client, council)
    answers = answers_for(
        sim.ORDINARY,
        "1944-05-17",
        referral_name="Peggy Holloway",
        referral_address=["12 Orchard Row", "Hadley", "Telmouth", "TF1 5XX"],
        referral_gp_practice="Hadley Surgery (M99001)",
    )
    assert walk(client, council, answers) == reverse("care:check", kwargs={"council": council.slug})
    # Every page it filled is answered: the record's details have left the session.
    assert client.session["front_door"][council.slug]["pds"]["prefill"] == {}
    client.post(reverse("care:check", kwargs={"council": council.slug}))

    sent = FrontDoorRequest.objects.get()
    assert sent.person_name == "Peggy Holloway"
    assert sent.person_address == ["12 Orchard Row", "Hadley", "Telmouth", "TF1 5XX"]
    assert sent.demographics_from_pds and sent.asker_email_confirmed
    assert "pds" not in client.session["front_door"][council.slug]


def test_a_restricted_record_reads_exactly_like_one_not_found(client, council):
    confirm_email(client, council)
    walk(client, council, answers_for(sim.RESTRICTED, "1950-02-02"), until="referral_name")
    restricted = shown(client, council, "referral-name")
    walk(client, council, answers_for(sim.NOT_FOUND, "1950-02-02"), until="referral_name")
    not_found = shown(client, council, "referral-name")

    assert pro.NOT_FOUND_NOTICE in restricted
    assert "Joan" not in restricted and "Ashdown" not in restricted
    assert restricted == not_found


def test_a_date_of_birth_that_differs_fills_in_nothing(client, council):
    confirm_email(client, council)
    walk(client, council, answers_for(sim.ORDINARY, "1944-05-18"), until="referral_name")

    page = shown(client, council, "referral-name")

    assert pro.NOT_FOUND_NOTICE in page
    assert "Holloway" not in page


def test_an_unavailable_service_says_to_try_later_or_enter_the_details(client, council, pds):
    confirm_email(client, council)
    pds.sim.faults.failure_rate = 1.0
    walk(client, council, answers_for(sim.ORDINARY, "1944-05-17"), until="referral_name")

    page = shown(client, council, "referral-name")

    assert pro.UNAVAILABLE_NOTICE in page
    assert "Holloway" not in page


def test_a_new_nhs_number_replaces_the_details_of_the_one_before(client, council):
    confirm_email(client, council)
    walk(client, council, answers_for(sim.ORDINARY, "1944-05-17"), until="referral_name")
    post_page(client, council, "referral_name", "Margaret Ann Holloway")

    post_page(client, council, "referral_nhs_number", sim.SUPERSEDED_BY)
    post_page(client, council, "referral_dob", "1938-11-30")

    page = shown(client, council, "referral-name")
    assert 'value="Peter Lowe"' in page
    assert "Holloway" not in page


def test_without_a_confirmed_email_nothing_is_looked_up(client, council):
    location = walk(client, council, answers_for(sim.ORDINARY, "1944-05-17"))
    assert location == page_url(council, pro.SEND_SLUG)
    skip = client.get(location).content.decode()
    assert "Continue without the NHS record" in skip
    walk(
        client,
        council,
        answers_for(sim.ORDINARY, "1944-05-17"),
        until="referral_name",
        start=page_url(council, "urgent"),
    )

    page = shown(client, council, "referral-name")

    assert "Holloway" not in page
    assert pro.FOUND_NOTICE not in page and pro.NOT_FOUND_NOTICE not in page
    assert not Event.objects.filter(action="front_door.pds_lookup").exists()


def test_a_wrong_code_is_refused_and_an_untrusted_domain_is_not_offered(client, council):
    location = walk(client, council, answers_for(sim.ORDINARY, "1944-05-17"))
    client.post(location)

    response = client.post(page_url(council, pro.CODE_SLUG), {"code": "000000"})
    empty = client.post(page_url(council, pro.CODE_SLUG), {"code": " "})

    assert response.status_code == 400 and pro.WRONG_CODE in response.content.decode()
    assert empty.status_code == 400 and pro.ENTER_CODE in empty.content.decode()
    other = Client()
    elsewhere = answers_for(sim.ORDINARY, "1944-05-17", professional_email="p@example.org")
    assert walk(other, council, elsewhere, until="urgent") == page_url(council, "urgent")
    assert other.get(page_url(council, pro.SEND_SLUG))["Location"] == page_url(council, "urgent")
