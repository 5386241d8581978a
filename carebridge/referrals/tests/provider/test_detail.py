"""A referral's details page and update log, as the provider and the council see them."""

from datetime import timedelta
from unittest import mock

import pytest

from carebridge.referrals.tests.conftest import NOW
from carebridge.referrals.tests.provider.conftest import (
    FIRST_VISIT,
    accepted,
    page,
    referral,
    updated,
    url,
)
from tests.support import client_for, make_council, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


# --- Details ------------------------------------------------------------------------------------


def test_the_provider_sees_the_care_referral_details(world):
    mine = referral(world)
    response = client_for(world.carer).get(url("detail", mine.pk))
    assert response.status_code == 200
    body = page(response)
    assert f'<h1 class="govuk-heading-l">{mine.service_user.full_name}</h1>' in body
    assert "23/04/1940 (86 years old)" in body
    assert "44 Whinney Lane" in body
    assert "Jump to" in body
    for anchor in (
        "person-information",
        "next-of-kin",
        "referral-details",
        "consent",
        "requirements",
        "completed-by",
    ):
        assert f'href="#{anchor}"' in body
        assert f'id="{anchor}"' in body
    assert "Pat Example" in body
    assert "Help to wash, dress and prepare meals." in body
    assert "Sam Broker" in body
    assert "—" in body, "blank values show a dash"
    assert "Respond by" in body
    assert "12:00pm 23/11/2026" in body
    assert "Accept this request" in body
    assert "Refuse this request" in body
    assert url("accept", mine.pk) in body
    assert url("update_log", mine.pk) in body
    assert "Withdraw this referral" not in body


def test_a_read_only_user_sees_details_without_buttons(world):
    mine = referral(world)
    response = client_for(world.reader).get(url("detail", mine.pk))
    assert response.status_code == 200
    assert "Accept this request" not in page(response)


def test_another_provider_gets_not_found(world):
    mine = referral(world)
    stranger = client_for(world.stranger)
    for name in ("detail", "update_log"):
        assert stranger.get(url(name, mine.pk)).status_code == 404
    for name in ("accept", "refuse", "delay", "failed_start", "provider_update", "visit_actuals"):
        assert stranger.get(url(name, mine.pk)).status_code == 404
        assert stranger.post(url(name, mine.pk)).status_code == 404


def test_another_council_gets_not_found(world):
    mine = referral(world)
    outsider = make_user(council=make_council(), role="broker")
    assert client_for(outsider).get(url("detail", mine.pk)).status_code == 404


def test_the_council_sees_the_provider_and_may_withdraw(world):
    mine = referral(world)
    body = page(client_for(world.broker).get(url("detail", mine.pk)))
    assert "Bluebell Lane Care" in body
    assert url("withdraw", mine.pk) in body
    assert "Accept this request" not in body
    assert "Provider update" not in body
    viewer = page(client_for(world.front_door).get(url("detail", mine.pk)))
    assert url("withdraw", mine.pk) not in viewer


def test_an_accepted_referral_offers_the_submit_buttons(world):
    mine = accepted(world)
    body = page(client_for(world.carer).get(url("detail", mine.pk)))
    assert "Submit…" in body
    for name in ("provider_update", "visit_actuals", "delay", "failed_start"):
        assert url(name, mine.pk) in body
    assert "Accept this request" not in body
    assert "First visit booked" in body
    assert "2:00pm 23/11/2026" in body


def test_an_updated_referral_offers_only_visit_actuals(world):
    mine = updated(world)
    body = page(client_for(world.carer).get(url("detail", mine.pk)))
    assert url("visit_actuals", mine.pk) in body
    for name in ("provider_update", "delay", "failed_start"):
        assert url(name, mine.pk) not in body
    assert "Awaiting actuals" in body
    assert "Jo Carer" in body


def test_the_update_deadline_turns_amber_then_red(world):
    mine = accepted(world)
    # A fresh log-in at each moment: a session does not last 60 hours.
    with mock.patch("django.utils.timezone.now", return_value=NOW + timedelta(hours=60)):
        body = page(client_for(world.carer).get(url("detail", mine.pk)))
    assert "Provider update due by" in body
    assert "2:00pm 26/11/2026" in body, "72 hours after the first visit"
    assert 'govuk-tag--orange">Due soon<' in body
    with mock.patch("django.utils.timezone.now", return_value=FIRST_VISIT + timedelta(hours=73)):
        body = page(client_for(world.carer).get(url("detail", mine.pk)))
    assert 'govuk-tag--red">Missed<' in body


# --- Update log ---------------------------------------------------------------------------------


def test_the_update_log_shows_every_event_readably(world):
    mine = updated(world)
    response = client_for(world.carer).get(url("update_log", mine.pk))
    assert response.status_code == 200
    body = page(response)
    assert f"Update log for: {mine.service_user.full_name}" in body
    assert body.index("Provider update submitted") < body.index("Referral accepted")
    assert body.index("Referral accepted") < body.index("Referral added to the system")
    assert f"Submitted at 10:00am 23/11/2026 by {world.carer.full_name}" in body
    assert "Added at 10:00am 23/11/2026" in body
    assert "Date and time of 1st visit" in body
    assert "2:00pm 23/11/2026" in body
    assert "Was the service terminated within 72 hours?" in body
    assert "2026-11-23" not in body, "no raw ISO dates"


def test_the_council_can_read_the_update_log(world):
    mine = accepted(world)
    response = client_for(world.broker).get(url("update_log", mine.pk))
    assert response.status_code == 200
    assert "Referral accepted" in page(response)
