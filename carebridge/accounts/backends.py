from django.contrib.auth.backends import BaseBackend

from carebridge.accounts.models import User


class EmailBackend(BaseBackend):
    """Loads users for the session only: a password alone never logs anyone in here.

    Log-in goes through accounts.services step by step; BaseBackend.authenticate answers None.
    """

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("council", "provider").filter(pk=user_id).first()
        if user is None or not user.is_active or user.is_locked or user.is_suspended:
            return None
        return user
