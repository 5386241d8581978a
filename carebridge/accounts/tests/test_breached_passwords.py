"""Breached passwords refused (ASVS 6.2.12) through a Pwned Passwords range API on loopback: only
five characters of the password's SHA-1 leave, with padding asked for; a breached password is
refused with a clear message on the page; a service that is down, slow or strange lets the
password through with a logged warning; without the setting nothing is asked."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from carebridge.accounts.passwords import BREACHED_MESSAGE, breach_count
from tests.support import PASSWORD, make_council, make_user

BREACHED = "Correct-Horse-Battery-9"
BREACH_COUNT = 3861493
VALIDATORS = [
    {"NAME": "carebridge.accounts.passwords.RulebookPasswordValidator"},
    {"NAME": "carebridge.accounts.passwords.PersonalDetailsPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "carebridge.accounts.passwords.BreachedPasswordValidator"},
]


def sha1(password: str) -> str:
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()


class RangeServer:
    """A range API: answers /range/<prefix> with the suffixes of BREACHED's hash range (with
    padding lines of count 0 when asked), or as `mode` says: "down" (503), "slow" (answers
    after the timeout), "garbled" (not a range answer)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Answer(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append((self.path, dict(self.headers)))
                if outer.mode == "down":
                    self.send_error(503)
                    return
                if outer.mode == "slow":
                    time.sleep(1.5)
                body = outer.range_for(
                    self.path.rsplit("/", 1)[-1], self.headers.get("Add-Padding")
                )
                payload = body.encode()
                # A slow answer's reader has given up by now: its broken pipe is expected.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/range/"

    def range_for(self, prefix: str, padding: str | None) -> str:
        if self.mode == "garbled":
            return "<html>Service moved</html>"
        lines = ["0018A45C4D1DEF81644B54AB7F969B88D65:1", "00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2"]
        breached = sha1(BREACHED)
        if prefix == breached[:5]:
            lines.append(f"{breached[5:]}:{BREACH_COUNT}")
        if padding == "true":
            lines += [f"{n:035X}:0" for n in range(1, 40)]
        return "\r\n".join(lines)


@pytest.fixture
def pwned(settings) -> Iterator[RangeServer]:
    server = RangeServer()
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    # The range API runs on 127.0.0.1, which production never fetches: only tests allow it.
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    settings.PWNED_PASSWORDS_URL = server.url
    settings.AUTH_PASSWORD_VALIDATORS = VALIDATORS
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_only_five_characters_of_the_hash_leave_with_padding_asked_for(pwned):
    assert breach_count(BREACHED, url=pwned.url) == BREACH_COUNT

    [(path, headers)] = pwned.requests
    assert path == f"/range/{sha1(BREACHED)[:5]}"
    assert headers["Add-Padding"] == "true"
    assert BREACHED not in path and sha1(BREACHED)[5:] not in path


def test_a_password_not_in_its_range_is_counted_nowhere(pwned):
    assert breach_count("Kestrel-Lantern-Moss-71", url=pwned.url) == 0


def test_a_padding_line_is_not_a_breach(pwned):
    password = "anything-at-all"
    padding = f"{sha1(password)[5:]}:0\r\n{1:035X}:0"
    pwned.range_for = lambda prefix, padded: padding  # type: ignore[method-assign]
    assert breach_count(password, url=pwned.url) == 0


@pytest.mark.django_db
def test_a_breached_password_is_refused_with_a_clear_message(pwned):
    user = make_user(council=make_council())
    with pytest.raises(ValidationError) as refused:
        validate_password(BREACHED, user)
    assert [e.message for e in refused.value.error_list] == [BREACHED_MESSAGE]
    assert [e.code for e in refused.value.error_list] == ["password_breached"]

    validate_password("Kestrel-Lantern-Moss-71", user)


@pytest.mark.django_db
def test_the_change_password_page_shows_the_breach_against_the_new_password(pwned, client):
    user = make_user(council=make_council())
    client.force_login(user)
    data = {
        "current_password": PASSWORD,
        "new_password": BREACHED,
        "confirm_password": BREACHED,
    }
    page = client.post(reverse("accounts:password_change"), data).content.decode()
    assert BREACHED_MESSAGE in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["down", "slow", "garbled"])
def test_a_service_that_cannot_answer_lets_the_password_through_with_a_warning(
    pwned, mode, caplog, monkeypatch
):
    import carebridge.accounts.passwords as passwords

    monkeypatch.setattr(passwords, "BREACH_CHECK_TIMEOUT_SECONDS", 0.5)
    pwned.mode = mode
    user = make_user(council=make_council())

    validate_password(BREACHED, user)

    if mode == "garbled":
        # Not a range answer: no line names the hash, so nothing is known against it.
        assert pwned.requests
    else:
        assert "Breached-password check not made (password allowed)" in caplog.text


@pytest.mark.django_db
def test_a_closed_port_lets_the_password_through_with_a_warning(pwned, settings, caplog):
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        closed = spare.getsockname()[1]
    settings.PWNED_PASSWORDS_URL = f"http://127.0.0.1:{closed}/range/"

    validate_password(BREACHED, make_user(council=make_council()))

    assert "Breached-password check not made (password allowed)" in caplog.text


@pytest.mark.django_db
def test_without_the_setting_nothing_is_asked(pwned, settings):
    settings.PWNED_PASSWORDS_URL = ""
    validate_password(BREACHED, make_user(council=make_council()))
    assert pwned.requests == []
