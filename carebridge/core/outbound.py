"""The one guard on requests this server makes to addresses that councils give it (the CRM
webhook, the directory feed), so that no such address can reach the server itself or the
network behind it (server-side request forgery).

An address is checked twice. When it is saved (`url_refusal`, without looking up its name):
https only (plain http only under DEBUG), no user name or password in it, and a literal IP
address must be public. When it is fetched (`open_url`): the name is looked up and every
address it resolves to must be public, and the connection goes to an address that was checked,
so a name that resolves to a public address when saved and to 127.0.0.1 later (DNS rebinding)
is refused. Redirects are never followed and no environment proxy is used.

"Public" excludes private, loopback, link-local, multicast, reserved, unspecified and shared
(100.64/10) ranges, and IPv6 forms that carry an IPv4 address (IPv4-mapped, 6to4, Teredo,
NAT64) are judged by the IPv4 address they carry. Tests that run a server on loopback turn on
the OUTBOUND_ALLOW_LOOPBACK setting; it is never read from the environment, so production
cannot turn it on by mistake.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from carebridge.core.errors import Refused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


class OutboundRefused(Refused):
    """The address may not be fetched: what it is, in words an administrator understands."""


def _loopback_allowed() -> bool:
    return bool(settings.OUTBOUND_ALLOW_LOOPBACK)


def _carried_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: str | IPAddress) -> str:
    """Why this IP address may not be reached, or "" when it is a public one."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return f"{address} is not an IP address"
    carried = _carried_ipv4(ip)
    if carried is not None:
        refusal = address_refusal(carried)
        return f"{ip} carries {refusal}" if refusal else ""
    if ip.is_loopback and _loopback_allowed():
        return ""
    if (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    ):
        return f"{ip} is a private, loopback, link-local, multicast or reserved address"
    return ""


def _host_refusal(host: str) -> str:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        name = host.lower().rstrip(".")
        if name == "localhost" and _loopback_allowed():
            return ""
        if name == "localhost" or name.endswith(_LOCAL_SUFFIXES):
            return f"{host} is a name on this machine or its local network"
        return ""
    return address_refusal(ip)


def url_refusal(url: str) -> str:
    """Why this address may not be saved or fetched, or "" when it may (no name is looked up:
    `open_url` checks what the name resolves to each time it connects)."""
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError:
        return "Enter a web address, like https://crm.example.org/requests"
    if parts.scheme not in ("https", "http") or not host:
        return "Enter a web address that starts with https://"
    if parts.username is not None or parts.password is not None:
        return "The address must not hold a user name or password"
    if port == 0:
        return "The address's port must be a number from 1 to 65535"
    refusal = _host_refusal(host)
    if refusal:
        return f"The address must be on the internet: {refusal}"
    if parts.scheme == "http" and not settings.DEBUG:
        loopback = _loopback_allowed() and (host == "localhost" or _is_loopback_ip(host))
        if not loopback:
            return "The address must start with https://"
    return ""


def _is_loopback_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connection(
    address: tuple[str, int],
    timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
    source_address: Any = None,
    **_kwargs: Any,
) -> socket.socket:
    """socket.create_connection, to the first of the name's addresses, once all are checked."""
    host, port = address
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"{host} could not be found: {error.strerror or error}") from None
    for _family, _kind, _proto, _name, sockaddr in found:
        refusal = address_refusal(str(sockaddr[0]).split("%")[0])
        if refusal:
            raise OutboundRefused(f"{host} resolves to {refusal}")
    last: OSError | None = None
    for family, kind, proto, _name, sockaddr in found:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as error:
            sock.close()
            last = error
    raise last or OSError(f"{host} has no address")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # http.client opens its socket through this hook; the TLS layer (below) wraps that socket
        # and still checks the certificate against the name, not the address.
        self._create_connection = _guarded_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead anywhere, and urllib would resend a POST as a GET with no body:
    # the 3xx comes back to the caller as an HTTPError instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def open_url(request: urllib.request.Request, *, timeout: float) -> http.client.HTTPResponse:
    """Send the request through the guard. Raises OutboundRefused for an address that may not
    be reached (checked again here, whatever was checked when it was saved), HTTPError for an
    answer that is not 2xx (redirects included), and URLError or OSError when the connection
    fails."""
    refusal = url_refusal(request.full_url)
    if refusal:
        raise OutboundRefused(refusal)
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),
        _GuardedHTTPHandler(),
        _GuardedHTTPSHandler(),
        _NoRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    try:
        response: http.client.HTTPResponse = opener.open(request, timeout=timeout)
    except urllib.error.URLError as error:
        if isinstance(error.reason, OutboundRefused):
            raise error.reason from None
        raise
    return response
