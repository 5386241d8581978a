"""Every view and download of a person's data leaves one audit event: who read what, when and
from where. A list or export naming many people is one event per download with how many rows,
in the log of each council whose people it names."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.contracts.commitment import financial_year_of
from carebridge.core.calendar import now, to_london
from carebridge.frontdoor.hubs.access import LinkPurpose, booking_token
from carebridge.frontdoor.requests import services as frontdoor
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from carebridge.integrations.services import api_token_create
from tests.access_matrix import build_world
from tests.support import client_for

pytestmark = pytest.mark.django_db


def new_events(before: int):
    return list(Event.objects.filter(pk__gt=before).order_by("pk"))


def last_pk() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def world():
    return build_world()


def pages_of_a_person(w):
    """(what, URL, reader, the action of its event, the record it is about)."""
    year = financial_year_of(to_london(now()).date())
    return [
        (
            "front-door request page",
            reverse("frontdoor:request_detail", args=[w.other_request.pk]),
            w.other_front_door_officer,
            "front_door.viewed",
            w.other_request,
        ),
        (
            "front-door triage step",
            reverse("frontdoor:request_step", args=[w.other_request.pk, "note"]),
            w.other_front_door_officer,
            "front_door.viewed",
            w.other_request,
        ),
        (
            "service user page",
            reverse("people:service_user_detail", args=[w.other_service_user.pk]),
            w.other_council_broker,
            "service_user.viewed",
            w.other_service_user,
        ),
        (
            "referral page",
            reverse("referrals:detail", args=[w.other_referral.pk]),
            w.other_provider_user,
            "service_user.viewed",
            w.other_service_user,
        ),
        (
            "referral update log",
            reverse("referrals:update_log", args=[w.other_referral.pk]),
            w.other_provider_user,
            "service_user.viewed",
            w.other_service_user,
        ),
        (
            "referral answer page",
            reverse("referrals:accept", args=[w.other_referral.pk]),
            w.other_provider_user,
            "service_user.viewed",
            w.other_service_user,
        ),
        (
            "purchase orders of a client",
            reverse("cplis:po_detail", args=[w.other_service_user.pk, year]),
            w.other_council_broker,
            "service_user.viewed",
            w.other_service_user,
        ),
        (
            "contract document page",
            reverse("contracts:document_detail", args=[w.other_document.pk]),
            w.other_provider_user,
            "contract_document.viewed",
            w.other_document,
        ),
        (
            "contract document PDF",
            reverse("contracts:document_pdf", args=[w.other_document.pk]),
            w.other_provider_user,
            "contract_document.downloaded",
            w.other_document,
        ),
        (
            "thread of an action about a client",
            reverse("actions:action_detail", args=[w.other_action.pk]),
            w.other_provider_user,
            "action.viewed",
            w.other_action,
        ),
        (
            "a client's actuals",
            reverse("actuals:client", args=[w.other_service_user.pk]),
            w.other_provider_user,
            "service_user.viewed",
            w.other_service_user,
        ),
        (
            "new referral form filled in from a service user",
            reverse("referrals:new") + f"?service_user={w.other_service_user.pk}",
            w.other_council_broker,
            "service_user.viewed",
            w.other_service_user,
        ),
        (
            "resident's appointment page, from the e-mailed link",
            reverse(
                "care:appointment_detail",
                kwargs={
                    "council": w.other_council.slug,
                    "token": booking_token(w.other_booking, LinkPurpose.MANAGE),
                },
            ),
            None,
            "booking.viewed",
            w.other_booking,
        ),
        (
            "action attachment",
            reverse("actions:attachment_download", args=[w.other_attachment.pk]),
            w.other_provider_user,
            "action.attachment_downloaded",
            w.other_action,
        ),
    ]


def test_it_records_one_event_for_every_page_and_download_of_a_persons_data(world):
    frontdoor.front_door_open_set(council=world.other_council, by=None, is_open=True)
    problems = []
    for what, url, reader, action, about in pages_of_a_person(world):
        before = last_pk()
        # An e-mailed link is a one-hop door to its page (core.logs): follow it there.
        response = client_for(reader).get(url, follow=True)
        assert response.status_code == 200, what
        events = [e for e in new_events(before) if e.action == action]
        if len(events) != 1:
            problems.append(f"{what}: {len(events)} {action} events")
            continue
        event = events[0]
        if (event.actor, event.object_id, event.council_id) != (
            reader,
            str(about.pk),
            world.other_council.pk,
        ):
            problems.append(f"{what}: recorded {event.actor}, {event.object_id}")
        if event.ip_address != "127.0.0.1":
            problems.append(f"{what}: no address")
    assert problems == []


@pytest.mark.parametrize("name", ["cplis:cpli_export_csv", "cplis:cpli_export_xlsx"])
def test_it_records_a_cpli_export_once_with_how_many_rows_it_names(world, name):
    before = last_pk()
    response = client_for(world.other_council_broker).get(reverse(name))
    assert response.status_code == 200
    events = new_events(before)
    assert [(e.action, e.detail["count"]) for e in events] == [("cplis.exported", 1)]
    assert events[0].actor == world.other_council_broker
    assert events[0].council_id == world.other_council.pk
    assert events[0].detail["format"] == name.rsplit("_", 1)[1]


def test_it_records_a_providers_cpli_export_in_the_log_of_the_council_it_names(world):
    before = last_pk()
    client_for(world.other_provider_user).get(reverse("cplis:cpli_export_csv"))
    [event] = new_events(before)
    assert event.action == "cplis.exported" and event.detail["count"] == 1
    assert (event.council_id, event.provider_id) == (
        world.other_council.pk,
        world.other_provider.pk,
    )


def test_it_records_the_apis_reads_of_a_referral_and_of_a_page_of_referrals(world):
    _token, key = api_token_create(council=world.other_council, name="Case system", by=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    before = last_pk()
    assert client.get(f"/api/v1/referrals/{world.other_referral.pk}/").status_code == 200
    [event] = new_events(before)
    assert event.action == "service_user.viewed"
    assert event.object_id == str(world.other_service_user.pk)
    assert event.council_id == world.other_council.pk
    assert event.detail == {"via": "Case system (API)"}

    before = last_pk()
    assert client.get("/api/v1/referrals/").status_code == 200
    [event] = new_events(before)
    assert event.action == "referrals.listed"
    assert event.detail == {"via": "Case system (API)", "count": 1}
    assert event.council_id == world.other_council.pk
    # The council's auditor reads through what, and how many.
    log = client_for(world.other_council_admin).get(reverse("audit:event_list"))
    assert "Through Case system (API)" in log.content.decode()
    assert "1 row<" in log.content.decode()


def test_it_records_a_residents_look_at_their_tracking_page():
    council = open_council()
    sent = submit(council, likely_answers())
    client = Client()
    link = re.sub(r"^https?://[^/]+", "", frontdoor.track_link(sent))
    before = last_pk()
    assert client.get(client.get(link)["Location"]).status_code == 200
    events = [e for e in new_events(before) if e.action == "front_door.tracked"]
    assert [(e.object_id, e.council_id, e.actor) for e in events] == [
        (str(sent.pk), council.pk, None)
    ]


def test_it_records_an_actuals_export_once_with_how_many_clients_it_names(world):
    from carebridge.actuals.csvio import export_periods

    user = world.other_provider_user
    period = next(p for p in export_periods(user) if p.council_id == world.other_council.pk)
    before = last_pk()
    response = client_for(user).get(reverse("actuals:bulk_export"), {"period": period.value})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [event] = new_events(before)
    assert event.action == "actuals.exported" and event.detail["clients"] == 1
    assert (event.council_id, event.provider_id) == (
        world.other_council.pk,
        world.other_provider.pk,
    )


def test_the_log_shows_how_many_rows_a_download_named_whichever_key_it_used(world):
    from carebridge.audit.services import record

    record(
        action="front_door.feedback_exported",
        by=world.other_front_door_officer,
        detail={"rows": 3},
    )
    log = client_for(world.other_council_admin).get(reverse("audit:event_list"))
    assert "3 rows<" in log.content.decode()
