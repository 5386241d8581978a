"""The filters of the user accounts list."""

from __future__ import annotations

from django.db import models

from carebridge.accounts.models import User
from carebridge.core.lists import ChoiceFilter, ListFilterSet, SearchFilter

# The accounts in each state the list can show ("All accounts" is the blank choice).
STATUSES: dict[str, tuple[str, models.Q]] = {
    "locked": ("Locked accounts", models.Q(locked_at__isnull=False)),
    "suspended": ("Suspended accounts", models.Q(suspended_at__isnull=False)),
    "closed": ("Closed accounts", models.Q(is_active=False)),
}


class UserFilters(ListFilterSet):
    """The accounts in a state (locked, suspended, closed), and those matching every word
    searched for in the name, e-mail address or provider."""

    status = ChoiceFilter(
        choices=[("", "All accounts"), *((key, label) for key, (label, _q) in STATUSES.items())],
        method="filter_status",
    )
    q = SearchFilter(max_length=100, strip=False, method="filter_search")

    def filter_status(
        self, users: models.QuerySet[User], name: str, value: str
    ) -> models.QuerySet[User]:
        _label, accounts_in_it = STATUSES[value]
        return users.filter(accounts_in_it)

    def filter_search(
        self, users: models.QuerySet[User], name: str, value: str
    ) -> models.QuerySet[User]:
        for word in value.split():
            users = users.filter(
                models.Q(first_name__icontains=word)
                | models.Q(last_name__icontains=word)
                | models.Q(email__icontains=word)
                | models.Q(provider__name__icontains=word)
            )
        return users
