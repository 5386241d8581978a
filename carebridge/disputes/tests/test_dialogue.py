"""A dispute's further dialogue on an action (Related to: dispute): either side raises it from
the dispute's page, once, linked in the same transaction; the council's goes to the provider and
the provider's to the council's payments team (or the raiser's team); the thread and the inbox
say which dispute it is about, linking to it for whoever may see it; another organisation's
dispute is not found; the general new-action form never offers Dispute."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import Action, ActionType, Post
from carebridge.audit.models import Event
from carebridge.core.calendar import today
from carebridge.disputes import services
from carebridge.disputes.models import Dispute
from carebridge.organisations import services as org
from carebridge.organisations.choices import TeamKind
from tests.support import client_for

pytestmark = pytest.mark.django_db

TEXT = "Can we talk through the visits of 13/1?"


def body(response) -> str:
    return response.content.decode()


def start_url(dispute) -> str:
    return reverse("disputes:dispute_action", args=[dispute.pk])


def thread_url(action_id: int) -> str:
    return reverse("actions:action_detail", args=[action_id])


def token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the form carries a form token"
    return found.group(1)


def form_data(page: str, *, text: str = TEXT, due=None) -> dict[str, str]:
    due = due or today() + timedelta(days=7)
    return {
        "form_token": token(page),
        "text": text,
        "due_date_0": str(due.day),
        "due_date_1": str(due.month),
        "due_date_2": str(due.year),
    }


def payments_team(world):
    return org.team_create(council=world.council, name="Payments team", kind=TeamKind.PAYMENTS)


def start(dispute, by, text: str = TEXT, **kw):
    return services.dispute_action_start(
        by=by, dispute=dispute, text=text, due_date=today() + timedelta(days=7), **kw
    )


def test_the_council_raises_one_action_for_a_double_submit(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    client = client_for(w.payments_officer)
    page = body(client.get(reverse("disputes:council_detail", args=[dispute.pk])))
    assert "Raise an action about this dispute" in page and start_url(dispute) in page
    form_page = body(client.get(start_url(dispute)))
    assert "Raise an action about this dispute" in form_page
    data = form_data(form_page)
    first = client.post(start_url(dispute), data)
    again = client.post(start_url(dispute), data)
    action = Action.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == thread_url(action.pk)
    # The council's action goes to the provider, about the dispute, with the text as its first
    # post; the dispute holds the link.
    assert action.assigned_team is None and action.provider == w.provider
    assert action.related_kind == RelatedKind.DISPUTE and action.related is None
    assert action.title == f"Dispute {dispute.pk}: Care not delivered"
    assert Post.objects.get(action=action).text == TEXT
    assert Dispute.objects.get(pk=dispute.pk).action == action
    assert Event.objects.filter(action="action.created").count() == 1
    assert Event.objects.filter(action="dispute.action_linked").count() == 1
    # Now the dispute's page goes to the thread instead of offering another.
    page = body(client.get(reverse("disputes:council_detail", args=[dispute.pk])))
    assert "Raise an action about this dispute" not in page and thread_url(action.pk) in page
    assert client.get(start_url(dispute))["Location"] == thread_url(action.pk)


def test_the_providers_action_goes_to_the_councils_payments_team(disputing):
    w = disputing.world
    team = payments_team(w)
    dispute = disputing.raise_()
    client = client_for(w.carer)
    page = body(client.get(reverse("disputes:dispute_detail", args=[dispute.pk])))
    assert "Raise an action about this dispute" in page
    response = client.post(start_url(dispute), form_data(body(client.get(start_url(dispute)))))
    action = Action.objects.get()
    assert response["Location"] == thread_url(action.pk)
    assert action.assigned_team == team and action.created_by == w.carer
    # The council's catalogue has the type now, with the payments team as its team.
    assert ActionType.objects.get(council=w.council, name="Dispute").default_team == team
    page = body(client.get(reverse("disputes:dispute_detail", args=[dispute.pk])))
    assert thread_url(action.pk) in page


def test_without_a_payments_team_the_providers_action_goes_to_the_raisers_team(disputing):
    w = disputing.world
    brokerage = org.team_create(council=w.council, name="Brokerage", kind=TeamKind.BROKERAGE)
    org.team_member_set(user=w.payments_officer, team=brokerage)
    w.payments_officer.refresh_from_db()
    dispute = disputing.raise_()
    action = start(dispute, w.carer)
    assert action.assigned_team == brokerage


def test_with_no_team_to_send_it_to_the_provider_is_told_and_nothing_is_written(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    client = client_for(w.carer)
    response = client.post(start_url(dispute), form_data(body(client.get(start_url(dispute)))))
    assert response.status_code == 400
    assert "no payments team in the portal" in body(response)
    assert not Action.objects.exists()
    assert Dispute.objects.get(pk=dispute.pk).action is None


def test_a_refused_link_leaves_no_action(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    refused = services.DisputeRefused(services.ACTION_LINKED)
    with (
        mock.patch.object(services, "dispute_action_link", side_effect=refused),
        pytest.raises(services.DisputeRefused),
    ):
        start(dispute, w.payments_officer)
    assert not Action.objects.exists() and not Post.objects.exists()
    assert not Event.objects.filter(action="action.created").exists()


def test_a_second_action_is_refused_and_the_same_key_returns_the_first(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    first = start(dispute, w.payments_officer, idempotency_key="key-1")
    assert start(dispute, w.payments_officer, idempotency_key="key-1") == first
    with pytest.raises(services.DisputeRefused, match="action linked"):
        start(dispute, w.carer)
    assert Action.objects.count() == 1


def test_bad_text_or_due_date_is_shown_and_nothing_written(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    client = client_for(w.payments_officer)
    page = body(client.get(start_url(dispute)))
    response = client.post(start_url(dispute), form_data(page, text="  "))
    assert response.status_code == 400 and "Enter the text of the action" in body(response)
    response = client.post(start_url(dispute), form_data(page, due=today() - timedelta(days=1)))
    assert response.status_code == 400
    assert "The due date must be today or in the future" in body(response)
    with pytest.raises(ValidationError):
        start(dispute, w.payments_officer, text="")
    assert not Action.objects.exists()


def test_a_council_that_switched_the_type_off_takes_none(disputing):
    w = disputing.world
    ActionType.objects.create(council=w.council, name="Dispute", is_active=False)
    dispute = disputing.raise_()
    with pytest.raises(services.DisputeRefused, match="does not take actions about disputes"):
        start(dispute, w.payments_officer)
    assert not Action.objects.exists()


def test_another_organisations_dispute_is_not_found(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    for stranger in (w.stranger, w.other_officer):
        client = client_for(stranger)
        assert client.get(start_url(dispute)).status_code == 404
        assert client.post(start_url(dispute), {"text": TEXT}).status_code == 404
        with pytest.raises(services.DisputeRefused):
            start(dispute, stranger)
    # The provider's read-only user reads the dispute but raises nothing about it.
    assert client_for(w.read_only).get(start_url(dispute)).status_code == 403
    page = body(client_for(w.read_only).get(reverse("disputes:dispute_detail", args=[dispute.pk])))
    assert "Raise an action about this dispute" not in page
    assert not Action.objects.exists()


def test_the_thread_says_which_dispute_and_links_to_it_for_each_side(disputing):
    w = disputing.world
    dispute = disputing.raise_()
    action = start(dispute, w.payments_officer)
    council_page = body(client_for(w.payments_officer).get(thread_url(action.pk)))
    council_link = reverse("disputes:council_detail", args=[dispute.pk])
    assert (
        f'<a class="govuk-link" href="{council_link}">Dispute {dispute.pk}: Care not delivered, '
        f"{w.provider.name}</a>" in council_page
    )
    provider_page = body(client_for(w.carer).get(thread_url(action.pk)))
    provider_link = reverse("disputes:dispute_detail", args=[dispute.pk])
    assert (
        f'<a class="govuk-link" href="{provider_link}">Dispute {dispute.pk}: Care not delivered, '
        f"{w.council.name}</a>" in provider_page
    )
    # Reading the dialogue about clients' weeks is audited.
    assert Event.objects.filter(action="action.viewed", object_id=str(action.pk)).count() == 2
    inbox = body(client_for(w.carer).get(reverse("actions:action_list")))
    assert f"Dispute {dispute.pk}: Care not delivered, {w.council.name}" in inbox


def test_the_inbox_reads_dispute_actions_in_the_same_queries_for_more(disputing):
    w = disputing.world
    client = client_for(w.payments_officer)
    url = reverse("actions:action_list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    start(disputing.raise_([disputing.rows[0]]), w.payments_officer)
    client.get(url)  # the session and the first page's caches, once
    one = queries()
    start(disputing.raise_([disputing.rows[1]]), w.payments_officer)
    start(disputing.raise_([disputing.other_row]), w.payments_officer)
    assert queries() == one
    page = body(client.get(url))
    assert len(re.findall(r"Dispute \d+: Care not delivered, ", page)) == 3


def test_the_new_action_form_never_offers_a_dispute(disputing):
    w = disputing.world
    ActionType.objects.create(council=w.council, name="Actuals query")
    client = client_for(w.payments_officer)
    new = reverse("actions:action_new") + f"?provider={w.provider.pk}"
    page = body(client.get(new))
    assert 'value="client"' in page and 'value="dispute"' not in page
    response = client.post(
        new,
        {
            "provider": w.provider.pk,
            "action_type": ActionType.objects.get(name="Actuals query").pk,
            "related_kind": "dispute",
            "title": "A dispute with no dispute",
            "text": TEXT,
            "due_date_0": "1",
            "due_date_1": "12",
            "due_date_2": "2026",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in body(response)
    assert not Action.objects.exists()
