"""The guard on addresses councils give us: https only outside DEBUG, never this machine or a
private network (IPv6 and IPv4-mapped forms included), checked again on connecting (a name that
resolves to loopback later is refused), and no redirect followed."""

import socket
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from carebridge.core import outbound
from carebridge.core.outbound import OutboundRefused, address_refusal, open_url, url_refusal


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/here")
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"reached")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.9.9.9/hook",
        "https://localhost/hook",
        "https://crm.localhost/hook",
        "https://printer.local/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:10.0.0.5]/hook",
        "https://[64:ff9b::a9fe:a9fe]/hook",
        "https://[2002:7f00:1::1]/hook",
        "https://[fe80::1]/hook",
        "https://[fc00::1]/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "http://crm.example.org/hook",
        "ftp://crm.example.org/hook",
        "file:///etc/passwd",
        "https://user:pass@crm.example.org/hook",
        "https:///no-host",
        "not a url",
    ],
)
def test_it_refuses_an_address_that_is_not_public_https(url, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    settings.DEBUG = False

    assert url_refusal(url) != ""


def test_it_accepts_a_public_https_address(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    assert url_refusal("https://crm.example.org/requests?council=x") == ""
    assert url_refusal("https://203.0.113.9:8443/hook") != ""  # documentation range: reserved
    assert url_refusal("https://8.8.8.8/hook") == ""
    assert url_refusal("https://[2606:4700::1111]/hook") == ""


def test_plain_http_is_allowed_only_under_debug_and_never_to_loopback(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    settings.DEBUG = True
    assert url_refusal("http://crm.example.org/hook") == ""
    assert url_refusal("http://127.0.0.1:8000/hook") != ""


def test_the_test_allowance_opens_loopback_only(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    settings.DEBUG = False
    assert url_refusal("http://127.0.0.1:8000/hook") == ""
    assert url_refusal("http://localhost:8000/hook") == ""
    assert url_refusal("https://10.0.0.1/hook") != ""
    assert url_refusal("http://crm.example.org/hook") != ""
    assert address_refusal("169.254.169.254") != ""


def test_it_refuses_to_connect_to_this_machine(local_server, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    request = urllib.request.Request(f"http://127.0.0.1:{local_server}/")

    with pytest.raises(OutboundRefused):
        open_url(request, timeout=2)


def test_it_refuses_a_name_that_resolves_to_loopback_when_it_connects(
    local_server, settings, monkeypatch
):
    """DNS rebinding: the name passed when saved; on connecting it points at 127.0.0.1."""
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    settings.DEBUG = True  # so plain http reaches the connection step
    real = socket.getaddrinfo

    def rebound(host, port, *args, **kwargs):
        if host == "crm.example.org":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(outbound.socket, "getaddrinfo", rebound)
    url = f"http://crm.example.org:{local_server}/"
    assert url_refusal(url) == ""

    with pytest.raises(OutboundRefused, match=r"resolves to 127\.0\.0\.1"):
        open_url(urllib.request.Request(url), timeout=2)


def test_it_refuses_a_name_resolving_to_an_ipv4_mapped_loopback(settings, monkeypatch):
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    def mapped(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::ffff:127.0.0.1", port, 0, 0))]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", mapped)

    with pytest.raises(OutboundRefused, match=r"127\.0\.0\.1"):
        open_url(urllib.request.Request("https://crm.example.org/hook"), timeout=2)


def test_with_the_allowance_it_reaches_loopback_and_never_follows_a_redirect(
    local_server, settings
):
    settings.OUTBOUND_ALLOW_LOOPBACK = True

    with open_url(urllib.request.Request(f"http://127.0.0.1:{local_server}/"), timeout=2) as r:
        assert r.read() == b"reached"
    with pytest.raises(urllib.error.HTTPError) as raised:
        open_url(urllib.request.Request(f"http://127.0.0.1:{local_server}/moved"), timeout=2)
    assert raised.value.code == 302
