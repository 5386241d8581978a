"""Refused requests are security events in the log of the asker's organisation (ASVS 16.3.2,
16.3.3): a 403, a 404 for an object the asker may not see, a rate limit's 429 and a failed CSRF
check, with the path (tokens redacted), method, address and user, never the object asked for;
an anonymous visitor's refusal is in the security log only; a flood is one event a minute."""

import json
import time
import uuid
from datetime import date

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.audit.selectors import events_visible_to
from carebridge.core.logs import REDACTED
from carebridge.people import services as people
from tests.support import PASSWORD, client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

SECRET = "Qv7SeCrEtLinkTok3n"


@pytest.fixture(autouse=True)
def own_cache():
    """A cache of this test's own: the flood counts must start at nothing, whatever cache the
    suite is pointed at."""
    location = f"refusals-{uuid.uuid4()}"
    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "LOCATION": location}}  # fmt: skip
    with override_settings(CACHES=caches):
        yield


def other_councils_person():
    council = make_council("Quillinghurst Metropolitan Council")
    admin = make_user(council=council, role="council_administrator")
    return people.service_user_create(
        council=council,
        by=admin,
        ss_ref="QX990001",
        first_name="Ottoline",
        last_name="Vandersnoot",
        date_of_birth=date(1936, 2, 14),
    )


def refusals(**filters):
    return Event.objects.filter(action__startswith="security.", **filters)


def test_a_403_is_recorded_in_the_askers_councils_log():
    council = make_council()
    broker = make_user(council=council, role="broker")

    response = client_for(broker).get(reverse("audit:event_list"))

    assert response.status_code == 403
    [event] = refusals()
    assert event.action == "security.forbidden"
    assert event.actor == broker and event.council_id == council.pk
    assert event.ip_address == "127.0.0.1"
    assert event.detail == {"status": 403, "method": "GET", "path": "/audit/", "suppressed": 0}
    admin = make_user(council=council, role="council_administrator")
    assert event in events_visible_to(admin)


def test_a_providers_403_is_recorded_in_the_providers_log():
    provider = make_provider()
    reader = make_user(provider=provider, role="read_only")

    assert client_for(reader).get(reverse("audit:event_list")).status_code == 403

    [event] = refusals(action="security.forbidden")
    assert event.provider_id == provider.pk and event.council_id is None


def test_another_councils_person_is_refused_and_recorded_without_naming_them():
    person = other_councils_person()
    council = make_council("Ashdown Vale Council")
    broker = make_user(council=council, role="broker")
    url = reverse("people:service_user_detail", kwargs={"pk": person.pk})

    response = client_for(broker).get(url)

    assert response.status_code == 404
    [event] = refusals()
    assert event.action == "security.not_found"
    assert event.council_id == council.pk and event.actor == broker
    assert event.detail["path"] == url and event.detail["status"] == 404
    # Nothing of the person or the council that holds them: the log's readers may not know.
    assert event.object_type == event.object_id == event.object_label == ""
    written = json.dumps([event.detail, event.object_label, event.before, event.after])
    for hidden in ("Vandersnoot", "Ottoline", "QX990001", "Quillinghurst"):
        assert hidden not in written
    assert not refusals(council=person.council_id).exists()


def test_an_unknown_address_is_not_a_refusal():
    broker = make_user(council=make_council(), role="broker")

    assert client_for(broker).get("/no-such-page/").status_code == 404

    assert not refusals().exists()


def test_a_csrf_failure_is_recorded():
    council = make_council()
    broker = make_user(council=council, role="broker")
    client = Client(enforce_csrf_checks=True)
    client.force_login(broker)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    [event] = refusals()
    assert event.action == "security.csrf_failed"
    assert event.actor == broker and event.council_id == council.pk
    assert event.detail["method"] == "POST"


@override_settings(RATELIMIT_ENABLE=True)
def test_a_rate_limited_request_is_recorded():
    council = make_council()
    broker = make_user(council=council, role="broker")
    client = client_for(broker)
    login = reverse("accounts:login")

    statuses = [client.post(login, {"email": broker.email, "password": "x"}).status_code
                for _ in range(31)]  # fmt: skip

    assert statuses[-1] == 429 and 429 not in statuses[:30]
    [event] = refusals()
    assert event.action == "security.rate_limited"
    assert event.actor == broker and event.detail["status"] == 429


def test_an_anonymous_visitors_refusal_is_in_no_organisations_log():
    council = make_council()
    user = make_user(council=council)
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})

    assert response.status_code == 403
    assert not refusals().exists()


def test_a_token_in_the_path_is_redacted():
    council = make_council()
    broker = make_user(council=council, role="broker")
    url = reverse("care:track_link", kwargs={"council": council.slug, "token": SECRET})

    assert client_for(broker).get(url).status_code == 404

    [event] = refusals(action="security.not_found")
    assert SECRET not in event.detail["path"]
    assert REDACTED in event.detail["path"]


def test_a_flood_is_one_event_a_minute_and_the_next_says_how_many_were_not_recorded(
    monkeypatch,
):
    person = other_councils_person()
    council = make_council()
    broker = make_user(council=council, role="broker")
    client = client_for(broker)
    # A script walking ids: ten refusals in a few seconds.
    for pk in range(person.pk, person.pk + 10):
        client.get(reverse("people:service_user_detail", kwargs={"pk": pk}))
    # Another kind of refusal is its own event.
    client.get(reverse("audit:event_list"))

    assert refusals(action="security.not_found").count() == 1
    assert refusals(action="security.forbidden").count() == 1

    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started + 61)
    client.get(reverse("people:service_user_detail", kwargs={"pk": person.pk}))

    first, second = refusals(action="security.not_found").order_by("id")
    assert first.detail["suppressed"] == 0
    assert second.detail["suppressed"] == 9


def test_each_asker_has_a_minute_of_their_own():
    person = other_councils_person()
    council = make_council()
    url = reverse("people:service_user_detail", kwargs={"pk": person.pk})
    brokers = [make_user(council=council, role="broker") for _ in range(2)]

    for broker in brokers:
        client_for(broker).get(url)
        client_for(broker).get(url)

    assert {e.actor for e in refusals(action="security.not_found")} == set(brokers)
    assert refusals().count() == 2


def test_what_was_searched_for_stays_out_of_the_log():
    council = make_council()
    broker = make_user(council=council, role="broker")

    assert client_for(broker).get("/audit/?q=Vandersnoot&nhs=9434765919").status_code == 403

    [event] = refusals(action="security.forbidden")
    assert event.detail["path"] == "/audit/"
