"""The front-door officers' pages: the queue with its filters, a request with every answer and
the rule that decided each outcome, each triage step through its form, and the settings."""

import pytest
from django.urls import reverse

from carebridge.frontdoor.choices import Decision, RequestStatus
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from carebridge.people.models import ServiceUser
from tests.support import client_for, make_provider, make_user

pytestmark = pytest.mark.django_db


def step_url(request: FrontDoorRequest, step: str) -> str:
    return reverse("frontdoor:request_step", kwargs={"pk": request.pk, "step": step})


def test_the_queue_lists_requests_sent_to_the_council_urgent_first(council, officer):
    calm = submit(council, likely_answers())
    urgent = submit(council, likely_answers(urgent=["danger"], person_name="Harold Dunmore"))

    page = client_for(officer).get(reverse("frontdoor:request_list")).content.decode()

    assert page.index(urgent.reference) < page.index(calm.reference)
    assert "Urgent</strong>" in page
    assert "2 requests" in page


def test_the_queue_runs_the_same_queries_however_many_requests(
    council, officer, django_assert_max_num_queries
):
    for _ in range(3):
        submit(council, likely_answers())
    client = client_for(officer)
    client.get(reverse("frontdoor:request_list"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("frontdoor:request_list"))
    for _ in range(20):
        submit(council, likely_answers())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("frontdoor:request_list"))


def test_a_request_shows_the_answers_and_the_rule_behind_each_outcome(council, officer):
    sent = submit(council, likely_answers())

    page = (
        client_for(officer)
        .get(reverse("frontdoor:request_detail", args=[sent.pk]))
        .content.decode()
    )

    assert "Edith Marlowe" in page and "rosa@example.org" in page
    assert "Likely eligible" in page
    assert "2(1)(b)" in page and "A-NUT-a" in page
    assert "Start looking at this request" in page


def test_an_empty_step_shows_the_error_summary_and_changes_nothing(council, officer):
    sent = submit(council, likely_answers())
    response = client_for(officer).post(step_url(sent, "information"), {"text": ""})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == RequestStatus.RECEIVED


def test_accepting_through_the_page_adds_the_service_user(council, officer):
    sent = submit(council, likely_answers())
    client = client_for(officer)
    missing = client.post(step_url(sent, "accept"), {"service_user": "new"})
    assert "Enter the SS Ref" in missing.content.decode()

    response = client.post(
        step_url(sent, "accept"),
        {
            "service_user": "new",
            "ss_ref": "SS-9001",
            "first_name": "Edith",
            "last_name": "Marlowe",
            "date_of_birth_0": "3",
            "date_of_birth_1": "3",
            "date_of_birth_2": "1941",
            "text": "An assessor will call on Monday.",
        },
    )

    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.decision == Decision.ASSESSMENT
    assert sent.service_user == ServiceUser.objects.get(ss_ref="SS-9001")
    detail = client.get(reverse("frontdoor:request_detail", args=[sent.pk])).content.decode()
    assert "A broker sends the referral to a provider" in detail


def test_accepting_offers_the_service_users_that_match(council, officer):
    known = ServiceUser.objects.create(
        council=council,
        ss_ref="SS-1",
        first_name="Edith",
        last_name="Marlowe",
        date_of_birth="1941-03-03",
    )
    sent = submit(council, likely_answers())
    client = client_for(officer)

    page = client.get(step_url(sent, "accept")).content.decode()
    assert "born 3 March 1941 (SS-1)" in page
    client.post(step_url(sent, "accept"), {"service_user": str(known.pk)})

    sent.refresh_from_db()
    assert sent.service_user == known


def test_a_step_the_status_does_not_offer_is_refused_with_a_message(council, officer):
    sent = submit(council, likely_answers())
    client = client_for(officer)
    client.post(step_url(sent, "close"), {"text": "Nothing more to do."})

    response = client.post(step_url(sent, "accept"), {"service_user": "new"}, follow=True)

    assert "you cannot accept for assessment now" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == RequestStatus.CLOSED


def test_notes_and_the_appropriate_view_stay_with_the_council(council, officer):
    sent = submit(council, likely_answers())
    client = client_for(officer)
    client.post(step_url(sent, "note"), {"text": "Known to the district nurses."})
    client.post(step_url(sent, "appropriate"), {"appropriate": "no"})

    sent.refresh_from_db()
    assert sent.appropriate is False
    assert (
        "Known to the district nurses."
        in client.get(reverse("frontdoor:request_detail", args=[sent.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("provider", 403), ("broker", 403), ("other_officer", 404)],
)
def test_others_cannot_read_a_request(council, persona, status):
    sent = submit(council, likely_answers())
    user = {
        "provider": lambda: make_user(provider=make_provider()),
        "broker": lambda: make_user(council=council, role="broker"),
        "other_officer": lambda: make_user(council=open_council(), role="front_door_officer"),
    }[persona]()

    assert (
        client_for(user).get(reverse("frontdoor:request_detail", args=[sent.pk])).status_code
        == status
    )


def test_the_home_page_counts_the_waiting_and_the_urgent(council, officer):
    submit(council, likely_answers())
    submit(council, likely_answers(urgent=["danger"]))

    page = client_for(officer).get(reverse("home:home")).content.decode()

    assert "Front-door requests waiting: 2" in page
    assert "Urgent front-door requests: 1" in page
