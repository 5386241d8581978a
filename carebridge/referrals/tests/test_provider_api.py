"""The provider referrals API, as a provider's rostering system reads and answers its referrals
from two councils with different rulebooks, and as strangers try it."""

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from carebridge.audit.models import Event
from carebridge.integrations.services import api_token_create, api_token_revoke
from carebridge.integrations.throttling import ApiTokenThrottle
from carebridge.referrals import provider_api
from carebridge.referrals import services as referrals
from carebridge.referrals.api import ReferralPagination
from carebridge.referrals.choices import ReferralStatus
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.conftest import NOW
from tests.support import (
    make_contract,
    make_council,
    make_district,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

S = ReferralStatus
LIST = "/api/v1/provider/referrals/"
TOMORROW_2PM = "2026-11-24T14:00:00+00:00"


def client_with(key: str | None) -> APIClient:
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def detail(pk: int) -> str:
    return reverse("provider_api_referral_detail", args=[pk])


def answer(pk: int, what: str) -> str:
    return reverse(f"provider_api_referral_{what}", args=[pk])


class World:
    """A provider working for two councils: Ashdown allows two delays and a first visit up to
    48 hours away without confirming; Brackenford one delay, and 24 hours. Another provider of
    Ashdown's, and Ashdown's own case-management key."""

    def __init__(self) -> None:
        self.ashdown = make_council("Ashdown Vale Council")
        self.brackenford = make_council(
            "Brackenford Borough Council",
            referral_max_delays=1,
            referral_first_visit_warning_hours=24,
        )
        self.provider = make_provider("Bluebell Lane Care")
        self.other_provider = make_provider("Zephyrine Domiciliary Services")
        for council in (self.ashdown, self.brackenford):
            make_contract(council, self.provider)
        make_contract(self.ashdown, self.other_provider)
        self.districts = {
            self.ashdown: make_district(self.ashdown, "Newark"),
            self.brackenford: make_district(self.brackenford, "Brackenford East"),
        }
        self.brokers = {
            council: make_user(council=council, role="broker")
            for council in (self.ashdown, self.brackenford)
        }
        self.maker = make_user(provider=self.provider, role="super_user_actuals")
        self.token, key = api_token_create(provider=self.provider, name="Rostering", by=self.maker)
        self.client = client_with(key)
        stranger = make_user(provider=self.other_provider, role="super_user_scheduled")
        _token, other_key = api_token_create(
            provider=self.other_provider, name="Call monitoring", by=stranger
        )
        self.other_client = client_with(other_key)
        _token, council_key = api_token_create(
            council=self.ashdown, name="Case management", by=None
        )
        self.council_client = client_with(council_key)

    def referral(self, council=None, provider=None, **fields: Any) -> Referral:
        council = council or self.ashdown
        return make_referral(
            council,
            provider or self.provider,
            by=self.brokers[council],
            district=self.districts[council],
            **fields,
        )

    def accepted(self, council=None, first_visit_at=NOW + timedelta(hours=4)) -> Referral:
        return referrals.referral_accept(
            referral=self.referral(council), by=self.maker, first_visit_at=first_visit_at
        )

    def post(self, pk: int, what: str, body: dict[str, Any]):
        return self.client.post(answer(pk, what), body, format="json")


@pytest.fixture
def world() -> World:
    return World()


def errors(response) -> dict[str, Any]:
    return response.json()["error"]["fields"]


# --- Who may call ------------------------------------------------------------------------------


def test_it_needs_a_providers_key(world):
    mine = world.referral()
    assert client_with(None).get(LIST).status_code == 401
    assert client_with("not-a-key").get(LIST).status_code == 401
    refused = world.council_client.get(LIST)
    assert refused.status_code == 403
    assert "council's key" in refused.json()["error"]["message"]
    assert world.council_client.post(answer(mine.pk, "refuse"), {}).status_code == 403


def test_a_providers_key_is_refused_by_the_councils_api(world):
    mine = world.referral()
    assert world.client.get("/api/v1/referrals/").status_code == 403
    assert world.client.get(reverse("api_referral_detail", args=[mine.pk])).status_code == 403


def test_a_revoked_key_is_refused(world):
    api_token_revoke(token=world.token, by=world.maker)
    assert world.client.get(LIST).status_code == 401


def test_another_providers_referral_is_not_found(world):
    theirs = world.referral(provider=world.other_provider)
    assert world.client.get(detail(theirs.pk)).status_code == 404
    for what, body in [
        ("accept", {"first_visit_at": TOMORROW_2PM}),
        ("refuse", {"reason": "no_capacity"}),
    ]:
        response = world.post(theirs.pk, what, body)
        assert response.status_code == 404
        assert response.json()["error"]["status"] == 404
    theirs.refresh_from_db()
    assert theirs.status == S.PENDING
    assert not Event.objects.filter(action="service_user.viewed").exists()


def test_each_key_has_its_own_rate_limit(world, monkeypatch):
    monkeypatch.setattr(ApiTokenThrottle, "rate", "2/m")
    cache.clear()
    with override_settings(RATELIMIT_ENABLE=True):
        assert [world.client.get(LIST).status_code for _ in range(3)] == [200, 200, 429]
        assert world.client.get(LIST).json()["error"]["status"] == 429
        assert world.other_client.get(LIST).status_code == 200
    cache.clear()


# --- Reading -------------------------------------------------------------------------------------


def test_the_list_holds_both_councils_referrals_and_no_one_elses(world):
    ashdown = world.referral(world.ashdown)
    brackenford = world.referral(world.brackenford)
    world.referral(provider=world.other_provider)

    response = world.client.get(LIST)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == {ashdown.pk, brackenford.pk}
    councils = {row["id"]: row["council"]["name"] for row in rows}
    assert councils[brackenford.pk] == "Brackenford Borough Council"
    row = next(row for row in rows if row["id"] == ashdown.pk)
    assert row["status"] == "pending"
    assert row["stage"] == "pending"
    assert row["service_user"]["last_name"] == ashdown.service_user.last_name
    assert row["respond_by"].endswith("+00:00")
    # One event in each council's log, naming how many of its people the page showed.
    events = Event.objects.filter(action="referrals.listed")
    assert Counter(e.council_id for e in events) == {world.ashdown.pk: 1, world.brackenford.pk: 1}
    assert {e.detail["count"] for e in events} == {1}
    assert {e.actor_id for e in events} == {world.maker.pk}
    assert {e.provider_id for e in events} == {world.provider.pk}
    assert {e.detail["via"] for e in events} == {"Rostering (API)"}


def test_the_list_filters_by_status_and_changed_since(world):
    pending = world.referral()
    accepted = world.accepted(world.brackenford)

    only_pending = world.client.get(LIST, {"status": "pending"}).json()["results"]
    assert [row["id"] for row in only_pending] == [pending.pk]
    since = (NOW - timedelta(minutes=1)).isoformat()
    changed = world.client.get(LIST, {"changed_since": since}).json()["results"]
    assert [row["id"] for row in changed] == [pending.pk, accepted.pk]
    later = (NOW + timedelta(minutes=1)).isoformat()
    assert world.client.get(LIST, {"changed_since": later}).json()["results"] == []

    bad = world.client.get(LIST, {"status": "lost"})
    assert bad.status_code == 400
    assert "status" in errors(bad)
    naive = world.client.get(LIST, {"changed_since": "2026-11-23T10:00:00"})
    assert naive.status_code == 400
    assert "offset" in errors(naive)["changed_since"][0]


def test_the_list_is_read_a_page_at_a_time(world, monkeypatch):
    monkeypatch.setattr(ReferralPagination, "page_size", 2)
    made = {world.referral(council).pk for council in (world.ashdown, world.brackenford) * 2}
    made.add(world.referral().pk)

    seen: list[int] = []
    url: str | None = LIST
    pages = 0
    while url:
        body = world.client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(made)


def test_one_referral_with_the_person_its_needs_and_its_log_is_an_audited_view(world):
    mine = world.accepted(world.brackenford)

    response = world.client.get(detail(mine.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["council"] == {"id": world.brackenford.pk, "name": "Brackenford Borough Council"}
    assert body["person"]["address_line_1"] == "44 Whinney Lane"
    assert body["person"]["date_of_birth"] == "1940-04-23"
    assert body["care"]["support_summary"] == "Help to wash, dress and prepare meals."
    assert body["care"]["carers_required"] == 1
    assert [event["kind"] for event in body["events"]] == ["accepted", "added"]
    assert body["events"][0]["by"].startswith(world.maker.full_name)
    viewed = Event.objects.get(action="service_user.viewed")
    assert viewed.actor == world.maker
    assert viewed.council_id == world.brackenford.pk
    assert viewed.object_id == str(mine.service_user_id)
    assert viewed.detail == {"via": "Rostering (API)"}


def test_a_refused_referral_shows_its_summary_only(world):
    mine = referrals.referral_refuse(
        referral=world.referral(), by=world.maker, reason="no_capacity"
    )
    body = world.client.get(detail(mine.pk)).json()
    assert body["status"] == "refused"
    assert body["person"] is None
    assert body["care"] is None
    assert body["service_user"]["last_name"] == mine.service_user.last_name


# --- Answering ------------------------------------------------------------------------------------


def test_it_accepts_with_the_first_visit_through_the_pages_service(world):
    mine = world.referral()

    response = world.post(mine.pk, "accept", {"first_visit_at": TOMORROW_2PM})

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == mine.pk
    assert body["status"] == "accepted"
    assert body["stage"] == "booked"
    assert body["first_visit_at"] == TOMORROW_2PM
    mine.refresh_from_db()
    assert mine.answered_by == world.maker
    event = mine.events.get(kind="accepted")
    assert event.by == world.maker
    # The update log says the provider's system answered, with its maker's rights.
    assert event.by_label.endswith(", through Rostering (API)")
    assert Event.objects.filter(action="referral.accepted", actor=world.maker).count() == 1
    # Sent again (a retry after a timeout): nothing changes, the same answer.
    again = world.post(mine.pk, "accept", {"first_visit_at": TOMORROW_2PM})
    assert again.status_code == 200
    assert again.json()["status"] == "accepted"
    assert mine.events.filter(kind="accepted").count() == 1


def test_a_far_first_visit_needs_confirming_under_each_councils_rule(world):
    in_36_hours = (NOW + timedelta(hours=36)).isoformat()
    ashdown, brackenford = world.referral(world.ashdown), world.referral(world.brackenford)

    # Ashdown's 48 hours: no confirming needed.
    assert world.post(ashdown.pk, "accept", {"first_visit_at": in_36_hours}).status_code == 200
    # Brackenford's 24 hours: refused until confirmed.
    refused = world.post(brackenford.pk, "accept", {"first_visit_at": in_36_hours})
    assert refused.status_code == 400
    assert "24 hours" in errors(refused)["confirmed"][0]
    brackenford.refresh_from_db()
    assert brackenford.status == S.PENDING
    confirmed = world.post(
        brackenford.pk, "accept", {"first_visit_at": in_36_hours, "confirmed": True}
    )
    assert confirmed.status_code == 200


def test_delays_follow_each_councils_limit(world):
    ashdown, brackenford = world.accepted(world.ashdown), world.accepted(world.brackenford)
    later = NOW + timedelta(hours=6)

    for referral in (ashdown, brackenford):
        response = world.post(referral.pk, "delay", {"first_visit_at": later.isoformat()})
        assert response.status_code == 200
        assert response.json()["delay_count"] == 1
        assert response.json()["stage"] == "delayed"

    even_later = (later + timedelta(hours=2)).isoformat()
    assert world.post(ashdown.pk, "delay", {"first_visit_at": even_later}).status_code == 200
    refused = world.post(brackenford.pk, "delay", {"first_visit_at": even_later})
    assert refused.status_code == 409
    assert "already been delayed 1 time" in refused.json()["error"]["message"]
    brackenford.refresh_from_db()
    assert brackenford.delay_count == 1


def test_a_delay_must_move_the_first_visit_later(world):
    mine = world.accepted()
    earlier = (NOW + timedelta(hours=1)).isoformat()
    response = world.post(mine.pk, "delay", {"first_visit_at": earlier})
    assert response.status_code == 400
    assert errors(response)["first_visit_at"] == [
        "The new first visit must be later than the one booked"
    ]


def test_it_refuses_with_a_reason(world):
    mine = world.referral(world.brackenford)
    needs_details = world.post(mine.pk, "refuse", {"reason": "other"})
    assert needs_details.status_code == 400
    assert errors(needs_details) == {"details": ["Give the reason for refusing this referral"]}

    response = world.post(mine.pk, "refuse", {"reason": "other", "details": " No car driver "})
    assert response.status_code == 200
    assert response.json()["status"] == "refused"
    assert response.json()["refusal_details"] == "No car driver"
    assert Event.objects.filter(action="referral.refused", council=world.brackenford).exists()


def test_it_reports_a_failed_start(world):
    mine = world.accepted()
    response = world.post(mine.pk, "fail", {"reason": "readmitted"})
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert response.json()["failure_reason"] == "readmitted"


def test_it_sends_the_provider_update_and_then_the_actuals(world):
    mine = world.accepted(first_visit_at=NOW - timedelta(hours=1))
    update = {
        "care_start_date": "2026-11-23",
        "predicted_end_date": None,
        "terminated_within_72_hours": False,
        "needs_changed": True,
        "needs_change_details": "Now needs two carers in the morning.",
        "completed_by": "Jo Carer",
        "completed_on": "2026-11-23",
    }

    response = world.post(mine.pk, "update", update)

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "updated"
    assert response.json()["needs_change_details"] == "Now needs two carers in the morning."
    actuals = {
        "start_date": "2026-11-23",
        "end_date": "2026-11-23",
        "visits_delivered": 3,
        "hours_delivered": "2.75",
        "carers_at_start": 1,
        "carers_at_end": 2,
    }
    done = world.post(mine.pk, "actuals", actuals)
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "completed"
    mine.refresh_from_db()
    assert mine.hours_delivered == pytest.approx(2.75)
    assert mine.closed_at is not None


def test_the_update_keeps_the_pages_rules(world):
    mine = world.accepted(first_visit_at=NOW - timedelta(hours=1))
    response = world.post(
        mine.pk,
        "update",
        {
            "care_start_date": str(date(2026, 11, 25)),
            "terminated_within_72_hours": False,
            "needs_changed": True,
            "completed_by": "Jo Carer",
            "completed_on": "2026-11-23",
        },
    )
    assert response.status_code == 400
    fields = errors(response)
    assert "cannot be in the future" in fields["care_start_date"][0]
    assert fields["needs_change_details"] == ["Describe the changes to the needs or package"]
    mine.refresh_from_db()
    assert mine.status == S.ACCEPTED


def test_actuals_are_in_quarter_hours(world):
    mine = world.accepted(first_visit_at=NOW - timedelta(hours=1))
    referrals.referral_update(
        referral=mine,
        by=world.maker,
        care_start_date=date(2026, 11, 23),
        predicted_end_date=None,
        terminated_within_72_hours=False,
        needs_changed=False,
        needs_change_details="",
        completed_by="Jo Carer",
        completed_on=date(2026, 11, 23),
    )
    response = world.post(
        mine.pk,
        "actuals",
        {
            "start_date": "2026-11-23",
            "end_date": "2026-11-23",
            "visits_delivered": 3,
            "hours_delivered": 2.1,
            "carers_at_start": 1,
            "carers_at_end": 1,
        },
    )
    assert response.status_code == 400
    assert "hours_delivered" in errors(response)


def test_a_state_that_does_not_allow_the_answer_is_409(world):
    refused = referrals.referral_refuse(
        referral=world.referral(), by=world.maker, reason="no_capacity"
    )
    response = world.post(refused.pk, "accept", {"first_visit_at": TOMORROW_2PM})
    assert response.status_code == 409
    message = response.json()["error"]["message"]
    assert "currently in the state Refused" in message
    assert response.json()["error"]["fields"] == {}

    pending = world.referral()
    assert world.post(pending.pk, "fail", {"reason": "died"}).status_code == 409
    pending.refresh_from_db()
    assert pending.status == S.PENDING


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "first_visit_at"),
        ({"first_visit_at": "2026-11-24T14:00:00"}, "first_visit_at"),
        ({"first_visit_at": "tomorrow"}, "first_visit_at"),
        ({"first_visit_at": TOMORROW_2PM, "confirmed": "yes"}, "confirmed"),
        ({"first_visit_at": TOMORROW_2PM, "visit": "14:00"}, "visit"),
    ],
)
def test_bad_input_is_400_with_the_field(world, body, field):
    mine = world.referral()
    response = world.post(mine.pk, "accept", body)
    assert response.status_code == 400
    assert field in errors(response)
    mine.refresh_from_db()
    assert mine.status == S.PENDING


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "bored"}, "reason"),
        ({"reason": "other", "details": 5}, "details"),
        ({"reason": "other", "details": "x" * (provider_api.DETAILS_MAX + 1)}, "details"),
        ({"reason": "other", "details": "Bell\x07"}, "details"),
    ],
)
def test_refusal_text_is_bounded_and_typed(world, body, field):
    mine = world.referral()
    response = world.post(mine.pk, "refuse", body)
    assert response.status_code == 400
    assert field in errors(response)


def test_a_body_that_is_not_json_is_refused(world):
    mine = world.referral()
    not_json = world.client.post(
        answer(mine.pk, "refuse"), "reason=other", content_type="application/json"
    )
    assert not_json.status_code == 400
    form = world.client.post(answer(mine.pk, "refuse"), {"reason": "no_capacity"})
    assert form.status_code == 415
    mine.refresh_from_db()
    assert mine.status == S.PENDING


def test_the_lists_queries_do_not_grow_with_its_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("provider_api_referral_list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert world.client.get(url).status_code == 200
        return len(captured)

    for council in (world.ashdown, world.brackenford):
        world.referral(council)
    queries()  # the first call also records when the key was last used
    few = queries()
    for council in (world.ashdown, world.brackenford) * 3:
        world.referral(council)
    world.accepted(world.brackenford)
    assert queries() == few
