"""The GOV.UK Notify e-mail backend: a signed token, the template's personalisation, Notify's
refusals, and the old dotted path deployments still set."""

import base64
import hashlib
import hmac
import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from carebridge.notifications.notify import NotifyEmailBackend, NotifyError

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"carebridge_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@contextmanager
def fake_notify():
    """A stand-in for Notify's API on a loopback port, and the requests it received."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        status = 201

        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(
                {
                    "path": self.path,
                    "authorization": self.headers["Authorization"],
                    "json": json.loads(self.rfile.read(length)),
                }
            )
            self.send_response(self.server.status)  # type: ignore[attr-defined]
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.status = 201  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def notify_server():
    with fake_notify() as server_and_received:
        yield server_and_received


def backend(server, **kwargs):
    return NotifyEmailBackend(
        api_key=API_KEY,
        template_id=TEMPLATE_ID,
        base_url=f"http://127.0.0.1:{server.server_address[1]}",
        **kwargs,
    )


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_it_sends_through_notify_with_a_signed_token(notify_server):
    server, received = notify_server
    message = EmailMessage(
        "Action 7 (Missed visit) is waiting for you",
        "Dear Alex,\n...",
        to=["alex@example.org"],
        headers={"X-Carebridge-Reference": "action-post:3:4"},
    )

    assert backend(server).send_messages([message]) == 1

    [request] = received
    assert request["path"] == "/v2/notifications/email"
    assert request["json"] == {
        "email_address": "alex@example.org",
        "template_id": TEMPLATE_ID,
        "personalisation": {
            "subject": "Action 7 (Missed visit) is waiting for you",
            "body": "Dear Alex,\n...",
        },
        "reference": "action-post:3:4",
    }
    scheme, jwt = request["authorization"].split(" ")
    assert scheme == "Bearer"
    header, claims, signature = jwt.split(".")
    expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(unb64(signature), expected)
    assert json.loads(unb64(header)) == {"typ": "JWT", "alg": "HS256"}
    assert json.loads(unb64(claims))["iss"] == SERVICE_ID
    assert abs(json.loads(unb64(claims))["iat"] - datetime.now(UTC).timestamp()) < 30


def test_it_raises_when_notify_refuses(notify_server):
    server, _received = notify_server
    server.status = 400
    message = EmailMessage("Subject", "Body", to=["alex@example.org"])

    with pytest.raises(NotifyError, match="400"):
        backend(server).send_messages([message])
    assert backend(server, fail_silently=True).send_messages([message]) == 0


def test_it_refuses_a_malformed_api_key():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="NOTIFY_API_KEY"):
        NotifyEmailBackend(api_key="not-a-key", template_id=TEMPLATE_ID)


def test_the_old_dotted_path_still_names_the_backend():
    assert import_string("carebridge.actions.notify.NotifyEmailBackend") is NotifyEmailBackend
