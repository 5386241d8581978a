"""Item 26: the feedback people give is read by the council's front-door officers, filtered and
paginated, with a CSV export whose cells a spreadsheet cannot run as formulas; another
council's feedback is never shown."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.tests.hubs.test_hubs_support import freeze
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from tests.support import client_for, make_provider, make_user

pytestmark = pytest.mark.django_db


def give(council, rating, comment="", request=None):
    return services.feedback_give(council=council, rating=rating, comment=comment, request=request)


def test_officers_read_the_rating_comment_date_and_request_of_each_feedback(council, officer):
    sent = submit(council, likely_answers())
    give(council, 2, "The questions about washing were confusing", request=sent)
    give(council, 5, "")

    page = client_for(officer).get(reverse("frontdoor:feedback_list")).content.decode()

    assert "2 responses" in page
    assert "The questions about washing were confusing" in page
    assert "Dissatisfied (2 of 5)" in page
    assert "Very satisfied (5 of 5)" in page
    assert sent.reference in page
    assert reverse("frontdoor:request_detail", args=[sent.pk]) in page
    assert "No comment" in page


def test_it_filters_by_rating_comment_and_period(council, officer, monkeypatch):
    clock = freeze(monkeypatch, datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    give(council, 1, "Old and unhappy")
    clock.advance(days=30)
    give(council, 1, "")
    give(council, 4, "Recent and happy")
    client = client_for(officer)

    def listed(**query):
        response = client.get(reverse("frontdoor:feedback_list"), query)
        return [str(given.comment) for given in response.context["page"].object_list]

    assert listed(rating="1") == ["", "Old and unhappy"]
    assert listed(rating="1", with_comment="on") == ["Old and unhappy"]
    assert listed(period="7") == ["Recent and happy", ""]
    # A tampered filter is ignored, never an error.
    assert len(listed(rating="9", period="x")) == 3


def test_the_list_pages_and_runs_the_same_queries_however_long(
    council, officer, django_assert_max_num_queries
):
    for n in range(30):
        give(council, 1 + n % 5, f"Comment {n}", request=submit(council, likely_answers()))
    client = client_for(officer)
    client.get(reverse("frontdoor:feedback_list"))

    with django_assert_max_num_queries(8):
        first = client.get(reverse("frontdoor:feedback_list"))
    second = client.get(reverse("frontdoor:feedback_list"), {"page": "2"})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5


def test_the_export_neutralises_formulas_and_keeps_the_filters(council, officer):
    sent = submit(council, likely_answers())
    give(council, 1, '=HYPERLINK("http://evil.example","Click")', request=sent)
    give(council, 3, "+44 1632 960 000 rang – no answer")
    give(council, 5, "Lovely")

    response = client_for(officer).get(reverse("frontdoor:feedback_export"), {"rating": "1"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="front-door-feedback-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["Given", "Rating", "Rating in words", "Comment", "Request reference"]
    assert len(rows) == 2
    assert rows[1][1:] == [
        "1",
        "Very dissatisfied",
        '\'=HYPERLINK("http://evil.example","Click")',
        sent.reference,
    ]
    everything = client_for(officer).get(reverse("frontdoor:feedback_export"))
    body = b"".join(everything.streaming_content).decode("utf-8")
    assert "'+44 1632 960 000 rang – no answer" in body
    assert Event.objects.filter(action="front_door.feedback_exported").count() == 2


def test_another_councils_feedback_is_never_shown(council, officer):
    other = open_council("Quillinghurst Metropolitan Council")
    give(other, 1, "Zephyrine found it slow")
    give(council, 4, "Ours")

    page = client_for(officer).get(reverse("frontdoor:feedback_list")).content.decode()
    export = client_for(officer).get(reverse("frontdoor:feedback_export"))

    assert "Zephyrine" not in page
    assert "Zephyrine" not in b"".join(export.streaming_content).decode()


@pytest.mark.parametrize("persona", ["broker", "administrator", "provider", "anonymous"])
def test_only_front_door_staff_read_feedback(council, persona):
    user = {
        "broker": lambda: make_user(council=council, role="broker"),
        "administrator": lambda: make_user(council=council, role="council_administrator"),
        "provider": lambda: make_user(provider=make_provider(), role="super_user_scheduled"),
        "anonymous": lambda: None,
    }[persona]()
    give(council, 1, "Private to the front door")

    for name in ("frontdoor:feedback_list", "frontdoor:feedback_export"):
        response = client_for(user).get(reverse(name))
        assert response.status_code in (302, 403)
        assert b"Private to the front door" not in b"".join(
            response.streaming_content if response.streaming else [response.content]
        )


def test_the_navigation_offers_feedback_to_front_door_officers(council, officer):
    # Feedback is one of the Front door section's pages (its sub-navigation).
    page = client_for(officer).get(reverse("frontdoor:request_list")).content.decode()

    assert f'href="{reverse("frontdoor:feedback_list")}"' in page
