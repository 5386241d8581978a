"""The professionals' front door: their own journey chosen at the start, the NHS number checked
with modulus 11, the date of birth required, a full address, the risks, consent or a
best-interests basis without it (and nothing that names the person without either), check your
answers in sections, and the fields stored, shown to the officer and pushed to the CRM."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.frontdoor.assessment import answers as answering
from carebridge.frontdoor.assessment import questions
from carebridge.frontdoor.assessment.eligibility import assess
from carebridge.frontdoor.choices import RequestStatus, Route
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.crm import crm_payload
from carebridge.frontdoor.tests.requests.professional_support import (
    NHS_NUMBER,
    page_url,
    post_page,
    referral_answers,
    walk,
)
from carebridge.frontdoor.tests.support_requests import unlikely_answers
from carebridge.people.validators import NHS_NUMBER_CHECK_MESSAGE, NHS_NUMBER_FORMAT_MESSAGE
from tests.support import client_for

pytestmark = pytest.mark.django_db


def submit(council, answers, **flags):
    return services.request_submit(
        council=council,
        contact=services.contact_from(answers, **flags),
        answers=answers,
        assessment=assess(answers),
    )


# --- One page at a time ---------------------------------------------------------------------


def _page(question_id):
    question = questions.by_id(question_id)
    assert question is not None
    return question


@pytest.mark.parametrize(
    ("typed", "stored", "error"),
    [
        ("943 476 5919", NHS_NUMBER, None),
        ("943-476-5919", NHS_NUMBER, None),
        ("943 476 5918", "943 476 5918", NHS_NUMBER_CHECK_MESSAGE),  # fails modulus 11
        ("943 476 591", "943 476 591", NHS_NUMBER_FORMAT_MESSAGE),
        ("1111111111", "1111111111", NHS_NUMBER_CHECK_MESSAGE),  # a placeholder
        ("９４３４７６５９１９", "９４３４７６５９１９", NHS_NUMBER_FORMAT_MESSAGE),
        ("", "", None),  # not known: the page may be left blank
    ],
)
def test_it_checks_the_nhs_number_with_modulus_11(typed, stored, error):
    assert answering.clean(_page("referral_nhs_number"), [typed]) == (stored, error)


def test_it_refuses_a_mistyped_nhs_number_on_the_page_with_the_reason(council):
    client = Client()
    walk(client, council, referral_answers(), until="referral_nhs_number")

    response = post_page(client, council, "referral_nhs_number", "943 476 5918")

    assert response.status_code == 400
    page = response.content.decode()
    assert NHS_NUMBER_CHECK_MESSAGE in page
    assert 'href="#referral_nhs_number"' in page


def test_a_professional_must_give_the_date_of_birth():
    today = date(2026, 1, 15)
    page = _page("referral_dob")

    assert page.required
    assert answering.clean(page, ["", "", ""], today=today) == (
        "",
        "Enter the person’s date of birth",
    )
    assert answering.clean(page, ["3", "3", "1941"], today=today) == ("1941-03-03", None)
    # A resident may still leave their own date of birth out.
    assert not _page("person_dob").required


@pytest.mark.parametrize(
    ("typed", "value", "error"),
    [
        (
            ["4  Mill Lane", "", "Wrekinbury", "wb12ab"],
            ["4 Mill Lane", "", "Wrekinbury", "WB1 2AB"],
            None,
        ),
        (["", "", "Wrekinbury", "WB1 2AB"], None, "Enter the first line of the person’s address"),
        (["4 Mill Lane", "", "", "WB1 2AB"], None, "Enter the town or city"),
        (["4 Mill Lane", "", "Wrekinbury", ""], None, "Enter the postcode"),
        (["4 Mill Lane", "", "Wrekinbury", "NOT ONE"], None, "Enter a real postcode"),
        (["4 Mill Lane", "x" * 201, "Wrekinbury", "WB1 2AB"], None, "200 characters or fewer"),
        (["4 Mill\x00 Lane", "", "Wrekinbury", "WB1 2AB"], None, "control"),
    ],
)
def test_it_checks_each_line_of_the_address(typed, value, error):
    cleaned, message = answering.clean(_page("referral_address"), typed)

    if error is None:
        assert (cleaned, message) == (value, None)
    else:
        assert message is not None and error.lower() in message.lower()
        assert all("\x00" not in part for part in cleaned)


@pytest.mark.parametrize(
    ("answers", "shown", "hidden"),
    [
        (
            {"asker": "professional", "sharing_basis": "lacks_capacity", "risk_to_staff": "yes"},
            ["sharing_basis_reason", "risk_to_staff_details"],
            ["risk_to_person_details", "consent"],
        ),
        (
            {"asker": "professional", "sharing_basis": "no", "risk_to_person": "not_known"},
            ["sharing_basis"],
            ["sharing_basis_reason", "risk_to_person_details"],
        ),
        (
            {"asker": "family"},
            ["postcode", "person_name", "consent", "asker_name"],
            ["professional_kind", "referral_nhs_number", "risk_to_person", "sharing_basis"],
        ),
    ],
)
def test_it_asks_for_details_only_where_they_are_needed(answers, shown, hidden):
    pages = [page.id for page in answering.pages_for(answers)]

    assert set(shown) <= set(pages)
    assert not set(hidden) & set(pages)


# --- Check your answers ---------------------------------------------------------------------


def test_check_your_answers_shows_every_answer_in_its_section(council):
    client = Client()
    location = walk(client, council, referral_answers())
    assert location == reverse("care:check", kwargs={"council": council.slug})

    page = client.get(location).content.decode()

    headings = ["Your details", "Urgent help", "The person", "The referral", "Risks"]
    headings += ["Their needs", "Well-being", "Contact details", "Consent"]
    positions = [page.index(f'<h2 class="govuk-heading-m">{text}</h2>') for text in headings]
    assert positions == sorted(positions)
    for shown in (
        "GP practice",
        "Riverside Surgery",
        "Practice nurse",
        "01632 960 111",
        "943 476 5919",
        "3 March 1941",
        "4 Mill Lane<br>Upper Wick<br>Wrekinbury<br>WB1 2AB",
        "Two falls this month",
        "Falls at night on the stairs.",
        "Not known",
        "Yes, they agree to the referral",
    ):
        assert shown in page, shown
    change = page_url(council, "referral-address") + "?change=1"
    assert change in page


def test_a_changed_address_comes_back_to_check_your_answers(council):
    client = Client()
    walk(client, council, referral_answers())

    response = client.post(
        page_url(council, "referral-address") + "?change=1",
        {
            "referral_address-line1": "9 Church Street",
            "referral_address-line2": "",
            "referral_address-town": "Wrekinbury",
            "referral_address-postcode": "WB2 1DE",
        },
    )

    assert response["Location"] == reverse("care:check", kwargs={"council": council.slug})
    assert "9 Church Street" in client.get(response["Location"]).content.decode()


def test_an_address_outside_the_area_stops_the_journey_as_a_postcode_does(council):
    client = Client()
    walk(client, council, referral_answers(), until="referral_address")

    response = post_page(
        client, council, "referral_address", ["1 High Street", "", "Elsewhere", "SW1A 1AA"]
    )

    assert response.status_code == 200
    assert "SW1A 1AA" in response.content.decode()
    assert "referral_address" not in client.session["front_door"][council.slug]["answers"]


# --- What is stored -------------------------------------------------------------------------


def test_a_referral_with_consent_is_stored_in_its_own_fields_and_queued(council):
    client = Client()
    walk(client, council, referral_answers())
    client.post(reverse("care:check", kwargs={"council": council.slug}))

    sent = FrontDoorRequest.objects.get(council=council)
    assert sent.route == Route.QUEUE and sent.status == RequestStatus.RECEIVED
    assert (sent.asker, sent.professional_kind) == ("professional", "gp_practice")
    assert (sent.asker_name, sent.asker_phone) == ("Priya Nurse", "01632 960 111")
    assert sent.asker_email == "priya.nurse@nhs.example"
    assert not sent.asker_email_confirmed and not sent.demographics_from_pds
    assert (sent.professional_organisation, sent.professional_role) == (
        "Riverside Surgery",
        "Practice nurse",
    )
    assert sent.person_nhs_number == NHS_NUMBER
    assert sent.person_date_of_birth == date(1941, 3, 3)
    assert sent.person_name == "Edith Marlowe"
    assert sent.person_address == ["4 Mill Lane", "Upper Wick", "Wrekinbury", "WB1 2AB"]
    assert sent.gp_practice == "Riverside Surgery"
    assert sent.presenting_need.startswith("Two falls")
    assert (sent.current_services, sent.others_involved) == (
        "None",
        "Daughter, Rosa, 01632 960 321",
    )
    assert (sent.risk_to_person, sent.risk_to_person_details) == (
        "yes",
        "Falls at night on the stairs.",
    )
    assert (sent.risk_to_others, sent.risk_to_staff) == ("no", "not_known")
    assert (sent.sharing_basis, sent.sharing_basis_reason) == ("consent", "")
    assert sent.consent_to_share and sent.details_shared
    assert client.session["front_door"][council.slug]["answers"] == {}


@pytest.mark.parametrize("basis", ["lacks_capacity", "risk"])
def test_a_professional_may_refer_without_consent_on_a_recorded_basis(council, basis):
    reason = "Capacity assessed by Dr Okafor on 1 December: cannot weigh the risks of falls."
    sent = submit(council, referral_answers(sharing_basis=basis, sharing_basis_reason=reason))

    assert not sent.consent_to_share
    assert sent.details_shared
    assert (sent.sharing_basis, sent.sharing_basis_reason) == (basis, reason)
    assert sent.route == Route.QUEUE
    assert sent.person_name == "Edith Marlowe" and sent.person_nhs_number == NHS_NUMBER
    assert sent.answers["sharing_basis"] == basis


def test_without_consent_or_a_basis_nothing_that_names_the_person_is_kept(council):
    sent = submit(council, referral_answers(sharing_basis="no"))

    assert sent.route == Route.SIGNPOSTED
    assert not sent.details_shared
    kept = {
        field.name: getattr(sent, field.name)
        for field in FrontDoorRequest._meta.get_fields()
        if field.concrete
    }
    for name in (
        "person_name",
        "person_nhs_number",
        "person_address_line_1",
        "person_address_line_2",
        "person_town",
        "gp_practice",
        "asker_name",
        "asker_email",
        "asker_phone",
        "professional_organisation",
        "presenting_need",
        "others_involved",
        "risk_to_person_details",
        "sharing_basis",
        "sharing_basis_reason",
    ):
        assert kept[name] in ("", None), name
    assert kept["person_date_of_birth"] is None
    assert kept["answers"] == {}
    assert (sent.postcode, sent.professional_kind) == ("WB1", "gp_practice")
    assert crm_payload(sent)["referral"]["nhs_number"] == ""


def test_a_reason_given_for_a_basis_later_withdrawn_is_not_kept(council):
    answers = referral_answers(sharing_basis="consent", sharing_basis_reason="stale")

    assert services.contact_from(answers).sharing_basis_reason == ""


def test_asking_for_an_assessment_after_all_keeps_the_professionals_referral(council):
    client = Client()
    walk(client, council, referral_answers(sharing_basis="no"))
    client.post(reverse("care:check", kwargs={"council": council.slug}))
    result = reverse("care:result", kwargs={"council": council.slug})
    page = client.get(result).content.decode()
    assert "Ask for an assessment" in page
    assert "The person did not agree to the referral" in page
    assert "The person agrees to these details and the referral being shared" in page

    client.post(
        result,
        {
            "person_name": "Edith Marlowe",
            "postcode": "WB1 2AB",
            "email": "edith@example.org",
            "phone": "",
            "consent_to_share": "on",
        },
    )

    sent = FrontDoorRequest.objects.get(council=council)
    assert sent.route == Route.QUEUE and sent.details_shared
    assert sent.sharing_basis == "consent"
    assert sent.person_nhs_number == NHS_NUMBER
    assert sent.presenting_need.startswith("Two falls")
    assert sent.asker_name == "Priya Nurse" and sent.person_email == "edith@example.org"


# --- What the officer, the CRM and the professional see -------------------------------------


def test_the_officer_sees_the_referral_in_its_own_section(council, officer):
    sent = submit(
        council,
        referral_answers(
            sharing_basis="risk",
            sharing_basis_reason="Her husband is at risk when she wanders at night.",
            risk_to_staff="yes",
            risk_to_staff_details="A large dog.",
        ),
        email_confirmed=True,
    )

    page = (
        client_for(officer)
        .get(reverse("frontdoor:request_detail", args=[sent.pk]))
        .content.decode()
    )

    assert "Professional referral" in page
    for shown in (
        "Priya Nurse, Practice nurse",
        "Riverside Surgery (GP practice)",
        "Confirmed by code",
        "943 476 5919",
        "3 March 1941",
        "4 Mill Lane<br>Upper Wick<br>Wrekinbury<br>WB1 2AB",
        "Two falls this month",
        "Daughter, Rosa",
        "A large dog.",
        "Without consent: a risk to the person or to others",
        "Her husband is at risk when she wanders at night.",
    ):
        assert shown in page, shown


def test_the_crm_receives_the_referral(council):
    sent = submit(council, referral_answers(), from_pds=True)

    referral = crm_payload(sent)["referral"]

    assert referral["professional_kind"] == {"code": "gp_practice", "label": "GP practice"}
    assert referral["nhs_number"] == NHS_NUMBER
    assert referral["address"] == {
        "line_1": "4 Mill Lane",
        "line_2": "Upper Wick",
        "town": "Wrekinbury",
        "postcode": "WB1 2AB",
    }
    assert referral["demographics_from_pds"] is True
    assert referral["risks"]["to_person"] == {
        "answer": {"code": "yes", "label": "Yes"},
        "details": "Falls at night on the stairs.",
    }
    assert referral["risks"]["to_staff"]["answer"]["code"] == "not_known"
    assert referral["sharing_basis"] == {"code": "consent", "label": "The person agrees"}


def test_a_residents_request_carries_no_referral(council):
    sent = submit(council, unlikely_answers())

    assert crm_payload(sent)["referral"] is None


def test_the_result_and_tracking_pages_show_who_referred(council):
    client = Client()
    walk(client, council, referral_answers())
    client.post(reverse("care:check", kwargs={"council": council.slug}))
    sent = FrontDoorRequest.objects.get(council=council)

    result = client.get(reverse("care:result", kwargs={"council": council.slug}))
    tracked = client.post(
        reverse("care:track", kwargs={"council": council.slug}),
        {"reference": sent.reference, "email": "priya.nurse@nhs.example"},
        follow=True,
    )

    assert "The team will call you on 01632 960 111" in result.content.decode()
    assert "Professional referral" in result.content.decode()
    page = tracked.content.decode()
    assert "Riverside Surgery (GP practice)" in page
    assert "The person agrees" in page
