"""An e-mail backend that sends through GOV.UK Notify, the council's own service (providers cannot
have Notify accounts, so every message goes from the council's).

Notify sends from templates: NOTIFY_TEMPLATE_ID names one whose subject is ((subject)) and whose
body is ((body)). Requests carry a JSON Web Token signed with the API key's secret (HS256, the
service id as issuer), built here with the standard library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_API_KEY = re.compile(rf"^(?P<name>.+)-(?P<service>{_UUID})-(?P<secret>{_UUID})$", re.IGNORECASE)
TIMEOUT_SECONDS = 15


class NotifyError(Exception):
    """Notify refused a message, or could not be reached."""


def parse_api_key(api_key: str) -> tuple[str, str]:
    """The service id and the secret: the last two UUIDs of a key "name-serviceid-secret"."""
    match = _API_KEY.match(api_key.strip())
    if match is None:
        raise ImproperlyConfigured(
            "NOTIFY_API_KEY must be a GOV.UK Notify API key: its name, the service id and the "
            "secret key, joined by hyphens"
        )
    return match["service"], match["secret"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token(service_id: str, secret: str, *, issued_at: int | None = None) -> str:
    header = {"typ": "JWT", "alg": "HS256"}
    claims = {"iss": service_id, "iat": int(time.time()) if issued_at is None else issued_at}
    signing_input = (
        f"{_b64(json.dumps(header, separators=(',', ':')).encode())}."
        f"{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    )
    signature = hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(
        self,
        fail_silently: bool = False,
        *,
        api_key: str | None = None,
        template_id: str | None = None,
        base_url: str | None = None,
        timeout: float = TIMEOUT_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.service_id, self.secret = parse_api_key(api_key or settings.NOTIFY_API_KEY)
        self.template_id = template_id or settings.NOTIFY_TEMPLATE_ID
        if not re.fullmatch(_UUID, self.template_id, re.IGNORECASE):
            raise ImproperlyConfigured("NOTIFY_TEMPLATE_ID must be the UUID of a Notify template")
        configured = base_url or getattr(settings, "NOTIFY_BASE_URL", "") or ""
        self.base_url = configured.rstrip("/") or "https://api.notifications.service.gov.uk"
        self.timeout = timeout

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            try:
                for recipient in message.recipients():
                    self._send(message, recipient)
            except (NotifyError, OSError):
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

    def _send(self, message: EmailMessage, recipient: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "email_address": recipient,
            "template_id": self.template_id,
            "personalisation": {"subject": str(message.subject), "body": str(message.body)},
        }
        reference = message.extra_headers.get("X-Carebridge-Reference")
        if reference:
            payload["reference"] = str(reference)
        url = f"{self.base_url}/v2/notifications/email"
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("NOTIFY_BASE_URL must be an http(s) address")
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url,
            data=json.dumps(payload).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token(self.service_id, self.secret)}",
                "User-Agent": "carebridge-notify",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer: dict[str, Any] = json.loads(response.read() or b"{}")
                return answer
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode("utf-8", "replace")
            raise NotifyError(f"GOV.UK Notify answered {error.code}: {detail}") from error
        except urllib.error.URLError as error:
            raise NotifyError(f"GOV.UK Notify could not be reached: {error.reason}") from error
