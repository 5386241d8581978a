from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from carebridge.accounts.models import User


class EmailBackend(ModelBackend):
    """Loads users for the session. Log-in itself goes through accounts.services, step by step."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> None:
        # Never used to log in: a password alone is not enough here.
        return None

    def get_user(self, user_id: int) -> User | None:  # type: ignore[override]
        user = User.objects.select_related("council", "provider").filter(pk=user_id).first()
        if user is None or not user.is_active or user.is_locked or user.is_suspended:
            return None
        return user
