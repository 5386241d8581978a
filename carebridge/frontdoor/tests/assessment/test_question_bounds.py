"""The public question pages refuse control characters and answers that are too long, and an
answer kept in a session before control characters were refused cannot break a later page."""

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE
from carebridge.frontdoor.assessment import answers, questions
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests.views.public import SESSION_KEY
from carebridge.frontdoor.tests.support_requests import likely_answers

pytestmark = pytest.mark.django_db


def question_url(council, question_id: str) -> str:
    question = questions.by_id(question_id)
    assert question is not None
    return reverse("care:question", kwargs={"council": council.slug, "slug": question.slug})


def with_answers(council, answers: dict) -> Client:
    """A browser whose session holds these answers, as if it had answered every page."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = {council.slug: {"answers": answers, "sent": None, "tracking": []}}
    session.save()
    return client


def test_it_refuses_a_nul_in_a_name_with_a_clear_message(council):
    client = with_answers(council, likely_answers())
    response = client.post(question_url(council, "person_name"), {"person_name": "Ann\x00Smith"})
    assert response.status_code == 400
    page = response.content.decode()
    assert CONTROL_CHARACTERS_MESSAGE in page
    assert "\x00" not in page


@pytest.mark.parametrize("kind_id", ["person_name", "asker_email", "asker_phone", "postcode"])
def test_it_refuses_control_characters_on_every_kind_of_typed_answer(kind_id):
    question = questions.by_id(kind_id)
    assert question is not None
    value, error = answers.clean(question, "WB1\x07 2AB", answers=likely_answers())
    assert (value, error) == ("", CONTROL_CHARACTERS_MESSAGE)


def test_it_refuses_a_name_over_two_hundred_characters(council):
    client = with_answers(council, likely_answers())
    response = client.post(question_url(council, "person_name"), {"person_name": "A" * 201})
    assert response.status_code == 400
    assert "Full name must be 200 characters or fewer" in response.content.decode()


def test_an_answer_with_a_nul_kept_from_before_is_asked_again_not_sent(council):
    client = with_answers(council, likely_answers(person_name="Ann\x00Smith"))
    check = reverse("care:check", kwargs={"council": council.slug})
    response = client.post(check)
    assert response.status_code == 302
    assert response["Location"] == question_url(council, "person_name")
    assert not FrontDoorRequest.objects.exists()
    assert client.post(response["Location"], {"person_name": "Ann Smith"}).status_code == 302
    assert client.post(check).status_code == 302
    assert FrontDoorRequest.objects.get().answers["person_name"] == "Ann Smith"
