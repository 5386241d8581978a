"""Writes of API tokens. A token's key is shown once, when it is made, and only its hash is kept.

A council's tokens are made from the command line (`api_token_create`); a provider's by one of its
Super Users on the provider's API keys page, and each acts with its maker's rights
(`api.ProviderApiView`)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac

from carebridge.audit.services import record
from carebridge.core.bounds import refuse_control_characters
from carebridge.core.calendar import now
from carebridge.core.idempotency import create_once
from carebridge.core.permissions import Function, can_edit
from carebridge.integrations.models import ApiToken
from carebridge.organisations.models import Council, Provider

if TYPE_CHECKING:
    from carebridge.accounts.models import User

KEY_BYTES = 32
NAME_MAX = 100
# What a Super User's "Make key" claims its form token for (core.idempotency).
API_TOKEN_CREATE = "integrations.api_token_create"  # noqa: S105 (a purpose, not a secret)
# A repeat of the same form within this long (a double click, a resend after a dropped answer)
# shows the key again: the browser shows the repeat's answer, not the first one's. Later, the
# key is not shown again, as after any other page.
SHOW_AGAIN_WITHIN = timedelta(minutes=10)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def may_manage_keys(user: User, provider_id: int) -> bool:
    """Whether the user may make and revoke the provider's keys: an active Super User of it."""
    return (
        user.is_active
        and user.provider_id is not None
        and user.provider_id == provider_id
        and can_edit(user.role, Function.API_KEYS)
    )


def _require_manager(by: User | None, provider: Provider | int) -> None:
    provider_id = provider if isinstance(provider, int) else provider.pk
    if by is None or not may_manage_keys(by, provider_id):
        raise PermissionError("Only the provider's Super Users may make or revoke its API keys.")


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the name of the system that will use the key"})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"Name must be {NAME_MAX} characters or fewer"})
    try:
        refuse_control_characters(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    return name


def _key_for(idempotency_key: str) -> str:
    """The key a form's submission makes, the same on every repeat of that submission, so a
    double click can show the key the first click made (only its hash is stored). It is drawn
    from the form token's random part (128 bits, never stored) and the site's secret."""
    return salted_hmac(API_TOKEN_CREATE, idempotency_key, algorithm="sha256").hexdigest()


@transaction.atomic
def api_token_create(
    *,
    name: str,
    by: User | None,
    council: Council | None = None,
    provider: Provider | None = None,
    key: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token for one of a council's systems, or (made by one of its Super Users) a
    provider's; returns it and its key, which is never stored.

    With `idempotency_key` (the page's form token), a repeat makes nothing and returns the first
    token with the same key; or with "" when the repeat comes too late to show the key again
    (SHOW_AGAIN_WITHIN), or the token has been revoked since."""
    if (council is None) == (provider is None):
        raise ValueError("A token is a council's or a provider's: give exactly one.")
    if provider is not None:
        _require_manager(by, provider)
        name = _clean_name(name)
    # Hex, not URL-safe base64: a key (and so its prefix) must never start with "-", which a
    # command line would read as an option (api_token_revoke --prefix).
    chosen = key or (_key_for(idempotency_key) if idempotency_key else secrets.token_hex(KEY_BYTES))

    def create() -> ApiToken:
        token = ApiToken.objects.create(
            council=council,
            provider=provider,
            name=name,
            key_hash=key_hash(chosen),
            prefix=chosen[:8],
            created_at=now(),
            created_by=by,
        )
        record(
            action="api_token.created",
            by=by,
            obj=token,
            council=council,
            provider=provider,
            detail={"name": token.name, "prefix": token.prefix},
        )
        return token

    token, created = create_once(
        key=idempotency_key,
        purpose=API_TOKEN_CREATE,
        create=create,
        find=lambda pk: ApiToken.objects.filter(
            pk=pk, council=council, provider=provider, created_by=by
        ).first(),
    )
    if created:
        return token, chosen
    fresh = token.revoked_at is None and now() - token.created_at <= SHOW_AGAIN_WITHIN
    return token, chosen if fresh and token.key_hash == key_hash(chosen) else ""


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    """Calls with the token are refused from now on. A provider's token is revoked by one of the
    provider's Super Users; a council's from the command line. A repeat changes nothing."""
    if token.provider_id is not None:
        _require_manager(by, token.provider_id)
    current = ApiToken.objects.select_for_update().get(pk=token.pk)
    if current.revoked_at is None:
        current.revoked_at = now()
        current.save(update_fields=["revoked_at"])
        record(
            action="api_token.revoked",
            by=by,
            obj=current,
            council=current.council_id,
            provider=current.provider_id,
            detail={"name": current.name, "prefix": current.prefix},
        )
    token.revoked_at = current.revoked_at
    return current
