"""A professional's answer to the person's main support need (the CLD return's Primary Support
Reason): asked on its own page, stored with the referral, shown to the officer, the professional
and the CRM, routing a referral to a mental health or learning disability team, and given to the
service user made on acceptance (issue 24)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.frontdoor.assessment import answers as answering
from carebridge.frontdoor.assessment import questions
from carebridge.frontdoor.assessment import questions_professional as qp
from carebridge.frontdoor.assessment.eligibility import assess
from carebridge.frontdoor.choices import Route, TeamRoute
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorTeam
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.crm import crm_payload
from carebridge.frontdoor.tests.requests.professional_support import (
    post_page,
    referral_answers,
    walk,
)
from carebridge.frontdoor.tests.requests.routing_support import make_team, routed, rules
from carebridge.frontdoor.tests.support_requests import likely_answers
from carebridge.people.cld import PrimarySupportReason as R
from carebridge.people.models import ServiceUser
from tests.support import client_for

pytestmark = pytest.mark.django_db

ERROR = "Select the person’s main support need, or ‘Not known’"


def submit(council, answers):
    return services.request_submit(
        council=council,
        contact=services.contact_from(answers),
        answers=answers,
        assessment=assess(answers),
    )


def referral(need: str) -> dict:
    return referral_answers(primary_support_reason=need)


# --- The page ---------------------------------------------------------------------------------


def test_the_page_offers_every_primary_support_reason_in_plain_words_and_not_known():
    page = questions.by_id(qp.SUPPORT_NEED)
    assert page is not None and page.kind == "radios" and page.required
    assert set(page.values()) == set(R.values)
    labels = {choice.value: choice.label for choice in page.choices}
    assert labels[R.MENTAL_HEALTH] == "Mental health"
    assert labels[R.UNKNOWN] == "Not known"
    assert answering.clean(page, [R.UNKNOWN.value]) == (R.UNKNOWN.value, None)
    assert answering.clean(page, ["Mental Health"])[1] is not None  # a label is not a value


def test_it_is_asked_only_of_a_professional():
    shown = [question.id for question in answering.pages_for(likely_answers())]
    assert qp.SUPPORT_NEED not in shown
    asked = [question.id for question in answering.pages_for(referral(R.MENTAL_HEALTH))]
    assert asked.index(qp.PRESENTING_NEED) + 1 == asked.index(qp.SUPPORT_NEED)


@pytest.mark.parametrize("sent", ["", "Mental Health", "<script>"])
def test_the_page_refuses_no_answer_or_another_value_with_an_error_summary(council, sent):
    client = Client()
    walk(client, council, referral(R.MENTAL_HEALTH), until=qp.SUPPORT_NEED)

    response = post_page(client, council, qp.SUPPORT_NEED, sent)

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert f'href="#{qp.SUPPORT_NEED}-1"' in page
    if not sent:
        assert ERROR in page


def test_check_your_answers_shows_the_plain_words(council):
    client = Client()
    walk(client, council, referral(R.LEARNING_DISABILITY))

    page = client.get(reverse("care:check", kwargs={"council": council.slug})).content.decode()

    assert "Main support need" in page and "A learning disability" in page


# --- Stored, shown and sent -------------------------------------------------------------------


def test_it_is_stored_with_the_referral_and_kept_from_nothing_else(council):
    sent = submit(council, referral(R.MENTAL_HEALTH))
    assert sent.primary_support_reason == R.MENTAL_HEALTH
    assert sent.support_need == "Mental health"

    stale = services.contact_from(referral("Not a reason"))
    assert stale.primary_support_reason == ""


def test_without_consent_it_is_not_kept(council):
    sent = submit(
        council, referral_answers(primary_support_reason=R.MENTAL_HEALTH, sharing_basis="no")
    )

    assert sent.route == Route.SIGNPOSTED
    assert sent.primary_support_reason == ""


def test_the_officer_result_and_tracking_pages_show_it(council, officer):
    client = Client()
    walk(client, council, referral(R.MENTAL_HEALTH))
    client.post(reverse("care:check", kwargs={"council": council.slug}))
    sent = FrontDoorRequest.objects.get(council=council)

    result = client.get(reverse("care:result", kwargs={"council": council.slug}))
    tracked = client.post(
        reverse("care:track", kwargs={"council": council.slug}),
        {"reference": sent.reference, "email": "priya.nurse@nhs.example"},
        follow=True,
    )
    officers = client_for(officer).get(reverse("frontdoor:request_detail", args=[sent.pk]))

    for response in (result, tracked, officers):
        page = response.content.decode()
        assert "Main support need</dt>" in page
        assert '<dd class="govuk-summary-list__value">Mental health</dd>' in page


def test_the_crm_receives_the_return_string(council):
    sent = submit(council, referral(R.LEARNING_DISABILITY))
    assert crm_payload(sent)["referral"]["primary_support_reason"] == "Learning Disability Support"

    unanswered = referral(R.MENTAL_HEALTH)
    unanswered.pop(qp.SUPPORT_NEED)
    assert crm_payload(submit(council, unanswered))["referral"]["primary_support_reason"] is None


# --- Routing ----------------------------------------------------------------------------------


@pytest.fixture
def specialist_teams(council):
    """A mental health and a learning disability team tried before the locality team whose
    district the referral is from."""
    mental_health = make_team(council, "Community mental health team")
    learning = make_team(council, "Learning disability team")
    locality = make_team(council, "Wrekin North locality team")
    rules(council, mental_health, order=1, routes=(TeamRoute.MENTAL_HEALTH,))
    rules(council, learning, order=2, routes=(TeamRoute.LEARNING_DISABILITY,))
    rules(council, locality, order=3, routes=(TeamRoute.LOCALITY,), districts="WB1")
    return mental_health, learning, locality


def test_a_mental_health_referral_goes_to_the_mental_health_team_in_a_locality_area(
    council, specialist_teams
):
    mental_health, _learning, _locality = specialist_teams

    request = routed(council, referral(R.MENTAL_HEALTH))

    assert request.postcode.startswith("WB1")
    assert request.team == mental_health
    assert request.routing_rule == "Route mental health → Community mental health team"


def test_a_learning_disability_referral_goes_to_the_learning_disability_team(
    council, specialist_teams
):
    _mental_health, learning, _locality = specialist_teams

    request = routed(council, referral(R.LEARNING_DISABILITY))

    assert request.team == learning
    assert request.routing_rule == "Route learning disability → Learning disability team"


@pytest.mark.parametrize("need", [R.UNKNOWN, R.MEMORY, R.PERSONAL_CARE])
def test_any_other_need_or_not_known_goes_to_the_locality_team(council, specialist_teams, need):
    *_specialists, locality = specialist_teams

    request = routed(council, referral(need))

    assert request.team == locality
    assert request.routing_rule == "Area WB1 → Wrekin North locality team"


def test_the_team_settings_offer_the_new_routes(council, officer):
    team = make_team(council, "Community mental health team")
    client = client_for(officer)

    page = client.get(reverse("frontdoor:team_new")).content.decode()
    assert 'value="mental_health"' in page and 'value="learning_disability"' in page

    response = client.post(
        reverse("frontdoor:team_new"),
        {"team": str(team.pk), "order": "1", "routes": ["mental_health", "learning_disability"]},
    )
    assert response.status_code == 302
    row = FrontDoorTeam.objects.get(council=council)
    assert sorted(row.routes) == ["learning_disability", "mental_health"]


# --- Accepted: the new service user's reason --------------------------------------------------


@pytest.mark.parametrize(
    ("need", "recorded"), [(R.MENTAL_HEALTH, R.MENTAL_HEALTH), (R.UNKNOWN, "")]
)
def test_accepting_gives_the_new_service_user_the_referrals_reason(
    council, officer, need, recorded
):
    sent = submit(council, referral(need))
    new = services.NewServiceUser(
        ss_ref="SS-7001",
        first_name="Edith",
        last_name="Marlowe",
        date_of_birth=sent.person_date_of_birth,
    )

    services.request_accept(request=sent, by=officer, new=new)

    person = ServiceUser.objects.get(ss_ref="SS-7001")
    assert person.primary_support_reason == recorded
