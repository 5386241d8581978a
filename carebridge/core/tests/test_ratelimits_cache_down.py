"""Rate limits with the cache out of reach (Redis stopped): the log-in and e-mailed-link groups
let the request through uncounted and write a security event; every other group fails closed
with the "service unavailable" page (503) and its view is not run; an error the view raises
itself is never taken for the cache's."""

import logging

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from carebridge.core.ratelimits import FAIL_OPEN_GROUPS, LIMITS, rate_limited
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.tests.requests.test_public_views import walk
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council
from tests.support import PASSCODE, PASSWORD, make_council, make_user

# Django's own Redis cache, pointed at a port nothing listens on: redis-py raises its
# ConnectionError at once, as it does once Redis is stopped.
UNREACHABLE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down():
    """The rate limits' cache is out of reach; the rest of the project's cache is not."""
    with override_settings(
        CACHES={**settings.CACHES, "ratelimits": UNREACHABLE},
        RATELIMIT_USE_CACHE="ratelimits",
        RATELIMIT_ENABLE=True,
    ):
        yield


def security_events(caplog) -> list[dict]:
    return [
        record.security
        for record in caplog.records
        if record.name == "carebridge.security" and "cache is out of reach" in record.message
    ]


def posted(path: str, **extra) -> HttpRequest:
    """A POST as the view sees it (the "user" key reads the user the middleware sets)."""
    request = RequestFactory().post(path, **extra)
    request.user = AnonymousUser()
    return request


def view_for(group: str, calls: list[str], error: Exception | None = None):
    @rate_limited(group)
    def view(request: HttpRequest) -> HttpResponse:
        calls.append(request.method or "")
        if error is not None:
            raise error
        return HttpResponse("done")

    return view


def test_only_the_log_in_and_e_mailed_link_groups_fail_open():
    assert {"log-in", "e-mailed-link"} == FAIL_OPEN_GROUPS
    assert set(LIMITS) >= FAIL_OPEN_GROUPS


@pytest.mark.parametrize("group", sorted(FAIL_OPEN_GROUPS))
def test_a_fail_open_group_goes_through_and_logs_the_outage(cache_down, caplog, group):
    calls: list[str] = []
    request = posted("/accounts/login/", REMOTE_ADDR="192.0.2.5")
    with caplog.at_level(logging.WARNING, logger="carebridge.security"):
        response = view_for(group, calls)(request)
    assert response.status_code == 200 and calls == ["POST"]
    # Once for the request, however many limits the group has.
    [event] = security_events(caplog)
    assert event == {
        "group": group,
        "method": "POST",
        "path": "/accounts/login/",
        "ip": "192.0.2.5",
        "error": "ConnectionError",
    }


@pytest.mark.parametrize("group", sorted(set(LIMITS) - FAIL_OPEN_GROUPS))
def test_every_other_group_fails_closed_and_its_view_is_not_run(cache_down, caplog, group):
    calls: list[str] = []
    request = posted("/anything/", REMOTE_ADDR="192.0.2.6")
    with pytest.raises(RedisConnectionError):
        view_for(group, calls)(request)
    assert calls == []
    assert security_events(caplog) == []


def test_an_error_raised_by_the_view_itself_is_not_swallowed(cache_down, caplog):
    calls: list[str] = []
    # The view's own error looks just like the cache's; it still reaches the error page.
    view = view_for("log-in", calls, error=RedisConnectionError("the view's own"))
    with pytest.raises(RedisConnectionError, match="the view's own"):
        view(posted("/accounts/login/"))
    assert calls == ["POST"]  # run once, not again


@override_settings(RATELIMIT_ENABLE=True)
def test_with_the_cache_up_a_view_error_propagates_and_no_event_is_logged(caplog):
    calls: list[str] = []
    view = view_for("log-in", calls, error=OSError("disk"))
    with caplog.at_level(logging.WARNING, logger="carebridge.security"), pytest.raises(OSError):
        view(posted("/accounts/login/"))
    assert calls == ["POST"] and security_events(caplog) == []


def test_reading_a_page_never_touches_the_cache(cache_down, caplog):
    calls: list[str] = []
    for group in LIMITS:
        assert view_for(group, calls)(RequestFactory().get("/")).status_code == 200
    assert len(calls) == len(LIMITS) and security_events(caplog) == []


def test_a_person_logs_in_with_both_steps_while_the_cache_is_down(cache_down, caplog):
    user = make_user(council=make_council())
    browser = Client(REMOTE_ADDR="192.0.2.7")
    with caplog.at_level(logging.WARNING, logger="carebridge.security"):
        first = browser.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
        assert first.status_code == 302 and first.url == reverse("accounts:login_second_step")
        second = browser.post(reverse("accounts:login_second_step"), {"passcode": PASSCODE})
    assert second.status_code == 302
    assert browser.get(reverse("home:home")).wsgi_request.user == user
    assert [event["path"] for event in security_events(caplog)] == [
        reverse("accounts:login"),
        reverse("accounts:login_second_step"),
    ]


def test_the_front_door_answers_the_unavailable_page_and_writes_nothing(cache_down):
    council = open_council()
    resident = Client(REMOTE_ADDR="192.0.2.8", raise_request_exception=False)
    walk(resident, council, likely_answers())
    response = resident.post(reverse("care:check", kwargs={"council": council.slug}))
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()
    assert FrontDoorRequest.objects.count() == 0


def test_an_e_mail_queued_while_the_queue_is_out_of_reach_is_kept_for_the_sweep(
    monkeypatch, django_capture_on_commit_callbacks
):
    """A page past a fail-open limit (a hub appointment's e-mailed link, say) that e-mails: the
    outbox row is written and the request does not fail; the sweep sends the row later."""
    from carebridge.notifications import services as outbox
    from carebridge.notifications import tasks
    from carebridge.notifications.models import Notification, NotificationKind

    def queue_down(pk: int) -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks, "send_notification", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.email_queue(
            to="resident@example.org",
            kind=NotificationKind.FRONT_DOOR,
            key="cache-down-test",
            subject="Your appointment",
            body="Cancelled.",
        )
    assert row is not None
    assert Notification.objects.filter(pk=row.pk, sent_at__isnull=True).exists()
