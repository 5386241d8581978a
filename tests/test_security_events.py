"""The security log (ASVS 16.2.4, 16.3.2, 16.3.3): every refused request, anonymous visitors'
too, is one JSON line on the "carebridge.security" logger as the settings configure it, with the
path (e-mailed links' tokens redacted), method, address and user; a flood writes one line a
minute and one more saying the rest are counted."""

import io
import json
import logging
import sys
import uuid
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from carebridge.core.logs import REDACTED, JsonLines
from tests.support import client_for, make_council, make_user

pytestmark = pytest.mark.django_db

SECRET = "Qv7SeCrEtLinkTok3n"


@pytest.fixture(autouse=True)
def own_cache() -> Iterator[None]:
    """Flood counts start at nothing, whatever cache the suite is pointed at."""
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"security-log-{uuid.uuid4()}",
        }
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture
def security_lines() -> Iterator[io.StringIO]:
    """What the settings' handler of the security log writes, read back."""
    logger = logging.getLogger("carebridge.security")
    [handler] = [h for h in logger.handlers if isinstance(h.formatter, JsonLines)]
    assert isinstance(handler, logging.StreamHandler)
    assert not logger.propagate
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        yield written
    finally:
        handler.setStream(previous)


def entries(written: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in written.getvalue().splitlines()]


def test_an_anonymous_csrf_failure_is_a_json_line(security_lines):
    user = make_user(council=make_council())
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.44")

    response = client.post(reverse("accounts:login"), {"email": user.email, "password": "x"})

    assert response.status_code == 403
    [entry] = entries(security_lines)
    assert entry["logger"] == "carebridge.security" and entry["level"] == "WARNING"
    assert entry["message"] == "Request refused"
    assert entry["time"].endswith("+00:00")
    assert entry["security"] == {
        "kind": "csrf_failed",
        "status": 403,
        "method": "POST",
        "path": "/accounts/login/",
        "suppressed": 0,
        "user": None,
        "ip": "192.0.2.44",
    }


def test_a_logged_in_users_refusal_names_the_user_by_id(security_lines):
    broker = make_user(council=make_council(), role="broker")

    assert client_for(broker).get(reverse("audit:event_list")).status_code == 403

    [entry] = entries(security_lines)
    assert entry["security"]["user"] == broker.pk
    assert entry["security"]["kind"] == "forbidden"
    assert broker.email not in security_lines.getvalue()


def test_a_links_token_never_reaches_the_security_log(security_lines):
    council = make_council()
    url = reverse("care:track_link", kwargs={"council": council.slug, "token": SECRET})

    assert Client().get(f"{url}?token={SECRET}").status_code == 404

    [entry] = entries(security_lines)
    assert entry["security"]["kind"] == "not_found"
    assert REDACTED in entry["security"]["path"]
    assert SECRET not in security_lines.getvalue()


def test_a_flood_writes_one_line_and_one_more_saying_the_rest_are_counted(security_lines):
    client = Client(REMOTE_ADDR="198.51.100.7")
    council = make_council()
    for n in range(20):
        url = reverse("care:track_link", kwargs={"council": council.slug, "token": f"guess{n}"})
        assert client.get(url).status_code == 404

    refused, suppressed = entries(security_lines)
    assert refused["message"] == "Request refused"
    assert refused["security"]["ip"] == "198.51.100.7"
    assert suppressed["message"] == "Further refusals suppressed"
    assert suppressed["level"] == "INFO"


def test_each_line_is_one_json_object_whatever_the_message_holds():
    formatter = JsonLines()
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        record = logging.getLogger("carebridge.security").makeRecord(
            "carebridge.security",
            logging.ERROR,
            __file__,
            1,
            "Opened /accounts/set-up/%s/ at\n%s",
            (SECRET, "2026"),
            exc_info=sys.exc_info(),
            extra={"security": {"path": f"/accounts/reset/password/{SECRET}/", "n": 3}},
        )

    line = formatter.format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["message"] == f"Opened /accounts/set-up/{REDACTED}/ at\n2026"
    assert entry["security"] == {"path": f"/accounts/reset/password/{REDACTED}/", "n": 3}
    assert "ValueError: bad" in entry["exception"]
    assert SECRET not in line
