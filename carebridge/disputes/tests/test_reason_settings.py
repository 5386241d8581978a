"""The council's catalogue of dispute reasons as a settings page, kept by the officers who raise
disputes: the reasons in order with Active or Inactive, adding one (bounded, no control
characters, unique in the council, once on a double submit), stopping and again offering one on
a confirmation page (a repeat changes nothing). Another council's reason is not found; a provider
or a council role that raises no disputes is refused."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.idempotency import form_token_issue
from carebridge.core.permissions import Role
from carebridge.disputes import services
from carebridge.disputes.choices import DEFAULT_REASONS
from carebridge.disputes.models import DisputeReason
from carebridge.organisations.models import Council
from tests.support import client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("disputes:reason_list")


def change_url(reason: DisputeReason, change: str) -> str:
    return reverse("disputes:reason_change", args=[reason.pk, change])


@dataclass
class Keepers:
    council: Council
    payments_officer: User
    broker: User
    administrator: User
    provider_user: User
    other_reason: DisputeReason


@pytest.fixture
def keepers() -> Keepers:
    council, other = make_council(), make_council()
    services.dispute_reasons_ensure(other)
    return Keepers(
        council=council,
        payments_officer=make_user(council=council, role=Role.PAYMENTS_OFFICER),
        broker=make_user(council=council, role=Role.BROKER),
        administrator=make_user(council=council, role=Role.COUNCIL_ADMINISTRATOR),
        provider_user=make_user(provider=make_provider(), role=Role.SUPER_USER_ACTUALS),
        other_reason=DisputeReason.objects.filter(council=other).first(),
    )


def reasons_of(council: Council) -> list[DisputeReason]:
    return list(DisputeReason.objects.filter(council=council).order_by("order", "pk"))


def events(action: str) -> list[Event]:
    return list(Event.objects.filter(action=action).order_by("pk"))


def test_the_list_shows_the_councils_reasons_in_order_with_their_status(keepers):
    client = client_for(keepers.payments_officer)
    client.post(LIST, {"keep_defaults": "yes"})  # the guide's list kept as the council's own
    first = reasons_of(keepers.council)[0]
    services.dispute_reason_set_active(by=keepers.payments_officer, reason=first, active=False)

    response = client.get(LIST)

    assert response.status_code == 200
    assert [reason.label for reason in response.context["reasons"]] == list(DEFAULT_REASONS)
    page = response.content.decode()
    assert page.count("govuk-tag--grey") == 1
    assert page.count("govuk-tag--green") == len(DEFAULT_REASONS) - 1
    assert change_url(first, "offer") in page
    assert change_url(keepers.other_reason, "stop") not in page


def test_an_officer_adds_a_reason_at_the_end_audited(keepers):
    response = client_for(keepers.broker).post(LIST, {"label": "  Duplicate payment  "})

    assert response.status_code == 302
    reasons = reasons_of(keepers.council)
    assert reasons[-1].label == "Duplicate payment"
    assert reasons[-1].active
    (event,) = events("dispute_reason.added")
    assert (event.actor, event.council_id) == (keepers.broker, keepers.council.pk)


def test_a_double_submit_of_the_add_form_adds_the_reason_once(keepers):
    client = client_for(keepers.payments_officer)
    request = client.get(LIST).wsgi_request
    token = form_token_issue(request)

    first = client.post(LIST, {"label": "Duplicate payment", "form_token": token})
    second = client.post(LIST, {"label": "Duplicate payment", "form_token": token})

    assert first.status_code == second.status_code == 302
    assert [r.label for r in reasons_of(keepers.council)].count("Duplicate payment") == 1
    assert len(events("dispute_reason.added")) == 1


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("", "Enter the reason"),
        ("x" * 201, "Reason must be 200 characters or fewer"),
        ("Care\x07 not given", "control characters"),
        ("care NOT delivered", "Your council has this reason already"),
    ],
)
def test_a_bad_reason_is_shown_against_its_field_and_nothing_is_added(keepers, label, message):
    client = client_for(keepers.payments_officer)
    client.post(LIST, {"keep_defaults": "yes"})
    before = len(reasons_of(keepers.council))

    response = client.post(LIST, {"label": label})

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["label"])
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_label"' in page
    assert len(reasons_of(keepers.council)) == before
    assert not events("dispute_reason.added")


def test_stopping_a_reason_asks_first_then_stops_it_once(keepers):
    client = client_for(keepers.payments_officer)
    client.post(LIST, {"keep_defaults": "yes"})
    reason = reasons_of(keepers.council)[2]

    confirm = client.get(change_url(reason, "stop"))
    assert confirm.status_code == 200
    assert DisputeReason.objects.get(pk=reason.pk).active
    for _ in range(2):
        assert client.post(change_url(reason, "stop")).status_code == 302

    assert not DisputeReason.objects.get(pk=reason.pk).active
    assert len(events("dispute_reason.deactivated")) == 1
    assert reason not in services.dispute_reasons_ensure(keepers.council)

    client.post(change_url(reason, "offer"))
    assert DisputeReason.objects.get(pk=reason.pk).active
    assert len(events("dispute_reason.activated")) == 1


def test_another_councils_reason_is_not_found(keepers):
    client = client_for(keepers.payments_officer)

    for change in ("stop", "offer"):
        assert client.get(change_url(keepers.other_reason, change)).status_code == 404
        assert client.post(change_url(keepers.other_reason, "stop")).status_code == 404
    assert DisputeReason.objects.get(pk=keepers.other_reason.pk).active


def test_a_change_the_page_does_not_know_is_not_found(keepers):
    client = client_for(keepers.payments_officer)
    client.post(LIST, {"keep_defaults": "yes"})
    reason = reasons_of(keepers.council)[0]

    assert client.post(change_url(reason, "delete")).status_code == 404
    assert DisputeReason.objects.filter(pk=reason.pk, active=True).exists()


@pytest.mark.parametrize("who", ["provider_user", "administrator"])
def test_a_provider_and_a_council_role_that_raises_no_disputes_are_refused(keepers, who):
    services.dispute_reasons_ensure(keepers.council)
    reason = reasons_of(keepers.council)[0]
    client = client_for(getattr(keepers, who))

    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"label": "Duplicate payment"}).status_code == 403
    assert client.get(change_url(reason, "stop")).status_code == 403
    assert client.post(change_url(reason, "stop")).status_code == 403
    assert DisputeReason.objects.get(pk=reason.pk).active
    assert not DisputeReason.objects.filter(label="Duplicate payment").exists()


def test_a_council_keeping_no_reasons_reads_the_guides_list_and_nothing_is_saved(keepers):
    client = client_for(keepers.payments_officer)

    page = client.get(LIST).content.decode()

    assert all(label in page for label in DEFAULT_REASONS)
    assert "Keep these reasons" in page
    assert "Stop offering" not in page, "an unsaved reason has nothing to stop yet"
    assert reasons_of(keepers.council) == []
    assert not [e for e in events("dispute_reason.defaults_added") if e.council == keepers.council]


def test_keeping_the_guides_list_saves_it_once_audited(keepers):
    client = client_for(keepers.payments_officer)

    for _ in range(2):
        assert client.post(LIST, {"keep_defaults": "yes"})["Location"] == LIST

    assert [r.label for r in reasons_of(keepers.council)] == list(DEFAULT_REASONS)
    (event,) = [e for e in events("dispute_reason.defaults_added") if e.actor is not None]
    assert (event.actor, event.council_id) == (keepers.payments_officer, keepers.council.pk)
    page = client.get(LIST).content.decode()
    assert "Keep these reasons" not in page
    assert change_url(reasons_of(keepers.council)[0], "stop") in page


def test_adding_a_reason_keeps_the_guides_list_before_it(keepers):
    client_for(keepers.broker).post(LIST, {"label": "Duplicate payment"})

    labels = [r.label for r in reasons_of(keepers.council)]
    assert labels == [*DEFAULT_REASONS, "Duplicate payment"]


def test_the_keep_button_is_refused_to_a_role_that_raises_no_disputes(keepers):
    assert client_for(keepers.administrator).post(LIST, {"keep_defaults": "yes"}).status_code == 403
    assert reasons_of(keepers.council) == []
