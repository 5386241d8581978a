"""Proofs for docs/security.md's transport and deployment rows: outbound TLS refuses a
certificate nobody vouches for (12.3.2), nginx's certificate (12.2.2),
the environment file's permissions (13.3.2) and the single sign-on's tokens, which never reach
the browser (10.1.1)."""

from __future__ import annotations

import datetime
import ipaddress
import re
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

from carebridge.accounts import sso
from carebridge.accounts.models import SingleSignOn
from carebridge.accounts.tests.sso.support import (
    CLIENT_ID,
    CLIENT_SECRET,
    authorize,
    issuer_of,
    logged_in_as,
    verified,
)
from carebridge.audit.models import Event
from carebridge.core.outbound import open_url
from tests.support import make_council, make_user

ROOT = Path(__file__).resolve().parent.parent
NGINX = ROOT / "deploy" / "nginx" / "carebridge.conf"
DEPLOY = ROOT / "docs" / "deploy.md"
UNITS = ROOT / "deploy" / "systemd"


# --- 12.3.2: outbound calls refuse a certificate nobody vouches for ------------------------------


def certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` (and 127.0.0.1): its PEM and its key's."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    moment = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - datetime.timedelta(minutes=5))
        .not_valid_after(moment + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Reached(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "7")
        self.end_headers()
        self.wfile.write(b"reached")

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def tls_server(cert: Path, key: Path) -> Iterator[int]:
    """An HTTPS server on loopback presenting `cert`: its port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Reached)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def fetch(port: int) -> bytes:
    request = urllib.request.Request(f"https://localhost:{port}/")
    with open_url(request, timeout=10) as response:
        return response.read()


@pytest.mark.usefixtures("loopback_allowed")
def test_outbound_calls_refuse_a_self_signed_certificate(tmp_path, monkeypatch):
    cert, key = certificate(tmp_path, "localhost")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with tls_server(cert, key) as port:
        with pytest.raises(urllib.error.URLError) as refused:
            fetch(port)
        reason = refused.value.reason
        assert isinstance(reason, ssl.SSLCertVerificationError)
        assert "self-signed" in str(reason) or "self signed" in str(reason)

        # The same server, once its certificate is trusted, is reached: it was the trust refused.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        assert fetch(port) == b"reached"


@pytest.mark.usefixtures("loopback_allowed")
def test_outbound_calls_refuse_a_trusted_certificate_for_another_name(tmp_path, monkeypatch):
    cert, key = certificate(tmp_path, "elsewhere.example.org")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with tls_server(cert, key) as port, pytest.raises(urllib.error.URLError) as refused:
        fetch(port)
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
    assert "localhost" in str(refused.value.reason)


# --- 12.2.2: nginx's certificate -------------------------------------------------------------


def blocks(text: str, name: str) -> list[str]:
    """The bodies of every `name { … }` block (braces balanced), comments removed."""
    text = re.sub(r"#[^\n]*", "", text)
    found = []
    for match in re.finditer(rf"(?<![\w$]){name}\s*\{{", text):
        depth, start = 1, match.end()
        for index in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            if depth == 0:
                found.append(text[start:index])
                break
    return found


def directives(block: str, name: str) -> list[list[str]]:
    return [m.group(1).split() for m in re.finditer(rf"(?m)^\s*{name}\s+([^;]*);", block)]


def tls_servers(text: str) -> list[str]:
    return [
        body
        for body in blocks(text, "server")
        if any("ssl" in listen for listen in directives(body, "listen"))
    ]


def test_nginx_serves_a_publicly_trusted_certificates_full_chain():
    text = NGINX.read_text(encoding="utf-8")
    [serving] = [s for s in tls_servers(text) if not directives(s, "ssl_reject_handshake")]
    [[host]] = directives(serving, "server_name")
    assert directives(serving, "ssl_certificate") == [
        [f"/etc/letsencrypt/live/{host}/fullchain.pem"]
    ]
    assert directives(serving, "ssl_certificate_key") == [
        [f"/etc/letsencrypt/live/{host}/privkey.pem"]
    ]
    # The plain-HTTP server lets Let's Encrypt's challenge through, and the guide gets the
    # certificate from it with certbot.
    [plain] = [s for s in blocks(text, "server") if s not in tls_servers(text)]
    assert "/.well-known/acme-challenge/" in plain
    assert re.search(r"certbot certonly --webroot -w /var/www/letsencrypt", DEPLOY.read_text())


def test_the_nginx_parser_finds_each_tls_server_and_its_directives():
    text = (
        NGINX.read_text(encoding="utf-8") + "\nserver { listen 8443 ssl; # }\n server_name x; }\n"
    )
    servers = tls_servers(text)
    assert len(servers) == 3
    assert directives(servers[-1], "server_name") == [["x"]]
    assert directives(servers[-1], "listen") == [["8443", "ssl"]]


# --- 13.3.2: the environment file, readable by the service's group only -------------------------


def test_the_environment_file_is_root_s_and_readable_by_the_carebridge_group_only():
    guide = DEPLOY.read_text(encoding="utf-8")
    said = re.search(
        r"`(?P<path>/etc/carebridge/carebridge\.env)` \(mode (?P<mode>0[0-7]{3}), "
        r"owner (?P<owner>\w+), group (?P<group>\w+)\)",
        guide,
    )
    assert said is not None
    mode = int(said["mode"], 8)
    assert mode & 0o007 == 0, "others may not read, write or run it"
    assert mode & 0o020 == 0, "the group may not change it"
    assert (said["owner"], said["group"]) == ("root", "carebridge")
    # Its directory keeps others out too.
    assert "install -d -m 0750 -g carebridge /etc/carebridge" in guide
    # Every unit that reads it runs as that group's user, never as root.
    readers = [u for u in sorted(UNITS.glob("*.service")) if said["path"] in u.read_text()]
    assert len(readers) >= 3, readers
    for unit in readers:
        text = unit.read_text()
        assert f"EnvironmentFile={said['path']}" in text, unit.name
        assert re.search(r"(?m)^User=carebridge$", text), unit.name
        assert re.search(r"(?m)^Group=carebridge$", text), unit.name


# --- 10.1.1: the single sign-on's tokens stay on the server ---------------------------------------


@pytest.fixture
def idp() -> Iterator[str]:
    from django.core.cache import cache

    cache.clear()
    with run_server_in_thread() as server:
        yield issuer_of(server)
    cache.clear()


@pytest.mark.django_db
@pytest.mark.usefixtures("loopback_allowed")
def test_the_single_sign_ons_tokens_never_reach_the_browser_the_session_or_the_log(
    idp, monkeypatch
):
    council = make_council("Wrekinshire Council")
    SingleSignOn.objects.create(
        council=council,
        name="Wrekin Entra",
        issuer=idp,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    user = make_user(council=council, email="sam.broker@wrekinshire.gov.uk", role="broker")
    verified(idp, user.email)
    issued: list[dict[str, Any]] = []
    real = sso._token_response

    def kept(*args: Any, **kwargs: Any) -> dict[str, Any]:
        issued.append(real(*args, **kwargs))
        return issued[-1]

    monkeypatch.setattr(sso, "_token_response", kept)

    client = Client()
    seen = []
    started = client.post(reverse("accounts:sso_start", args=[council.slug]))
    seen.append(started)
    assert "response_type=code" in started["Location"]
    assert CLIENT_SECRET not in started["Location"]
    back = authorize(started["Location"], user.email)
    # The provider sends the browser back with a code alone (no implicit-flow token).
    assert "code" in parse_qs(urlsplit(back).query)
    assert not {"access_token", "id_token"} & set(parse_qs(urlsplit(back).query))
    finished = client.get(f"{urlsplit(back).path}?{urlsplit(back).query}")
    seen.append(finished)
    assert logged_in_as(client) == user.pk
    seen.append(client.get(finished["Location"]))

    [tokens] = issued
    secrets = [tokens["id_token"], tokens["access_token"], tokens["id_token"].rsplit(".", 1)[1]]
    secrets += [tokens["refresh_token"]] if tokens.get("refresh_token") else []
    browser = "".join(
        str(r.headers) + str(r.cookies) + r.content.decode(errors="replace") for r in seen
    )
    stored = str(dict(client.session.items()))
    logged = str(list(Event.objects.values("detail", "before", "after")))
    for secret in secrets:
        assert secret not in browser
        assert secret not in stored
        assert secret not in logged
    assert CLIENT_SECRET not in browser
