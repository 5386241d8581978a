"""The council's referral screens: sending a referral, and withdrawal; the world and helpers the
council's tests share (the list's own tests are in test_council_list.py)."""

import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.organisations.deadlines import referral_respond_by
from carebridge.organisations.models import Council, District, Provider
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from carebridge.referrals import services
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.conftest import NOW, Parties
from tests.support import (
    client_for,
    make_contract,
    make_council,
    make_district,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NEW = reverse("referrals:new")
LIST = reverse("referrals:council_list")


@dataclass
class World:
    council: Council
    district: District
    other_district: District
    provider: Provider
    second_provider: Provider
    broker: User
    front_door: User
    carer: User
    person: ServiceUser
    other_council: Council
    other_district_of_other_council: District
    other_provider: Provider
    other_broker: User
    other_person: ServiceUser


def make_person(council: Council, district: District, ss_ref: str, **fields) -> ServiceUser:
    details = {
        "first_name": "Maisy",
        "last_name": "Goddard",
        "date_of_birth": date(1940, 4, 23),
        "address_line_1": "44 Orchard Lane",
        "town": "Hollowmere",
        "postcode": "HX4 8QT",
        **fields,
    }
    return people.service_user_create(
        council=council, by=None, ss_ref=ss_ref, district=district, **details
    )


@pytest.fixture
def world(parties: Parties) -> World:
    return make_world(parties)


def make_world(parties: Parties) -> World:
    """Our council (two districts, two providers) and its people; another council with its own
    provider, district, broker and person."""
    council, provider = parties.council, parties.provider
    district = make_district(council, "Hollowmere", postcode_districts="HX3 HX4")
    other_district = make_district(council, "Brindle Vale", postcode_districts="HX7")
    second_provider = make_provider("Cowslip Home Support")
    make_contract(council, second_provider)
    other_council = make_council("Quillinghurst Metropolitan Council")
    other_provider = make_provider("Zephyrine Domiciliary Services")
    make_contract(other_council, other_provider)
    other_council_district = make_district(other_council, "Quillinghurst North")
    return World(
        council=council,
        district=district,
        other_district=other_district,
        provider=provider,
        second_provider=second_provider,
        broker=parties.broker,
        front_door=make_user(council=council, role="front_door_officer"),
        carer=make_user(provider=provider, role="super_user_scheduled"),
        person=make_person(council, district, "AV100001"),
        other_council=other_council,
        other_district_of_other_council=other_council_district,
        other_provider=other_provider,
        other_broker=make_user(council=other_council, role="broker"),
        other_person=make_person(
            other_council, other_council_district, "QX990001", last_name="Vandersnoot"
        ),
    )


def date_answer(name: str, day: date | None) -> dict[str, str]:
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def answers(world: World, **overrides) -> dict[str, str]:
    """A complete new-referral form for a new person, as a broker fills it in."""
    data = {
        "existing_ss_ref": "",
        "title": "Mrs",
        "first_name": "Edna",
        "last_name": "Parkinson",
        **date_answer("date_of_birth", date(1938, 3, 12)),
        "ss_ref": "AV200001",
        "nhs_number": "943 476 5919",
        "address_line_1": "7 Mill Lane",
        "address_line_2": "",
        "town": "Hollowmere",
        "county": "",
        "postcode": "hx4 9ab",
        "phone": "0113 496 0001",
        "mobile": "",
        "gp_name": "Dr A. Rowe",
        "gp_practice": "Hollowmere Surgery",
        "gp_phone": "0113 496 0002",
        "district": str(world.district.pk),
        "provider": str(world.provider.pk),
        "next_of_kin_name": "Pat Parkinson",
        "next_of_kin_relationship": "Daughter",
        "next_of_kin_address": "9 Mill Lane, Hollowmere",
        "next_of_kin_phone": "07700 900123",
        "source": "hospital",
        "hospital": "Hollowmere General Hospital",
        "ward": "Ward 7",
        "district_team": "",
        **date_answer("discharge_date", date(2026, 11, 24)),
        **date_answer("requested_start_date", date(2026, 11, 25)),
        "consent_to_share": "yes",
        "mca_best_interest": "",
        "health_needs": "Type 2 diabetes.",
        "home_circumstances": "Lives alone.",
        "mobility": "Walks with a frame.",
        "support_summary": "Help to wash, dress and prepare meals.",
        "risks": "Falls at night.",
        "carers_required": "1",
        "visits_per_day": "3",
        "worker_name": "Sam Broker",
        "worker_team": "Hospital discharge team",
        "worker_phone": "0113 496 0003",
        "worker_mobile": "",
        **date_answer("completed_on", date(2026, 11, 23)),
    }
    data.update(overrides)
    return data


def for_existing(world: World, ss_ref: str, **overrides) -> dict[str, str]:
    """The form for a known service user: the new-person fields left blank."""
    blanks = dict.fromkeys(("title", "first_name", "last_name", "ss_ref", "nhs_number"), "")
    blanks |= {"address_line_1": "", "postcode": "", **date_answer("date_of_birth", None)}
    return answers(world, existing_ss_ref=ss_ref, **(blanks | overrides))


def send(world: World, *, provider=None, district=None, last_name="Goddard", **fields):
    district = district or world.district
    person = make_person(
        world.council,
        district,
        f"AV{ServiceUser.objects.count() + 500000}",
        last_name=last_name,
    )
    return make_referral(
        world.council,
        provider or world.provider,
        by=world.broker,
        district=district,
        person=person,
        **fields,
    )


# --- The new referral form ---------------------------------------------------------------------


def test_it_shows_the_form_to_a_broker_with_the_guides_sections(world):
    response = client_for(world.broker).get(NEW)
    page = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "Person information",
        "District and provider",
        "Next of kin",
        "Referral details",
        "Consent",
        "Requirements",
        "Completed by",
    ):
        assert heading in page
    assert "SS Ref of an existing service user" in page
    assert "govuk-date-input" in page
    assert world.broker.full_name in page, "the worker's name defaults to the broker's"
    assert 'value="23"' in page and 'value="2026"' in page, "the date defaults to today"


