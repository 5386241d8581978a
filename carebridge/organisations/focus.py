"""Which council a user is looking at. A council's staff look at their own council. A provider
that works for several councils looks at all of them (each row naming its council) or chooses
one from any page (`views/focus.py`); its choice is kept in the session, and the pages that list
work narrow to it and say whose rules they show. A provider of one council always looks at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.http import HttpRequest

from carebridge.organisations.models import Council
from carebridge.organisations.selectors import councils_of_provider

if TYPE_CHECKING:
    from carebridge.accounts.models import User

SESSION_KEY = "council_focus"
_ON_REQUEST = "_council_focus"

Q = TypeVar("Q", bound=models.QuerySet)


@dataclass(frozen=True)
class Focus:
    # Every council the user works with, by name.
    councils: tuple[Council, ...]
    # The one chosen, or None for all of them (a provider of several that has not chosen).
    chosen: Council | None

    @property
    def in_view(self) -> tuple[Council, ...]:
        """The councils whose work and rules the pages show."""
        return (self.chosen,) if self.chosen is not None else self.councils

    @property
    def can_switch(self) -> bool:
        return len(self.councils) > 1


def focus_of(request: HttpRequest) -> Focus:
    """The acting user's focus, worked out once per request (one query for a provider)."""
    cached = getattr(request, _ON_REQUEST, None)
    if cached is not None:
        return cached
    focus = _focus(request.user, request.session.get(SESSION_KEY))  # type: ignore[arg-type]
    setattr(request, _ON_REQUEST, focus)
    return focus


def _focus(user: User, chosen_pk: object) -> Focus:
    if not getattr(user, "is_authenticated", False):
        return Focus((), None)
    if user.council is not None:
        return Focus((user.council,), user.council)
    assert user.provider_id is not None  # a user is a council's or a provider's
    councils = tuple(
        councils_of_provider(user.provider_id).select_related("rulebook").order_by("name", "pk")
    )
    if len(councils) == 1:
        return Focus(councils, councils[0])
    chosen = next((c for c in councils if c.pk == chosen_pk), None)
    return Focus(councils, chosen)


def choose(request: HttpRequest, council_pk: int | None) -> Focus:
    """Look at one council (None: all of them). Refuses a council the user does not work with."""
    focus = focus_of(request)
    if council_pk is not None and council_pk not in {c.pk for c in focus.councils}:
        raise ValueError("Not a council this user works with")
    if council_pk is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = council_pk
    setattr(request, _ON_REQUEST, None)
    return focus_of(request)


def narrow(queryset: Q, request: HttpRequest, field: str = "council") -> Q:
    """The queryset's rows of the council a provider is looking at, if it chose one. A council's
    staff are already scoped to their council by their selectors, so nothing changes for them."""
    focus = focus_of(request)
    user = request.user
    if getattr(user, "provider_id", None) is None or focus.chosen is None:
        return queryset
    lookup = field if field.endswith("_id") else f"{field}_id"
    return queryset.filter(**{lookup: focus.chosen.pk})


def chosen_council_id(request: HttpRequest) -> int | None:
    """The council a provider chose to look at, for a list's council filter's starting value."""
    focus = focus_of(request)
    if getattr(request.user, "provider_id", None) is None or not focus.can_switch:
        return None
    return focus.chosen.pk if focus.chosen is not None else None
