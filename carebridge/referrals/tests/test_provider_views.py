"""The provider's referral screens: the lists, the details, every answer, and the update log."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.referrals import services
from carebridge.referrals.choices import ReferralStatus
from carebridge.referrals.forms.provider import AcceptForm, parse_visit_time
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.conftest import NOW, Parties
from tests.support import (
    client_for,
    make_contract,
    make_council,
    make_district,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

S = ReferralStatus
FIRST_VISIT = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
def world(parties: Parties):
    council, provider = parties.council, parties.provider
    other_provider = make_provider("Zephyrine Domiciliary Services")
    make_contract(council, other_provider)
    return SimpleNamespace(
        council=council,
        provider=provider,
        district=make_district(council, "Newark"),
        broker=parties.broker,
        front_door=make_user(council=council, role="front_door_officer"),
        carer=parties.carer,
        reader=make_user(provider=provider, role="read_only"),
        stranger=make_user(provider=other_provider, role="super_user_scheduled"),
    )


def referral(world, **fields) -> Referral:
    fields.setdefault("district", world.district)
    return make_referral(world.council, world.provider, by=world.broker, **fields)


def accepted(world, **fields) -> Referral:
    return services.referral_accept(
        referral=referral(world, **fields), by=world.carer, first_visit_at=FIRST_VISIT
    )


def updated(world) -> Referral:
    return services.referral_update(
        referral=accepted(world),
        by=world.carer,
        care_start_date=date(2026, 11, 23),
        predicted_end_date=None,
        terminated_within_72_hours=False,
        needs_changed=False,
        needs_change_details="",
        completed_by="Jo Carer",
        completed_on=date(2026, 11, 23),
    )


def date_fields(name: str, day: date) -> dict[str, int]:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def page(response) -> str:
    return response.content.decode()


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"referrals:{name}", args=[pk] if pk is not None else [])


# --- Pending referrals -----------------------------------------------------------------------


def test_it_lists_pending_referrals_with_their_reply_window(world):
    mine = referral(world)
    response = client_for(world.carer).get(url("pending"))
    assert response.status_code == 200
    body = page(response)
    assert '<h1 class="govuk-heading-l">Pending referrals</h1>' in body
    assert "Current time - 10:00am | 23/11/2026" in body
    assert "1 pending referral<" in body
    assert mine.service_user.full_name in body
    assert "Hospital: Kings Mill, Ward 12" in body
    assert "10:00am 23/11/2026" in body  # referral time
    assert "25/11/2026" in body  # requested service start date
    assert "Newark" in body
    assert "Respond by 12:00pm 23/11/2026" in body
    assert "govuk-tag--green" in body
    assert url("detail", mine.pk) in body
    assert "Ashdown Vale Council</td>" not in body, "one council: no council column"


def test_it_colours_the_reply_window_and_says_so_in_words(world):
    referral(world, received_at=NOW - timedelta(days=3))  # Friday: long missed
    referral(world, received_at=NOW - timedelta(minutes=100))  # 20 minutes left
    body = page(client_for(world.carer).get(url("pending")))
    assert 'govuk-tag--red">Missed<' in body
    assert 'govuk-tag--orange">Due soon<' in body
    assert "Respond by 12:00pm 20/11/2026" in body


def test_it_filters_by_name_district_reply_and_sorts(world):
    newark = referral(world, received_at=NOW - timedelta(days=3))
    other = referral(world, district=make_district(world.council, "Mansfield"))
    client = client_for(world.carer)

    body = page(client.get(url("pending"), {"q": newark.service_user.last_name}))
    assert newark.service_user.full_name in body
    assert other.service_user.full_name not in body
    assert "1 pending referral<" in body

    body = page(client.get(url("pending"), {"district": other.district_id}))
    assert other.service_user.full_name in body
    assert newark.service_user.full_name not in body

    body = page(client.get(url("pending"), {"reply": "missed"}))
    assert newark.service_user.full_name in body
    assert other.service_user.full_name not in body

    body = page(client.get(url("pending"), {"reply": "due"}))
    assert other.service_user.full_name in body
    assert newark.service_user.full_name not in body

    oldest = page(client.get(url("pending")))
    assert oldest.index(newark.service_user.full_name) < oldest.index(other.service_user.full_name)
    newest = page(client.get(url("pending"), {"sort": "newest"}))
    assert newest.index(other.service_user.full_name) < newest.index(newark.service_user.full_name)


def test_it_offers_a_council_filter_only_to_a_provider_of_several_councils(world):
    ours = referral(world)
    body = page(client_for(world.carer).get(url("pending")))
    assert 'name="council"' not in body
    second = make_council("Brackenford Borough Council")
    make_contract(second, world.provider)
    theirs = make_referral(second, world.provider, district=make_district(second, "Fernhill"))
    client = client_for(world.carer)
    body = page(client.get(url("pending")))
    assert 'name="council"' in body
    assert "Brackenford Borough Council</td>" in body
    assert "Fernhill (Brackenford Borough Council)" in body
    body = page(client.get(url("pending"), {"council": second.pk}))
    assert theirs.service_user.full_name in body
    assert ours.service_user.full_name not in body


@pytest.mark.parametrize(
    "query",
    [
        {"district": "abc"},
        {"council": "ashdown"},
        {"reply": "whenever"},
        {"sort": "sideways"},
        {"page": "999"},
        {"page": "x"},
        {"q": "x" * 500},
        {"district": "99999999"},
    ],
)
def test_bad_filter_values_are_ignored(world, query):
    mine = referral(world)
    response = client_for(world.carer).get(url("pending"), query)
    assert response.status_code == 200
    if "q" not in query and query.get("district") != "99999999":
        assert mine.service_user.full_name in page(response)


def test_it_pages_the_pending_list_25_at_a_time(world):
    for _ in range(27):
        referral(world)
    client = client_for(world.carer)
    first = page(client.get(url("pending")))
    assert "27 pending referrals" in first
    assert first.count(">Details<span") == 25
    assert "Page 1 of 2" in first
    second = page(client.get(url("pending"), {"page": 2}))
    assert second.count(">Details<span") == 2


def test_the_pending_list_refreshes_itself_with_htmx(world):
    referral(world)
    client = client_for(world.carer)
    body = page(client.get(url("pending"), {"district": world.district.pk}))
    assert 'hx-get=""' in body, "the page's own address, with its query string"
    assert 'hx-select="#pending-referrals"' in body
    assert 'hx-trigger="every 30s"' in body
    assert 'hx-swap="outerHTML"' in body
    assert "htmx.min.js" in body
    assert "hx-on" not in body

    response = client.get(url("pending"), HTTP_HX_REQUEST="true")
    partial = page(response)
    assert response.status_code == 200
    assert '<div id="pending-referrals"' in partial
    assert "<html" not in partial
    assert "Apply filters" not in partial
    assert "HX-Request" in response["Vary"]


def _queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["pending", "existing"])
def test_a_list_runs_the_same_queries_for_3_and_30_referrals(world, name):
    make = referral if name == "pending" else accepted
    for _ in range(3):
        make(world)
    client = client_for(world.carer)
    client.get(url(name))  # the session's first touch is not part of the page
    few = _queries(client, url(name))
    for _ in range(27):
        make(world, district=make_district(world.council))
    many = _queries(client, url(name))
    assert few == many


def test_council_users_cannot_open_the_providers_lists(world):
    for name in ("pending", "existing"):
        assert client_for(world.broker).get(url(name)).status_code == 403


def test_another_provider_sees_none_of_our_referrals(world):
    mine = referral(world)
    body = page(client_for(world.stranger).get(url("pending")))
    assert mine.service_user.full_name not in body
    assert "0 pending referrals" in body


def test_a_read_only_user_can_see_the_lists(world):
    mine = referral(world)
    response = client_for(world.reader).get(url("pending"))
    assert response.status_code == 200
    assert mine.service_user.full_name in page(response)
    assert client_for(world.reader).get(url("existing")).status_code == 200


# --- Existing service users --------------------------------------------------------------------


def test_it_lists_existing_service_users_with_their_status(world):
    booked = accepted(world)
    done = updated(world)
    waiting = referral(world)
    body = page(client_for(world.carer).get(url("existing")))
    assert "Total number of service users = 2" in body
    assert booked.service_user.full_name in body
    assert done.service_user.full_name in body
    assert waiting.service_user.full_name not in body
    assert "2:00pm 23/11/2026" in body
    assert "First visit booked" in body
    assert "Awaiting actuals" in body


def test_it_filters_existing_service_users_by_status(world):
    booked = accepted(world)
    done = updated(world)
    client = client_for(world.carer)
    body = page(client.get(url("existing"), {"status": "awaiting_actuals"}))
    assert "Total number of service users = 1" in body
    assert done.service_user.full_name in body
    assert booked.service_user.full_name not in body
    body = page(client.get(url("existing"), {"status": "pending"}))
    assert "Total number of service users = 2" in body, "not a status of this list: ignored"


def test_a_referral_awaits_its_update_once_the_first_visit_has_passed(world):
    late = accepted(world)
    with mock.patch("django.utils.timezone.now", return_value=NOW + timedelta(hours=5)):
        body = page(client_for(world.carer).get(url("existing"), {"status": "awaiting_update"}))
    assert late.service_user.full_name in body
    assert "Awaiting update" in body


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


# --- Home page ----------------------------------------------------------------------------------


def test_the_provider_home_shows_service_user_statistics(world):
    referral(world, received_at=NOW - timedelta(days=3))
    referral(world)
    updated(world)
    body = page(client_for(world.carer).get(reverse("home:home")))
    assert "Current service user statistics" in body
    assert 'govuk-tag--red">1<' in body
    assert f"{url('pending')}?reply=missed" in body
    assert f"{url('pending')}?reply=due" in body
    assert f"{url('existing')}?status=awaiting_update" in body
    assert f"{url('existing')}?status=awaiting_actuals" in body
    assert 'govuk-tag--green">1<' in body


def test_a_role_without_referrals_sees_no_statistics(world):
    invoices = make_user(provider=world.provider, role="invoice_only")
    body = page(client_for(invoices).get(reverse("home:home")))
    assert "Current service user statistics" not in body
