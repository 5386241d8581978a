"""Token authentication for the API: `Authorization: Bearer <key>` names one council's system, or
one provider's (acting with the rights of the Super User who made its token)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework import authentication, exceptions

from carebridge.core.calendar import now
from carebridge.integrations.models import ApiToken
from carebridge.integrations.services import key_hash
from carebridge.organisations.models import Council, Provider

if TYPE_CHECKING:
    from carebridge.accounts.models import User

# Writing last_used_at on every call would make every read a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling: a council's system or a provider's, through one of its tokens."""

    token: ApiToken

    is_authenticated = True

    @property
    def council(self) -> Council:
        """The council whose system calls; only for a council's token (CouncilApiView)."""
        assert self.token.council is not None, "a provider's token has no council"
        return self.token.council

    @property
    def provider(self) -> Provider:
        """The provider whose system calls; only for a provider's token (ProviderApiView)."""
        assert self.token.provider is not None, "a council's token has no provider"
        return self.token.provider

    @property
    def user(self) -> User | None:
        """Whose rights a provider's token acts with: the Super User who made it."""
        return self.token.created_by

    @property
    def label(self) -> str:
        return f"{self.token.name} (API)"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`; a missing header is 401 (the views need a caller)."""

    keyword = "Bearer"

    def authenticate(self, request: HttpRequest) -> tuple[ApiCaller, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in {b"bearer", b"token"}:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the key after Bearer, with no spaces.")
        try:
            key = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed("The key is not valid.") from error
        token = (
            ApiToken.objects.select_related("council__rulebook", "provider", "created_by")
            .filter(key_hash=key_hash(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("The key is not valid, or has been revoked.")
        moment = now()
        if token.last_used_at is None or moment - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
        return ApiCaller(token), token

    def authenticate_header(self, request: HttpRequest) -> str:
        return self.keyword
