"""Rate limits on public and e-mail-sending endpoints: over the limit nothing is written and
nothing is sent, the visitor gets the GOV.UK "too many requests" page (429), another address is
not affected, and every public page that writes or e-mails is covered."""

from datetime import date

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from carebridge.core.ratelimits import LIMITS, client_ip
from carebridge.frontdoor.models import Booking, Feedback, FrontDoorRequest, Slot
from carebridge.frontdoor.tests.hubs.test_hubs_support import freeze, make_hub, publish
from carebridge.frontdoor.tests.requests.test_public_views import walk
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council
from tests.support import make_council, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("limits_on")]


@pytest.fixture
def limits_on():
    cache.clear()
    with override_settings(RATELIMIT_ENABLE=True):
        yield
    cache.clear()


def care(name, council, **kwargs):
    return reverse(f"care:{name}", kwargs={"council": council.slug, **kwargs})


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def assert_too_many(response) -> None:
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sorry, you have sent too many requests" in page
    assert "Wait 10 minutes and try again" in page
    assert response["Retry-After"] == "600"


def test_a_script_cannot_flood_the_front_door_with_requests():
    council = open_council()
    script = from_address("192.0.2.10")
    for _ in range(5):
        walk(script, council, likely_answers())
        assert script.post(care("check", council)).status_code == 302
    assert FrontDoorRequest.objects.count() == 5
    sent = len(mail.outbox)

    walk(script, council, likely_answers())
    response = script.post(care("check", council))

    assert_too_many(response)
    assert "If you or someone else is in danger, call 999 now." in response.content.decode()
    assert FrontDoorRequest.objects.count() == 5
    assert len(mail.outbox) == sent
    # Someone else, from another address, is not held up by the script.
    neighbour = from_address("198.51.100.7")
    walk(neighbour, council, likely_answers())
    assert neighbour.post(care("check", council)).status_code == 302
    assert FrontDoorRequest.objects.count() == 6


def reset(client: Client, email: str):
    return client.post(reverse("accounts:reset"), {"email": email, "purpose": "password"})


def test_repeated_reset_requests_for_one_address_send_three_emails_at_most(
    django_capture_on_commit_callbacks,
):
    council = make_council()
    user = make_user(council=council)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            assert reset(from_address(f"192.0.2.{20 + n}"), user.email).status_code == 302
        # From a fourth address too: the limit is on the account's address as well as the client's.
        response = reset(from_address("192.0.2.99"), user.email)
    assert_too_many(response)
    assert len(mail.outbox) == 3


def test_one_address_cannot_ask_for_resets_for_many_accounts(django_capture_on_commit_callbacks):
    council = make_council()
    users = [make_user(council=council) for _ in range(6)]
    mail.outbox.clear()
    script = from_address("192.0.2.30")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [reset(script, user.email).status_code for user in users]
    assert answers == [302] * 5 + [429]
    assert len(mail.outbox) == 5


def test_one_address_cannot_hold_every_hub_slot(monkeypatch):
    freeze(monkeypatch)
    council = open_council()
    officer = make_user(council=council, role="front_door_officer")
    hub = make_hub(council, officer)
    publish(hub, officer, date(2026, 10, 20), date(2026, 10, 22))
    script = from_address("192.0.2.40")
    statuses = []
    free = list(Slot.objects.filter(hub=hub).order_by("starts_at"))
    for n in range(6):
        slot = free[n]
        script.post(care("appointment_start", council), {"hub": hub.pk})
        script.post(care("appointment_time", council), {"slot": slot.pk})
        script.post(
            care("appointment_details", council),
            {"name": f"Made Up {n}", "email": f"made-up-{n}@example.org", "about": ""},
        )
        statuses.append(script.post(care("appointment_check", council)).status_code)
    assert statuses == [302] * 5 + [429]
    assert Booking.objects.count() == 5


def test_feedback_and_tracking_are_limited_per_address():
    council = open_council()
    script = from_address("192.0.2.50")
    feedback = [
        script.post(care("feedback", council), {"rating": "5", "comment": "Good"}).status_code
        for _ in range(11)
    ]
    assert feedback[-1] == 429 and 429 not in feedback[:10]
    assert Feedback.objects.count() == 10
    guesses = [
        script.post(
            care("track", council), {"reference": "FD-AAAA-AAAA", "email": "a@example.org"}
        ).status_code
        for _ in range(11)
    ]
    assert guesses[-1] == 429 and 429 not in guesses[:10]


