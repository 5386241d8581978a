"""The provider's answers to a referral: accept, refuse, delay, failed start, the provider update
and visit actuals."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest

from carebridge.referrals import services
from carebridge.referrals.forms.provider import AcceptForm, parse_visit_time
from carebridge.referrals.tests.conftest import NOW
from carebridge.referrals.tests.provider.conftest import (
    FIRST_VISIT,
    S,
    accepted,
    date_fields,
    page,
    referral,
    updated,
    url,
)
from tests.support import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


# --- Accept ----------------------------------------------------------------------------------


def accept_data(day: date = date(2026, 11, 23), at: str = "14:00", **extra) -> dict:
    return {**date_fields("visit_date", day), "visit_time": at, **extra}


def test_it_shows_the_accept_form_with_the_service_user_details(world):
    mine = referral(world)
    response = client_for(world.carer).get(url("accept", mine.pk))
    assert response.status_code == 200
    body = page(response)
    assert "Accept care referral" in body
    assert "Date of 1st visit" in body
    assert "Time of 1st visit" in body
    assert "Service user details" in body
    assert "Born on 23/04/1940" in body
    assert 'name="visit_date_0"' in body
    assert "I confirm the first visit" not in body


def test_it_accepts_a_referral(world):
    mine = referral(world)
    client = client_for(world.carer)
    response = client.post(url("accept", mine.pk), accept_data())
    assert response.status_code == 302
    assert response["Location"] == url("detail", mine.pk)
    mine.refresh_from_db()
    assert mine.status == S.ACCEPTED
    assert mine.first_visit_at == FIRST_VISIT
    body = page(client.get(response["Location"]))
    assert "govuk-notification-banner--success" in body
    assert "Referral accepted" in body


def test_a_double_click_on_accept_just_redirects(world):
    mine = referral(world)
    client = client_for(world.carer)
    client.post(url("accept", mine.pk), accept_data())
    again = client.post(url("accept", mine.pk), accept_data())
    assert again.status_code == 302
    assert mine.events.filter(kind="accepted").count() == 1


def test_it_reads_the_time_as_london_time_and_takes_2pm(world):
    mine = referral(world)
    client_for(world.carer).post(url("accept", mine.pk), accept_data(at="2pm"))
    mine.refresh_from_db()
    assert mine.first_visit_at == FIRST_VISIT
    summer = AcceptForm(data=accept_data(day=date(2027, 6, 1), at="14:00"))
    assert summer.is_valid()
    assert summer.first_visit_at() == datetime(2027, 6, 1, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:00", (14, 0)),
        ("9:30", (9, 30)),
        ("0930", (9, 30)),
        ("2.30pm", (14, 30)),
        ("12am", (0, 0)),
    ],
)
def test_it_understands_times_as_care_workers_type_them(typed, expected):
    parsed = parse_visit_time(typed)
    assert parsed is not None
    assert (parsed.hour, parsed.minute) == expected


@pytest.mark.parametrize("typed", ["25:00", "14:75", "13pm", "soon", ""])
def test_it_refuses_what_is_not_a_time(typed):
    assert parse_visit_time(typed) is None


def test_a_wrong_time_or_date_is_shown_against_its_field(world):
    mine = referral(world)
    response = client_for(world.carer).post(
        url("accept", mine.pk),
        {**date_fields("visit_date", date(2026, 11, 23)), "visit_time": "25:00"},
    )
    body = page(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert 'href="#id_visit_time"' in body
    assert "Enter the time of 1st visit using the 24-hour clock" in body
    assert "<title>Error: " in body
    response = client_for(world.carer).post(
        url("accept", mine.pk), {**accept_data(), "visit_date_1": "13"}
    )
    assert "The date of 1st visit must be a real date" in page(response)


def test_a_first_visit_more_than_48_hours_away_must_be_confirmed(world):
    mine = referral(world)
    client = client_for(world.carer)
    far = accept_data(day=date(2026, 11, 27))

    response = client.post(url("accept", mine.pk), far)
    body = page(response)
    assert response.status_code == 200
    assert "govuk-warning-text" in body
    assert "more than 48 hours away" in body
    assert "should start within 48 hours" in body
    assert "I confirm the first visit is agreed for this date" in body
    mine.refresh_from_db()
    assert mine.status == S.PENDING

    response = client.post(url("accept", mine.pk), {**far, "warned": "1"})
    body = page(response)
    assert "Confirm the first visit is agreed for this date" in body
    assert 'href="#id_confirmed"' in body
    mine.refresh_from_db()
    assert mine.status == S.PENDING

    response = client.post(url("accept", mine.pk), {**far, "warned": "1", "confirmed": "on"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == S.ACCEPTED


def test_a_first_visit_before_the_referral_is_refused_by_the_service(world):
    mine = referral(world)
    response = client_for(world.carer).post(
        url("accept", mine.pk), accept_data(day=date(2026, 11, 20))
    )
    body = page(response)
    assert "The first visit cannot be before the referral was received" in body
    assert 'href="#id_visit_date_0"' in body


def test_an_answered_referral_says_why_it_cannot_be_accepted(world):
    mine = accepted(world)
    response = client_for(world.carer).get(url("accept", mine.pk))
    assert response.status_code == 200
    body = page(response)
    assert (
        "The selected referral is currently in the state Accepted, but needs to be in the state "
        "Pending in order to be accepted."
    ) in body
    assert 'name="visit_date_0"' not in body


def test_council_users_cannot_use_the_providers_forms(world):
    mine = referral(world)
    broker = client_for(world.broker)
    for name in ("accept", "refuse", "delay", "failed_start", "provider_update", "visit_actuals"):
        assert broker.get(url(name, mine.pk)).status_code == 403
    assert broker.post(url("accept", mine.pk), accept_data()).status_code == 403
    mine.refresh_from_db()
    assert mine.status == S.PENDING


def test_a_read_only_user_cannot_answer(world):
    mine = referral(world)
    reader = client_for(world.reader)
    assert reader.get(url("accept", mine.pk)).status_code == 403
    assert reader.post(url("accept", mine.pk), accept_data()).status_code == 403
    assert reader.post(url("refuse", mine.pk), {"reason": "no_capacity"}).status_code == 403
    mine.refresh_from_db()
    assert mine.status == S.PENDING


# --- Refuse ----------------------------------------------------------------------------------


def test_it_refuses_a_referral(world):
    mine = referral(world)
    client = client_for(world.carer)
    body = page(client.get(url("refuse", mine.pk)))
    assert "Reason for refusal" in body
    assert "Details about this refusal" in body
    assert "govuk-button--warning" in body
    assert "Go back to service user profile" in body
    response = client.post(url("refuse", mine.pk), {"reason": "no_capacity"})
    assert response.status_code == 302
    assert response["Location"] == url("pending")
    mine.refresh_from_db()
    assert mine.status == S.REFUSED
    body = page(client.get(response["Location"]))
    assert "Referral refused" in body
    assert "0 pending referrals" in body


def test_other_without_details_is_an_error_against_the_details(world):
    mine = referral(world)
    response = client_for(world.carer).post(url("refuse", mine.pk), {"reason": "other"})
    body = page(response)
    assert response.status_code == 200
    assert 'href="#id_details"' in body
    assert 'id="id_details_1_error"' in body
    assert "Give the reason for refusing this referral" in body
    mine.refresh_from_db()
    assert mine.status == S.PENDING


def test_refusing_needs_a_reason(world):
    mine = referral(world)
    body = page(client_for(world.carer).post(url("refuse", mine.pk), {}))
    assert "Choose the reason for refusing this referral" in body
    assert 'href="#id_reason_1"' in body, "the first radio"


# --- Service start delay -------------------------------------------------------------------


def delay_data(days: int) -> dict:
    return {**date_fields("visit_date", date(2026, 11, 23 + days)), "visit_time": "14:00"}


def test_it_delays_the_start_twice_and_refuses_a_third_time(world):
    mine = accepted(world)
    client = client_for(world.carer)
    body = page(client.get(url("delay", mine.pk)))
    assert "New date of 1st visit" in body
    assert "New time of 1st visit" in body
    assert "2 more times" in body
    for days in (1, 2):
        response = client.post(url("delay", mine.pk), delay_data(days))
        assert response.status_code == 302
        assert response["Location"] == url("detail", mine.pk)
    mine.refresh_from_db()
    assert mine.delay_count == 2
    assert mine.first_visit_at == FIRST_VISIT + timedelta(days=2)

    body = page(client.get(url("delay", mine.pk)))
    assert "the most allowed" in body
    assert 'name="visit_date_0"' not in body

    response = client.post(url("delay", mine.pk), delay_data(3))
    body = page(response)
    assert response.status_code == 200
    assert "already been delayed 2 times" in body
    mine.refresh_from_db()
    assert mine.delay_count == 2


def test_after_the_last_delay_no_page_offers_another(world):
    mine = accepted(world)
    client = client_for(world.carer)
    for days in (1, 2):
        assert client.post(url("delay", mine.pk), delay_data(days)).status_code == 302

    details = page(client.get(url("detail", mine.pk)))
    assert url("delay", mine.pk) not in details, "no Service start delay button"
    assert url("failed_start", mine.pk) in details
    assert "2 of 2 allowed" in details

    for response in (
        client.get(url("delay", mine.pk)),
        client.post(url("delay", mine.pk), delay_data(3)),
    ):
        body = page(response)
        assert response.status_code == 200
        assert "You cannot delay the start of this service again" in body
        assert "already been delayed 2 times, the most allowed" in body
        assert "0 more times" not in body
        assert "Delay the start of this service to the above date" not in body
        assert 'name="visit_date_0"' not in body
        assert "govuk-error-summary" not in body, "said once, in the banner"
    mine.refresh_from_db()
    assert mine.delay_count == 2
    assert mine.first_visit_at == FIRST_VISIT + timedelta(days=2)


def test_the_last_delay_left_is_offered_in_plain_words(world):
    mine = accepted(world)
    client = client_for(world.carer)
    assert client.post(url("delay", mine.pk), delay_data(1)).status_code == 302
    body = page(client.get(url("delay", mine.pk)))
    assert "You can delay the start of this service 1 more time (at most 2 in all)" in body
    assert url("delay", mine.pk) in page(client.get(url("detail", mine.pk)))


def test_a_delay_moves_the_update_deadline_on_the_details_page(world):
    mine = accepted(world)
    client = client_for(world.carer)
    assert client.post(url("delay", mine.pk), delay_data(7)).status_code == 302
    mine.refresh_from_db()
    assert mine.update_due_by == FIRST_VISIT + timedelta(days=7, hours=72)
    body = page(client.get(url("detail", mine.pk)))
    assert "2:00pm 03/12/2026" in body, "72 hours after the delayed first visit"


def test_a_pending_referral_cannot_be_delayed(world):
    mine = referral(world)
    body = page(client_for(world.carer).get(url("delay", mine.pk)))
    assert "needs to be in the state Accepted in order for the start of the service" in body


# --- Failed service start ----------------------------------------------------------------------


def test_it_sends_a_failed_service_start(world):
    mine = accepted(world)
    client = client_for(world.carer)
    body = page(client.get(url("failed_start", mine.pk)))
    assert "Reason why service was cancelled" in body
    assert "Submit failed service start" in body
    response = client.post(url("failed_start", mine.pk), {"reason": "declined"})
    assert response.status_code == 302
    assert response["Location"] == url("existing")
    mine.refresh_from_db()
    assert mine.status == S.FAILED
    assert "Failed service start sent" in page(client.get(response["Location"]))


def test_a_failed_start_for_another_reason_needs_details(world):
    mine = accepted(world)
    body = page(client_for(world.carer).post(url("failed_start", mine.pk), {"reason": "other"}))
    assert 'href="#id_details"' in body
    assert "Give details of why the service was cancelled" in body


# --- Provider update ---------------------------------------------------------------------------


def update_data(**extra) -> dict:
    return {
        **date_fields("care_start_date", date(2026, 11, 23)),
        "terminated_within_72_hours": "no",
        "needs_changed": "no",
        "completed_by": "Jo Carer",
        **date_fields("completed_on", date(2026, 11, 23)),
        **extra,
    }


def test_it_submits_the_provider_update(world):
    mine = accepted(world)
    client = client_for(world.carer)
    body = page(client.get(url("provider_update", mine.pk)))
    assert "Was the service terminated within 72 hours?" in body
    assert "Have there been any changes to the needs / package?" in body
    assert f'value="{world.carer.full_name}"' in body
    response = client.post(url("provider_update", mine.pk), update_data())
    assert response.status_code == 302
    assert response["Location"] == url("detail", mine.pk)
    mine.refresh_from_db()
    assert mine.status == S.UPDATED
    assert mine.terminated_within_72_hours is False
    assert mine.update_completed_by == "Jo Carer"


def test_it_refuses_a_provider_update_that_starts_in_the_future(world):
    mine = accepted(world)
    response = client_for(world.carer).post(
        url("provider_update", mine.pk),
        update_data(**date_fields("care_start_date", date(2026, 11, 25))),
    )
    body = page(response)
    assert response.status_code == 200
    assert 'href="#id_care_start_date_0"' in body
    assert "The start date cannot be in the future" in body
    assert "The date of this update cannot be before the start date" in body
    mine.refresh_from_db()
    assert mine.status == S.ACCEPTED


def test_every_provider_update_rule_shows_on_the_first_submit(world):
    mine = accepted(world)
    data = update_data(needs_changed="yes", **date_fields("predicted_end_date", date(2026, 11, 1)))
    del data["terminated_within_72_hours"]
    body = page(client_for(world.carer).post(url("provider_update", mine.pk), data))
    assert "Choose yes if the service was terminated within 72 hours" in body
    assert "The predicted end date must be on or after the start date" in body
    assert "Describe the changes to the needs or package" in body


def test_changed_needs_must_be_described(world):
    mine = accepted(world)
    response = client_for(world.carer).post(
        url("provider_update", mine.pk), update_data(needs_changed="yes")
    )
    body = page(response)
    assert 'href="#id_needs_change_details"' in body
    assert "Describe the changes to the needs or package" in body


# --- Visit actuals ----------------------------------------------------------------------------


def actuals_data(**extra) -> dict:
    return {
        **date_fields("start_date", date(2026, 11, 23)),
        **date_fields("end_date", date(2026, 11, 23)),
        "visits_delivered": "6",
        "hours_delivered": "15",
        "carers_at_start": "1",
        "carers_at_end": "1",
        **extra,
    }


GUIDE_MESSAGE = (
    "The selected referral is currently in the state Accepted, but needs to be in the state "
    "Updated in order for actuals to be sent."
)


def test_actuals_before_the_update_give_the_guides_message(world):
    mine = accepted(world)
    client = client_for(world.carer)
    response = client.get(url("visit_actuals", mine.pk))
    assert response.status_code == 200
    assert GUIDE_MESSAGE in page(response)
    response = client.post(url("visit_actuals", mine.pk), actuals_data())
    assert response.status_code == 200
    assert GUIDE_MESSAGE in page(response)
    mine.refresh_from_db()
    assert mine.status == S.ACCEPTED


def test_it_submits_visit_actuals_after_the_update(world):
    mine = updated(world)
    client = client_for(world.carer)
    body = page(client.get(url("visit_actuals", mine.pk)))
    assert "Total number of hours delivered" in body
    assert "Number of carers on commencement of service" in body
    response = client.post(url("visit_actuals", mine.pk), actuals_data(hours_delivered="15.25"))
    assert response.status_code == 302
    assert response["Location"] == url("existing")
    mine.refresh_from_db()
    assert mine.status == S.COMPLETED
    assert mine.hours_delivered == Decimal("15.25")
    body = page(client.get(response["Location"]))
    assert "Visit actuals submitted" in body
    assert mine.service_user.full_name in body  # in the banner only
    assert "Total number of service users = 0" in body


def test_it_refuses_visit_actuals_that_end_before_the_first_visit(world):
    received = NOW - timedelta(days=4)
    with mock.patch("django.utils.timezone.now", return_value=received):
        mine = referral(world, received_at=received)
        mine = services.referral_accept(
            referral=mine, by=world.carer, first_visit_at=NOW - timedelta(days=1)
        )
    mine = services.referral_update(
        referral=mine,
        by=world.carer,
        care_start_date=date(2026, 11, 22),
        predicted_end_date=None,
        terminated_within_72_hours=False,
        needs_changed=False,
        needs_change_details="",
        completed_by="Jo Carer",
        completed_on=date(2026, 11, 23),
    )
    response = client_for(world.carer).post(
        url("visit_actuals", mine.pk),
        actuals_data(
            **date_fields("start_date", date(2026, 11, 19)),
            **date_fields("end_date", date(2026, 11, 20)),
        ),
    )
    body = page(response)
    assert response.status_code == 200
    assert 'href="#id_end_date_0"' in body
    assert "The end date cannot be before the first visit on 22/11/2026" in body
    mine.refresh_from_db()
    assert mine.status == S.UPDATED


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("visits_delivered", "-1", "Visits must be 0 or more"),
        ("visits_delivered", "10001", "Visits must be 10,000 or fewer"),
        ("hours_delivered", "-0.25", "Hours must be 0 or more"),
        ("hours_delivered", "123456", "Hours must be 10,000 or fewer"),
        ("hours_delivered", "15.125", "Enter the hours delivered in quarter hours"),
        ("carers_at_start", "-1", "Carers on commencement must be 0 or more"),
        ("carers_at_end", "21", "Carers at end of service must be 20 or fewer"),
    ],
)
def test_every_number_on_visit_actuals_has_govuk_wording(world, field, value, message):
    mine = updated(world)
    body = page(
        client_for(world.carer).post(url("visit_actuals", mine.pk), actuals_data(**{field: value}))
    )
    assert f'href="#id_{field}"' in body
    assert message in body
    assert "Ensure" not in body, "never Django's default English"
    mine.refresh_from_db()
    assert mine.status == S.UPDATED


def test_the_quarter_hour_error_shows_on_the_first_submit_with_the_others(world):
    mine = updated(world)
    data = actuals_data(hours_delivered="15.1", carers_at_start="")
    body = page(client_for(world.carer).post(url("visit_actuals", mine.pk), data))
    assert "Enter the number of carers on commencement of service" in body
    assert "Enter the hours delivered in quarter hours, like 15 or 15.25" in body
    assert 'href="#id_hours_delivered"' in body


def test_hours_must_be_in_quarter_hours(world):
    mine = updated(world)
    body = page(
        client_for(world.carer).post(
            url("visit_actuals", mine.pk), actuals_data(hours_delivered="15.1")
        )
    )
    assert 'href="#id_hours_delivered"' in body
    assert "quarter hours" in body
