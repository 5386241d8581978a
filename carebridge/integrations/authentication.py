"""Token authentication for the API: `Authorization: Bearer <key>` names one council's system."""

from dataclasses import dataclass
from datetime import timedelta

from django.http import HttpRequest
from rest_framework import authentication, exceptions

from carebridge.core.calendar import now
from carebridge.integrations.models import ApiToken
from carebridge.integrations.services import key_hash
from carebridge.organisations.models import Council

# Writing last_used_at on every call would make every read a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling: a council's system, through one of its tokens."""

    token: ApiToken

    is_authenticated = True

    @property
    def council(self) -> Council:
        return self.token.council

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
            ApiToken.objects.select_related("council__rulebook")
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