def test_the_log_in_page_is_limited_per_address_whatever_the_account():
    script = from_address("192.0.2.60")
    answers = [
        script.post(
            reverse("accounts:login"), {"email": f"nobody{n}@example.org", "password": "wrong"}
        ).status_code
        for n in range(31)
    ]
    assert answers[-1] == 429 and 429 not in answers[:30]


def test_reading_pages_is_never_limited():
    council = open_council()
    script = from_address("192.0.2.70")
    assert {script.get(care("start", council)).status_code for _ in range(40)} == {200}


@override_settings(BEHIND_PROXY=True)
def test_behind_the_proxy_the_address_is_the_one_the_proxy_added():
    request = Client().get("/").wsgi_request
    request.META["REMOTE_ADDR"] = "10.0.0.2"
    request.META["HTTP_X_FORWARDED_FOR"] = "203.0.113.9, 198.51.100.20"
    # The first entry is whatever the client sent; the last is what the proxy saw.
    assert client_ip(request) == "198.51.100.20"


def test_without_a_proxy_a_forwarded_header_is_ignored():
    request = Client().get("/").wsgi_request
    request.META["REMOTE_ADDR"] = "192.0.2.80"
    request.META["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    assert client_ip(request) == "192.0.2.80"


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


# Public pages that take a POST but neither write to the database nor send anything: each
# answer only goes into the visitor's own session.
SESSION_ONLY = {
    "question",
    "appointment_start",
    "appointment_time",
    "appointment_details",
    "login_new_password",  # only after the password step, itself limited
    "login_new_passcode",
    "logout_view",
    # The passkey ceremonies' first halves and the set-up's: only after the password step (the
    # pending log-in in the session), itself limited; the check that logs in is limited.
    "LoginAuthBegin",
    "LoginRegisterBegin",
    "LoginRegisterComplete",
}


def test_every_public_page_that_writes_or_emails_is_rate_limited():
    unlimited = []
    for route, view in _patterns(get_resolver()):
        if getattr(view, "login_required", True) or not _accepts_post(view):
            continue
        if route.startswith("api/"):
            continue  # council systems' tokens, limited per token by ApiTokenThrottle
        name = view.view_class.__name__ if hasattr(view, "view_class") else view.__name__
        if not getattr(view, "rate_limit_groups", ()) and name not in SESSION_ONLY:
            unlimited.append(f"{route} ({view.__name__})")
    assert unlimited == []


def _accepts_post(view) -> bool:
    """Whether a POST gets past the view's require_http_methods (no such decorator: it does),
    or, for a class-based view, whether the class answers POST at all."""
    if hasattr(view, "view_class"):
        return hasattr(view.view_class, "post")
    while view is not None:
        for cell in view.__closure__ or ():
            value = cell.cell_contents
            if (
                isinstance(value, list)
                and value
                and all(m in {"GET", "POST", "HEAD"} for m in value)
            ):
                return "POST" in value
        view = getattr(view, "__wrapped__", None)
    return True


def test_a_council_system_in_a_loop_is_refused_with_the_apis_own_error(monkeypatch):
    from carebridge.integrations.services import api_token_create
    from carebridge.integrations.throttling import ApiTokenThrottle

    monkeypatch.setattr(ApiTokenThrottle, "rate", "3/m")
    council = make_council()
    _token, key = api_token_create(council=council, name="Case management", by=None)
    system = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    answers = [system.get("/api/v1/referrals/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = system.get("/api/v1/referrals/")
    assert response.json()["error"]["status"] == 429
    assert "Retry-After" in response
    # Another council's system has its own allowance.
    _other, other_key = api_token_create(council=make_council(), name="Other", by=None)
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {other_key}").get("/api/v1/referrals/").status_code
        == 200
    )


def test_every_group_has_a_limit_per_client_or_per_account():
    for group, limits in LIMITS.items():
        assert any(key in {"ip", "user"} for key, _rate in limits), group
