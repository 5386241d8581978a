"""The disputes pages per role: the council raises a dispute on a provider's rows of a period,
lists its disputes and resolves or reopens one on a confirmation page; the provider lists its
disputes and answers on the dispute's page. Every view is audited; another organisation's
dispute is not found; bad input comes back in the error summary."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.disputes import services
from carebridge.disputes.choices import DEFAULT_REASONS, DisputeStatus
from carebridge.disputes.models import Dispute, DisputeReason
from carebridge.disputes.tests.conftest import reason_of
from carebridge.home.navigation import items_for
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def raise_url(disputing) -> str:
    row = disputing.rows[0]
    return reverse(
        "disputes:dispute_raise",
        kwargs={"period_id": row.period_id, "provider_id": row.provider_id},
    )


def token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the raise form carries a form token"
    return found.group(1)


def raise_data(disputing, page: str, **extra) -> dict:
    reason = reason_of(disputing.world.council)
    data = {
        "form_token": token(page),
        "rows": [row.pk for row in disputing.rows],
        "reason": reason.label,
        "details": "The visits on Tuesday did not happen.",
    }
    data.update(extra)
    return data


def viewed(dispute) -> int:
    return Event.objects.filter(action="dispute.viewed", object_id=str(dispute.pk)).count()


def test_the_council_raises_a_dispute_once_for_a_double_click(disputing):
    w = disputing.world
    client = client_for(w.payments_officer)
    page = body(client.get(raise_url(disputing)))
    assert "Raise a dispute" in page and "Care not delivered" in page
    assert w.person.full_name in page and w.person.ss_ref in page
    assert Event.objects.filter(action="dispute.rows_listed").count() == 1
    data = raise_data(disputing, page)
    first = client.post(raise_url(disputing), data)
    again = client.post(raise_url(disputing), data)
    dispute = Dispute.objects.get()
    assert first.status_code == again.status_code == 302
    assert (
        first["Location"]
        == again["Location"]
        == reverse("disputes:council_detail", args=[dispute.pk])
    )
    assert dispute.reason.label == "Care not delivered"
    assert sorted(dispute.rows.values_list("actual_id", flat=True)) == sorted(
        row.pk for row in disputing.rows
    )
    # The rows now name their open dispute instead of offering a box.
    page = body(client.get(raise_url(disputing)))
    assert f"In dispute {dispute.pk}" in page and 'name="rows"' not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rows": []}, "Choose at least one actual row to dispute"),
        ({"details": "  "}, "Enter the details"),
        ({"details": "bell\x07"}, "control"),
        ({"reason": "999999"}, "Choose one of your council&#x27;s reasons"),
        ({"rows": ["999999"]}, "Choose the rows from the table"),
        ({"rows": ["not-a-number"]}, "Choose the rows from the table"),
    ],
)
def test_a_bad_raise_is_shown_in_the_error_summary_and_writes_nothing(disputing, change, message):
    w = disputing.world
    client = client_for(w.payments_officer)
    data = raise_data(disputing, body(client.get(raise_url(disputing))), **change)
    response = client.post(raise_url(disputing), data)
    assert response.status_code == 400
    page = body(response)
    assert "There is a problem" in page and message in page
    assert not Dispute.objects.exists()


def test_another_councils_reason_is_not_one_of_the_choices(disputing):
    w = disputing.world
    client = client_for(w.payments_officer)
    theirs = services.dispute_reason_add(
        by=w.other_officer, council=w.other_council, label="Visits logged at the wrong branch"
    )
    data = raise_data(disputing, body(client.get(raise_url(disputing))), reason=theirs.label)
    assert client.post(raise_url(disputing), data).status_code == 400
    assert not Dispute.objects.exists()


def test_only_the_councils_officers_may_raise_and_only_on_their_own_period(disputing):
    w = disputing.world
    assert client_for(w.carer).get(raise_url(disputing)).status_code == 403
    assert client_for(w.other_officer).get(raise_url(disputing)).status_code == 404
    front_door = make_user(council=w.council, role="front_door_officer")
    assert client_for(front_door).get(raise_url(disputing)).status_code == 403
    # A contracts officer (the broker) raises too.
    assert client_for(w.broker).get(raise_url(disputing)).status_code == 200
    missing = reverse(
        "disputes:dispute_raise",
        kwargs={"period_id": disputing.rows[0].period_id, "provider_id": 999999},
    )
    assert client_for(w.payments_officer).get(missing).status_code == 404


def test_each_side_sees_its_dispute_and_every_view_is_audited(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    council_page = reverse("disputes:council_detail", args=[dispute.pk])
    provider_page = reverse("disputes:dispute_detail", args=[dispute.pk])
    page = body(client_for(w.payments_officer).get(council_page))
    assert "Visit on 13/1 did not happen." in page and w.person.full_name in page
    assert "Resolve dispute" in page and "Reopen dispute" not in page
    page = body(client_for(w.carer).get(provider_page))
    assert "Request resolution" in page and "Add/Edit" in page
    assert viewed(dispute) == 2
    # The other side's page, another provider's user and another council's officer: not found.
    assert client_for(w.carer).get(council_page).status_code == 403
    assert client_for(w.payments_officer).get(provider_page).status_code == 403
    assert client_for(w.stranger).get(provider_page).status_code == 404
    assert client_for(w.other_officer).get(council_page).status_code == 404
    assert viewed(dispute) == 2


def test_a_read_only_provider_user_reads_the_dispute_but_cannot_answer(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    url = reverse("disputes:dispute_detail", args=[dispute.pk])
    page = body(client_for(w.read_only).get(url))
    assert "Visit on 13/1 did not happen." in page
    assert "Add/Edit" not in page and 'name="response"' not in page
    assert client_for(w.read_only).post(url, {"response": "Fine"}).status_code == 403
    assert Dispute.objects.get().status == DisputeStatus.IN_DISPUTE


def test_an_empty_response_is_refused_in_the_error_summary(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    url = reverse("disputes:dispute_detail", args=[dispute.pk])
    response = client_for(w.carer).post(url, {"response": " "})
    assert response.status_code == 400
    assert "There is a problem" in body(response) and "Enter your response" in body(response)
    assert Dispute.objects.get().status == DisputeStatus.IN_DISPUTE


def test_a_resolved_dispute_cannot_have_resolution_requested(disputing):
    w = disputing.world
    dispute = disputing.in_status(DisputeStatus.RESOLVED)
    url = reverse("disputes:dispute_detail", args=[dispute.pk])
    client = client_for(w.carer)
    response = client.post(url, {"response": "Again"}, follow=True)
    assert "You cannot request resolution of a dispute that has already been resolved" in body(
        response
    )
    assert "Add/Edit" not in body(client.get(url))


@pytest.mark.parametrize("minutes", [0, 1])
def test_a_decision_on_what_changed_meanwhile_is_refused(disputing, clock, minutes):
    w = disputing.world
    dispute = disputing.raise_()
    url = reverse("disputes:council_decide", args=[dispute.pk, "resolve"])
    client = client_for(w.payments_officer)
    page = body(client.get(url))
    seen = re.search(r'name="seen" value="([^"]+)"', page)
    assert seen
    # The provider answers while the officer reads (in the same tick of the clock, or later).
    clock.move(minutes=minutes)
    services.dispute_request_resolution(by=w.carer, dispute=dispute, response="Amended.")
    response = client.post(url, {"seen": seen.group(1), "note": ""}, follow=True)
    assert "This dispute changed while you were deciding" in body(response)
    assert Dispute.objects.get().status == DisputeStatus.RESOLUTION_REQUESTED


def test_reopening_needs_a_note_and_an_unknown_decision_is_not_found(disputing):
    w = disputing.world
    dispute = disputing.in_status(DisputeStatus.RESOLUTION_REQUESTED)
    client = client_for(w.payments_officer)
    url = reverse("disputes:council_decide", args=[dispute.pk, "reopen"])
    seen = re.search(r'name="seen" value="([^"]+)"', body(client.get(url)))
    assert seen
    response = client.post(url, {"seen": seen.group(1), "note": ""})
    assert response.status_code == 400 and "Enter what is still in dispute" in body(response)
    assert Dispute.objects.get().status == DisputeStatus.RESOLUTION_REQUESTED
    bogus = reverse("disputes:council_decide", args=[dispute.pk, "approve"])
    assert client.get(bogus).status_code == 404
    assert client_for(w.carer).get(url).status_code == 403


def test_reopening_an_unanswered_dispute_sends_the_officer_back(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    url = reverse("disputes:council_decide", args=[dispute.pk, "reopen"])
    response = client_for(w.payments_officer).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:council_detail", args=[dispute.pk])


def test_the_navigation_offers_disputes_to_those_who_use_them(disputing):
    w = disputing.world

    def offered(user) -> list[str]:
        return [str(item["url"]) for item in items_for(user)]

    assert offered(w.carer).count(reverse("disputes:dispute_list")) == 1
    assert offered(w.payments_officer).count(reverse("disputes:council_list")) == 1
    assert offered(w.broker).count(reverse("disputes:council_list")) == 1
    front_door = make_user(council=w.council, role="front_door_officer")
    assert reverse("disputes:council_list") not in offered(front_door)


def test_a_council_keeping_no_reasons_raises_with_the_guides_list_saved_only_then(disputing):
    w = disputing.world
    client = client_for(w.payments_officer)

    page = body(client.get(raise_url(disputing)))
    assert 'value="Care not delivered"' in page
    assert not DisputeReason.objects.filter(council=w.council).exists(), "the page wrote"

    data = {
        "form_token": token(page),
        "rows": [row.pk for row in disputing.rows],
        "reason": "Care not delivered",
        "details": "The visits on Tuesday did not happen.",
    }
    assert client.post(raise_url(disputing), data).status_code == 302
    assert Dispute.objects.get().reason.label == "Care not delivered"
    assert DisputeReason.objects.filter(council=w.council).count() == len(DEFAULT_REASONS)