@pytest.mark.parametrize("persona", ["carer", "front_door"])
def test_it_refuses_the_form_to_users_who_do_not_send_referrals(world, persona):
    client = client_for(getattr(world, persona))
    assert client.get(NEW).status_code in (403, 404)
    assert client.post(NEW, answers(world)).status_code in (403, 404)
    assert not Referral.objects.exists()


def test_it_offers_only_the_councils_own_providers_and_districts(world):
    page = client_for(world.broker).get(NEW).content.decode()
    assert world.provider.name in page and world.second_provider.name in page
    assert world.district.name in page and world.other_district.name in page
    assert world.other_provider.name not in page
    assert world.other_district_of_other_council.name not in page
    other_page = client_for(world.other_broker).get(NEW).content.decode()
    assert world.provider.name not in other_page
    assert world.district.name not in other_page


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("provider", "Choose a provider the council holds a contract with"),
        ("district", "Choose one of the council&#x27;s districts"),
        ("existing_ss_ref", "There is no service user with this SS Ref"),
    ],
)
def test_it_refuses_another_councils_provider_district_and_service_user(world, field, message):
    foreign = {
        "provider": str(world.other_provider.pk),
        "district": str(world.other_district_of_other_council.pk),
        "existing_ss_ref": world.other_person.ss_ref,
    }
    data = (
        for_existing(world, world.other_person.ss_ref)
        if field == "existing_ss_ref"
        else answers(world, **{field: foreign[field]})
    )
    response = client_for(world.broker).post(NEW, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert message in page
    assert world.other_person.last_name not in page
    assert not Referral.objects.exists()
    assert not ServiceUser.objects.filter(ss_ref="AV200001").exists()


def test_it_sends_a_referral_for_an_existing_service_user(world):
    # The new-person fields are ignored, even half-filled and wrong.
    data = for_existing(
        world,
        "av100001",
        first_name="Ignored",
        nhs_number="123",
        **{"date_of_birth_0": "31", "date_of_birth_1": "2"},
    )
    response = client_for(world.broker).post(NEW, data)
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.service_user == world.person
    assert referral.status == "pending"
    assert referral.created_by == world.broker
    assert referral.provider == world.provider and referral.district == world.district
    assert referral.received_at == NOW
    assert referral.respond_by == referral_respond_by(world.council.rulebook, NOW)
    assert referral.hospital == "Hollowmere General Hospital"
    assert referral.carers_required == 1 and referral.visits_per_day == 3
    assert ServiceUser.objects.filter(council=world.council).count() == 1


def test_it_says_when_the_provider_must_reply(world):
    client = client_for(world.broker)
    response = client.post(NEW, for_existing(world, "AV100001"))
    assert response.status_code == 302
    page = client.get(LIST).content.decode()
    # 10:00 plus the two-hour reply window, shown as the guide shows times.
    assert "Referral sent to Bluebell Lane Care. They must reply by 12:00pm 23/11/2026." in page


def test_it_sends_a_referral_for_a_new_person_and_creates_them_once(world):
    response = client_for(world.broker).post(NEW, answers(world))
    assert response.status_code == 302
    referral = Referral.objects.get()
    person = referral.service_user
    assert person.council == world.council
    assert (person.ss_ref, person.first_name, person.last_name) == (
        "AV200001",
        "Edna",
        "Parkinson",
    )
    assert person.date_of_birth == date(1938, 3, 12)
    assert person.nhs_number == "9434765919"
    assert person.postcode == "HX4 9AB"
    assert person.district == world.district
    assert person.next_of_kin_name == "Pat Parkinson"
    assert person.consent_to_share is True
    assert referral.status == "pending"
    assert referral.next_of_kin_address == "9 Mill Lane, Hollowmere"
    assert referral.respond_by == referral_respond_by(world.council.rulebook, NOW)
    assert ServiceUser.objects.filter(ss_ref="AV200001").count() == 1


def test_it_refuses_a_new_person_whose_ss_ref_is_taken(world):
    response = client_for(world.broker).post(NEW, answers(world, ss_ref="AV100001"))
    assert "A service user with this SS Ref already exists" in response.content.decode()
    assert not Referral.objects.exists()


def test_it_shows_the_nhs_number_check_against_the_field(world):
    response = client_for(world.broker).post(NEW, answers(world, nhs_number="943 476 5918"))
    page = response.content.decode()
    assert "This NHS number is not valid: check the digits" in page
    assert 'href="#id_nhs_number"' in page
    assert not Referral.objects.exists()
    assert not ServiceUser.objects.filter(ss_ref="AV200001").exists()


MANDATORY = [
    "Enter the person&#x27;s first name",
    "Enter the person&#x27;s last name",
    "Enter the person&#x27;s date of birth",
    "Enter the SS Ref for the new service user",
    "Enter the first line of the person&#x27;s address",
    "Enter the person&#x27;s postcode",
    "Choose the district",
    "Choose the provider",
    "Choose where the referral comes from",
    "Enter the requested service start date",
    "Choose whether the person consents to share information",
    "Enter the summary of needs and the support required",
    "Choose how many carers are required",
    "Choose approximately how many visits per day will be required",
    "Enter the worker&#x27;s name",
    "Enter the worker&#x27;s team",
    "Enter the date the form was completed",
]


def test_it_names_every_missing_mandatory_field_in_the_error_summary(world):
    response = client_for(world.broker).post(NEW, {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    summary = page.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    for message in MANDATORY:
        assert message in summary, message
        assert page.count(message) == 2, f"{message} shows in the summary and at its field"
    assert not Referral.objects.exists()
    assert ServiceUser.objects.count() == 2, "only the two made before"


@pytest.mark.parametrize(
    ("source", "missing", "message"),
    [
        ("hospital", "hospital", "Enter the hospital the person is leaving"),
        ("hospital", "ward", "Enter the ward the person is on"),
        ("district_team", "district_team", "Enter the district team making the referral"),
    ],
)
def test_it_requires_the_details_of_the_referrals_source(world, source, missing, message):
    data = answers(world, source=source, **{missing: ""})
    response = client_for(world.broker).post(NEW, data)
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_a_district_team_referral_keeps_no_hospital_details(world):
    data = answers(world, source="district_team", district_team="Hollowmere District Team")
    assert client_for(world.broker).post(NEW, data).status_code == 302
    referral = Referral.objects.get()
    assert (referral.hospital, referral.ward, referral.discharge_date) == ("", "", None)
    assert referral.source_label == "District team: Hollowmere District Team"


def test_without_consent_it_needs_the_mca_best_interest_decision(world):
    client = client_for(world.broker)
    response = client.post(NEW, answers(world, consent_to_share="no"))
    page = response.content.decode()
    assert "record the MCA best interest decision" in page
    assert 'href="#id_mca_best_interest"' in page
    assert not Referral.objects.exists()
    assert not ServiceUser.objects.filter(ss_ref="AV200001").exists()

    decision = "Best-interest meeting held on 20/11/2026 with her daughter."
    response = client.post(NEW, answers(world, consent_to_share="no", mca_best_interest=decision))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent_to_share is False
    assert referral.mca_best_interest == decision


def test_it_refuses_a_date_of_birth_in_the_future_and_half_a_date(world):
    data = answers(world, **date_answer("date_of_birth", date(2027, 1, 1)))
    data["requested_start_date_1"] = ""
    page = client_for(world.broker).post(NEW, data).content.decode()
    assert "The date of birth must be in the past" in page
    assert "The requested service start date must include a month" in page
    assert not Referral.objects.exists()


def test_it_warns_before_sending_when_the_postcode_is_outside_the_district(world):
    client = client_for(world.broker)
    data = answers(world, postcode="NG22 9TE")
    response = client.post(NEW, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-warning-text" in page
    assert "The postcode NG22 9TE is not in the Hollowmere district, which covers HX3, HX4" in page
    assert "The address and district are right: send anyway" in page
    assert "govuk-error-summary" not in page, "a warning, not an error"
    assert not Referral.objects.exists()
    assert not ServiceUser.objects.filter(ss_ref="AV200001").exists()

    response = client.post(NEW, {**data, "confirm_postcode": "on"})
    assert response.status_code == 302
    assert Referral.objects.get().service_user.postcode == "NG22 9TE"


def test_it_checks_an_existing_persons_postcode_against_the_chosen_district(world):
    client = client_for(world.broker)
    data = for_existing(world, "AV100001", district=str(world.other_district.pk))
    page = client.post(NEW, data).content.decode()
    assert "The postcode HX4 8QT is not in the Brindle Vale district, which covers HX7" in page
    assert not Referral.objects.exists()
    assert client.post(NEW, {**data, "confirm_postcode": "on"}).status_code == 302


def test_it_does_not_warn_when_the_district_lists_no_postcodes(world):
    unlisted = make_district(world.council, "Kettleby Moor")
    data = answers(world, district=str(unlisted.pk), postcode="NG22 9TE")
    assert client_for(world.broker).post(NEW, data).status_code == 302


def test_it_prefills_the_form_from_the_councils_own_service_user(world):
    client = client_for(world.broker)
    page = client.get(f"{NEW}?service_user={world.person.pk}").content.decode()
    assert 'value="AV100001"' in page
    assert "For Maisy Goddard, SS Ref AV100001" in page
    foreign = client.get(f"{NEW}?service_user={world.other_person.pk}")
    assert foreign.status_code == 200
    assert "QX990001" not in foreign.content.decode()
    assert "Vandersnoot" not in foreign.content.decode()
    assert client.get(f"{NEW}?service_user=nonsense").status_code == 200


def test_the_service_users_page_offers_brokers_a_referral(world):
    url = reverse("people:service_user_detail", args=[world.person.pk])
    link = f"{NEW}?service_user={world.person.pk}"
    assert link in client_for(world.broker).get(url).content.decode()
    assert link not in client_for(world.front_door).get(url).content.decode()


# --- Withdrawing a referral --------------------------------------------------------------------


def test_it_withdraws_a_referral_with_a_reason(world):
    referral = send(world)
    client = client_for(world.broker)
    url = reverse("referrals:withdraw", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Reason for withdrawing this referral" in page

    response = client.post(url, {"reason": ""})
    assert "Give the reason for withdrawing this referral" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "pending"

    response = client.post(url, {"reason": "The person has moved out of the area."})
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert referral.withdrawal_reason == "The person has moved out of the area."
    banner = client.get(LIST).content.decode()
    assert "The referral for Maisy Goddard to Bluebell Lane Care is withdrawn." in banner


def test_it_withdraws_an_accepted_referral(world):
    referral = send(world)
    services.referral_accept(referral=referral, by=world.carer, first_visit_at=NOW)
    url = reverse("referrals:withdraw", args=[referral.pk])
    assert client_for(world.broker).post(url, {"reason": "Died"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "withdrawn"


def test_it_explains_why_a_closed_referral_cannot_be_withdrawn(world):
    referral = send(world)
    services.referral_refuse(referral=referral, by=world.carer, reason="no_capacity")
    client = client_for(world.broker)
    url = reverse("referrals:withdraw", args=[referral.pk])
    message = (
        "The selected referral is currently in the state Refused, but needs to be in the state "
        "Accepted or Pending or Updated in order to be withdrawn."
    )
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'name="reason"' not in page

    response = client.post(url, {"reason": "No longer needed"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    referral.refresh_from_db()
    assert referral.status == "refused"


@pytest.mark.parametrize("persona", ["carer", "front_door", "other_broker"])
def test_only_the_councils_brokers_withdraw(world, persona):
    referral = send(world)
    client = client_for(getattr(world, persona))
    url = reverse("referrals:withdraw", args=[referral.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"reason": "Not ours to withdraw"}).status_code in (403, 404)
    referral.refresh_from_db()
    assert referral.status == "pending"


def test_every_error_in_the_summary_links_to_an_input_on_the_page(world):
    # Half a date of birth and no answers at all: radios, dates and text fields all in error.
    response = client_for(world.broker).post(NEW, {"date_of_birth_1": "13", "source": "hospital"})
    page = response.content.decode()
    summary = page.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets
    for target in targets:
        assert f'id="{target}"' in page, f"the summary links to #{target}, which is not on the page"


def test_after_a_refusal_the_broker_sends_the_same_referral_to_another_provider(world):
    referral = make_referral(
        world.council, world.provider, by=world.broker, district=world.district, person=world.person
    )
    services.referral_refuse(referral=referral, by=world.carer, reason="no_capacity")
    detail = client_for(world.broker).get(reverse("referrals:detail", args=[referral.pk]))
    assert f"?again={referral.pk}" in detail.content.decode()
    form = client_for(world.broker).get(f"{NEW}?again={referral.pk}").content.decode()
    assert f'value="{world.person.ss_ref}"' in form
    assert referral.support_summary in form


def test_it_does_not_prefill_from_another_councils_referral(world):
    theirs = make_referral(
        world.other_council,
        world.other_provider,
        by=world.other_broker,
        support_summary="Needs help feeding the parrot",
    )
    form = client_for(world.broker).get(f"{NEW}?again={theirs.pk}").content.decode()
    assert theirs.service_user.ss_ref not in form
    assert "parrot" not in form
