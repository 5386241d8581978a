"""Writes of API tokens. A token's key is shown once, when it is made, and only its hash is kept."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction

from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.integrations.models import ApiToken
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User

KEY_BYTES = 32


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, council: Council, name: str, by: User | None, key: str | None = None
) -> tuple[ApiToken, str]:
    """A new token for one of the council's systems; returns it and its key (never stored)."""
    # Hex, not URL-safe base64: a key (and so its prefix) must never start with "-", which a
    # command line would read as an option (api_token_revoke --prefix).
    key = key or secrets.token_hex(KEY_BYTES)
    token = ApiToken.objects.create(
        council=council,
        name=name,
        key_hash=key_hash(key),
        prefix=key[:8],
        created_at=now(),
        created_by=by,
    )
    record(action="api_token.created", by=by, obj=token, council=council)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = now()
        token.save(update_fields=["revoked_at"])
        record(action="api_token.revoked", by=by, obj=token, council=token.council_id)
    return token
