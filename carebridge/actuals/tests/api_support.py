"""What the provider API's tests share: a provider's key made by its Super User through the
keys page's service, a council's key, and a client that sends one."""

from __future__ import annotations

from rest_framework.test import APIClient

from carebridge.accounts.models import User
from carebridge.integrations.services import api_token_create
from carebridge.organisations.models import Council


def provider_key(user: User, name: str = "Roster") -> str:
    """A key of the user's provider, made by the user (one of its Super Users)."""
    assert user.provider is not None
    _token, key = api_token_create(name=name, by=user, provider=user.provider)
    return key


def council_key(council: Council) -> str:
    _token, key = api_token_create(name="Case management", by=None, council=council)
    return key


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client
