"""The public front door through its pages: one question a page, back links, check your
answers with Change links, the result either way, outside the area, urgent help, tracking and
feedback. No log-in anywhere."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from carebridge.frontdoor.assessment import questions
from carebridge.frontdoor.choices import RequestStatus, Route
from carebridge.frontdoor.models import Feedback, FrontDoorRequest, NeighbouringArea
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.tests.support_requests import (
    likely_answers,
    submit,
    unlikely_answers,
)
from carebridge.organisations.models import Council
from tests.support import make_council, make_user

pytestmark = pytest.mark.django_db


def url(name: str, council: Council, **kwargs) -> str:
    return reverse(f"care:{name}", kwargs={"council": council.slug, **kwargs})


def answer(client: Client, council: Council, question_id: str, value) -> str:
    """Answer one page; the address it sends you to next."""
    question = questions.by_id(question_id)
    assert question is not None
    if question.kind == "date":
        day, month, year = value
        data = {
            f"{question_id}-day": day,
            f"{question_id}-month": month,
            f"{question_id}-year": year,
        }
    else:
        data = {question_id: value}
    response = client.post(url("question", council, slug=question.slug), data)
    page = response.content.decode()
    if response.status_code == 200 and "Carry on with the request" in page:
        # An urgent answer shows the emergency contacts first; the journey carries on from there.
        found = re.search(r'href="([^"]+)">Carry on with the request', page)
        assert found is not None
        return found.group(1)
    assert response.status_code == 302, page[:2000]
    return response["Location"]


def walk(client: Client, council: Council, answers: dict) -> str:
    """Answer every page the journey asks, in its order, from the given answers."""
    location = url("question", council, slug=questions.first_question().slug)
    seen = 0
    while "/questions/" in location and seen < 60:
        slug = location.split("/questions/")[1].split("/")[0]
        question = questions.by_slug(slug)
        assert question is not None
        value = answers.get(question.id, "")
        if question.kind == "date" and value:
            year, month, day = value.split("-")
            value = (day, month, year)
        elif question.kind == "date":
            value = ("", "", "")
        location = answer(client, council, question.id, value)
        seen += 1
    return location


def test_the_start_page_opens_the_first_question(council):
    page = Client().get(url("start", council)).content.decode()

    assert "Ask for care and support" in page
    assert url("question", council, slug="asker") in page
    assert council.name in page


def test_a_council_without_an_open_front_door_is_not_found():
    closed = make_council()
    assert Client().get(reverse("care:start", kwargs={"council": closed.slug})).status_code == 404


def test_a_page_refuses_an_empty_answer_with_the_govuk_error_summary(council):
    response = Client().post(url("question", council, slug="asker"), {})

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#asker-1">Select who is asking</a>' in page
    assert "<title>Error: Who is asking?" in page


def test_a_page_out_of_turn_goes_back_to_the_first_unanswered(council):
    response = Client().get(url("question", council, slug="adult-hygiene"))

    assert response.status_code == 302
    assert response["Location"] == url("question", council, slug="asker")


def test_the_back_link_goes_to_the_previous_page(council):
    client = Client()
    answer(client, council, "asker", "self")
    page = client.get(url("question", council, slug="about")).content.decode()

    assert f'href="{url("question", council, slug="asker")}">Back</a>' in page


def test_likely_eligible_goes_to_the_council_with_a_reference(
    council, django_capture_on_commit_callbacks
):
    client = Client()
    location = walk(client, council, likely_answers())
    assert location == url("check", council)
    check = client.get(location).content.decode()
    assert "Check your answers before sending" in check
    assert "Edith Marlowe" in check
    assert f"{url('question', council, slug='person-name')}?change=1" in check

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("check", council))
    assert response["Location"] == url("result", council)
    result = client.get(url("result", council)).content.decode()

    sent = FrontDoorRequest.objects.get()
    assert sent.route == Route.QUEUE
    assert "Request sent" in result and sent.reference in result
    assert "likely to be eligible" in result
    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]
    # The answers left the session once sent.
    assert client.get(url("check", council))["Location"] == url("question", council, slug="asker")


def test_may_not_be_eligible_signposts_and_still_offers_an_assessment(council):
    client = Client()
    walk(client, council, unlikely_answers())
    client.post(url("check", council))
    result = client.get(url("result", council)).content.decode()

    sent = FrontDoorRequest.objects.get()
    assert sent.route == Route.SIGNPOSTED
    assert "may not be eligible" in result
    assert "Ask for an assessment" in result
    assert "Book an appointment" in result

    response = client.post(url("result", council))
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.route == Route.QUEUE and sent.assessment_requested


def test_without_consent_asking_for_an_assessment_takes_the_details_then(council):
    client = Client()
    walk(client, council, unlikely_answers(consent="no"))
    client.post(url("check", council))
    sent = FrontDoorRequest.objects.get()
    assert sent.answers == {}

    refused = client.post(url("result", council), {"person_name": "Edith Marlowe"})
    assert refused.status_code == 400
    assert "Select that you agree to share" in refused.content.decode()

    client.post(
        url("result", council),
        {
            "person_name": "Edith Marlowe",
            "postcode": "wb1 2ab",
            "email": "edith@example.org",
            "consent_to_share": "on",
        },
    )
    sent.refresh_from_db()
    assert sent.route == Route.QUEUE and sent.consent_to_share
    assert sent.postcode == "WB1 2AB" and sent.answers["adult_nutrition"] == ["needs_help"]


def test_changing_an_answer_comes_back_to_check_your_answers(council):
    client = Client()
    walk(client, council, likely_answers())
    question = questions.by_id("person_name")
    response = client.post(
        url("question", council, slug=question.slug) + "?change=1",
        {"person_name": "Edith Rose Marlowe"},
    )
    assert response["Location"] == url("check", council)
    assert "Edith Rose Marlowe" in client.get(url("check", council)).content.decode()


def test_changing_who_it_is_about_asks_the_new_questions(council):
    client = Client()
    walk(client, council, likely_answers())
    response = client.post(url("question", council, slug="about") + "?change=1", {"about": "carer"})

    assert response["Location"].startswith(url("question", council, slug="carer-necessary-care"))


def test_an_urgent_answer_shows_the_emergency_contacts_at_once(council):
    client = Client()
    for qid, value in (("asker", "self"), ("about", "adult")):
        answer(client, council, qid, value)
    response = client.post(url("question", council, slug="urgent"), {"urgent": ["danger"]})

    page = response.content.decode()
    assert response.status_code == 200
    assert "call 999 now" in page
    assert "01632 960 999" in page  # the council's out-of-hours line
    assert url("question", council, slug="postcode") in page


def test_a_postcode_outside_the_area_names_the_neighbouring_council(council):
    NeighbouringArea.objects.create(
        council=council,
        name="Eastmoor Council",
        postcode_districts="EM1 EM2",
        website="https://eastmoor.example.org",
        phone="01632 960 222",
    )
    client = Client()
    for qid, value in (("asker", "self"), ("about", "adult"), ("urgent", ["none"])):
        answer(client, council, qid, value)
    response = client.post(url("question", council, slug="postcode"), {"postcode": "em1 4tt"})

    page = response.content.decode()
    assert "Eastmoor Council looks after EM1 4TT" in page
    assert "01632 960 222" in page
    other = client.post(url("question", council, slug="postcode"), {"postcode": "SW1A 1AA"})
    assert "find-local-council" in other.content.decode()
    # The postcode is not kept: nothing can be sent until one in the area is given.
    response = client.get(url("check", council))
    assert response["Location"] == url("question", council, slug="postcode")


def test_tracking_with_reference_and_email_shows_the_status_and_history(council):
    sent = submit(council, likely_answers())
    officer = make_user(council=council, role="front_door_officer")
    services.request_open(request=sent, by=officer)
    services.request_note(request=sent, by=officer, text="Secret officer note")
    client = Client()

    wrong = client.post(
        url("track", council), {"reference": sent.reference, "email": "x@example.org"}
    )
    assert wrong.status_code == 400
    assert "We could not find a request" in wrong.content.decode()
    assert client.get(url("track_detail", council, reference=sent.reference)).status_code == 302

    response = client.post(
        url("track", council), {"reference": sent.reference, "email": "rosa@example.org"}
    )
    page = client.get(response["Location"]).content.decode()
    assert "Being looked at" in page
    assert "Secret officer note" not in page


def test_an_emailed_link_opens_the_request_and_a_forged_one_does_not(council):
    sent = submit(council, likely_answers())
    client = Client()
    path = re.sub(r"^https?://[^/]+", "", services.track_link(sent))

    assert client.get(path + "x").status_code == 404
    # A forged link grants nothing: the request's page still asks for proof.
    detail = url("track_detail", council, reference=sent.reference)
    assert client.get(detail)["Location"] == url("track", council)
    response = client.get(path)
    assert response["Location"] == detail
    assert sent.reference in client.get(detail).content.decode()


def test_the_person_answers_a_request_for_information_and_opts_in_to_updates(council):
    sent = submit(council, likely_answers())
    officer = make_user(council=council, role="front_door_officer")
    services.information_request(request=sent, by=officer, text="Who is their GP?")
    client = Client()
    client.post(url("track", council), {"reference": sent.reference, "email": "rosa@example.org"})
    page_url = url("track_detail", council, reference=sent.reference)
    assert "Who is their GP?" in client.get(page_url).content.decode()

    client.post(page_url, {"do": "information", "text": "Dr Okafor"})
    client.post(page_url, {"do": "updates"})

    sent.refresh_from_db()
    assert sent.status == RequestStatus.IN_REVIEW
    assert sent.updates_email == "rosa@example.org"


def test_feedback_is_recorded_against_the_request_sent_from_this_browser(council):
    client = Client()
    walk(client, council, likely_answers())
    client.post(url("check", council))
    missing = client.post(url("feedback", council), {})
    assert missing.status_code == 400

    client.post(url("feedback", council), {"rating": "4", "comment": "Clear questions"})

    given = Feedback.objects.get()
    assert given.rating == 4 and given.request == FrontDoorRequest.objects.get()


def test_pages_speak_to_whoever_is_asking_and_mark_what_may_be_skipped(council):
    client = Client()
    walk(client, council, likely_answers(asker="self"))
    hygiene = client.get(url("question", council, slug="adult-hygiene")).content.decode()
    phone = client.get(url("question", council, slug="person-phone")).content.decode()

    assert "Your needs" in hygiene and "{Your}" not in hygiene and "{you}" not in hygiene
    assert "(optional)" in phone


def test_likely_eligible_without_consent_says_nothing_was_sent(council):
    client = Client()
    walk(client, council, likely_answers(consent="no"))
    client.post(url("check", council))
    result = client.get(url("result", council)).content.decode()

    assert "likely to be eligible, but nothing has been sent" in result
    assert "may not be eligible" not in result
    assert "Ask for an assessment" in result


def test_an_urgent_request_goes_to_the_council_whatever_the_outcomes(council):
    client = Client()
    walk(client, council, unlikely_answers(urgent=["no_essentials"]))
    client.post(url("check", council))
    result = client.get(url("result", council)).content.decode()

    sent = FrontDoorRequest.objects.get()
    assert sent.route == Route.QUEUE and sent.urgent
    assert "Request sent" in result and "may be at risk" in result
    assert "likely to be eligible" not in result


def test_tracking_an_accepted_request_never_says_an_assessment_is_booked(council):
    sent = submit(council, likely_answers())
    officer = make_user(council=council, role="front_door_officer")
    services.request_accept(
        request=sent,
        by=officer,
        new=services.NewServiceUser(
            ss_ref="WB100200",
            first_name="Edith",
            last_name="Marlow",
            date_of_birth=date(1941, 3, 3),
        ),
    )
    client = Client()
    client.post(url("track", council), {"reference": sent.reference, "email": "rosa@example.org"})

    page = client.get(url("track_detail", council, reference=sent.reference)).content.decode()

    assert "assessment booked" not in page.lower()
    assert "Accepted for assessment" in page
    assert "will contact" in page


def test_an_urgent_request_on_a_sunday_gives_the_out_of_hours_team_not_a_promise_of_today(
    council, monkeypatch
):
    from datetime import UTC, datetime

    from carebridge.frontdoor.tests.hubs.test_hubs_support import freeze

    services.front_door_settings_update(
        council=council, by=None, out_of_hours_contact="Emergency duty team: 01632 960 909"
    )
    freeze(monkeypatch, datetime(2026, 12, 6, 11, 0, tzinfo=UTC))  # Sunday, 11am
    client = Client()
    walk(client, council, likely_answers(urgent=["danger"]))
    client.post(url("check", council))

    result = client.get(url("result", council)).content.decode()

    assert "look at the request today" not in result
    assert "as soon as the office opens, at 9:00am on Monday 7 December" in result
    assert "Emergency duty team: 01632 960 909" in result
    assert "The adult social care office is shut now" in result


def test_the_get_help_now_page_gives_the_out_of_hours_team_only_when_the_office_is_shut(
    council, monkeypatch
):
    from datetime import UTC, datetime

    from carebridge.frontdoor.tests.hubs.test_hubs_support import freeze

    services.front_door_settings_update(
        council=council, by=None, out_of_hours_contact="Emergency duty team: 01632 960 909"
    )
    clock = freeze(monkeypatch, datetime(2026, 12, 6, 11, 0, tzinfo=UTC))  # Sunday, 11am
    shut = Client().get(url("urgent", council)).content.decode()
    clock.at = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # Monday, 11am
    open_ = Client().get(url("urgent", council)).content.decode()

    assert "Emergency duty team: 01632 960 909" in shut
    assert "Emergency duty team: 01632 960 909" not in open_
    assert "01632 960 100" in open_  # the office's own line while it is open
