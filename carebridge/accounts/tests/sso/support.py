"""The steps of a sign-in over HTTP that the single sign-on tests share, with their provider
(oidc-provider-mock) and its client's settings."""

import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.audit.models import Event

CLIENT_ID = "carebridge-portal"
CLIENT_SECRET = "not-a-real-secret-0123456789"


def issuer_of(server) -> str:
    return f"http://localhost:{server.server_port}"


def put_claims(issuer: str, sub: str, **claims) -> None:
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        f"{issuer}/users/{quote(sub, safe='')}",
        data=json.dumps(claims).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (the test's own server)
        assert response.status == 204


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def authorize(address: str, sub: str, **form: str) -> str:
    """The person signs in at the provider (its form, posted): the address it sends them back
    to, on the portal."""
    opener = urllib.request.build_opener(_Stay)
    data = urlencode({"sub": sub, **form}).encode()
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(urllib.request.Request(address, data=data, method="POST"), timeout=5)  # noqa: S310
    assert answer.value.code == 302, answer.value.read()
    return answer.value.headers["Location"]


def start(client: Client, council) -> str:
    response = client.post(reverse("accounts:sso_start", args=[council.slug]))
    assert response.status_code == 302, response.content
    return response["Location"]


def back(client: Client, address: str):
    parts = urlsplit(address)
    assert parts.path == reverse("accounts:sso_callback")
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, council, sub: str, **form: str):
    return back(client, authorize(start(client, council), sub, **form))


def logged_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def refusals() -> list[dict]:
    return [e.detail for e in Event.objects.filter(action="login.sso_refused").order_by("id")]


def verified(idp: str, email: str) -> None:
    put_claims(idp, email, email=email, email_verified=True)


# A good sign-in


@contextmanager
def serving(document: dict):
    """A small real server on loopback answering every GET with `document` as JSON: the
    address it is at."""

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", document
    finally:
        server.shutdown()
        server.server_close()
