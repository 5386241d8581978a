"""Which council a user is looking at. A council's staff look at their own council. A provider
that works for several councils looks at all of them (each row naming its council) or chooses
one from any page (`views/focus.py`); its choice is kept in the session, and the pages that list
work narrow to it and say whose rules they show. A provider of one council always looks at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, QueryDict

from carebridge.core.bounds import parse_id
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
        """The councils whose work and rules the pages show, each with its rulebook: read here,
        for all of them in one query, when a page first asks (the header shows the councils'
        names only, so every page would otherwise read every rulebook for nothing)."""
        councils = (self.chosen,) if self.chosen is not None else self.councils
        prefetch_related_objects(list(councils), "rulebook")
        return councils

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
    councils = tuple(councils_of_provider(user.provider_id).order_by("name", "pk"))
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
    """The queryset's rows of the council a provider of several chose to look at, if it chose
    one. A council's staff are already scoped to their council by their selectors, and a
    provider of one council sees only that council's rows anyway."""
    return narrow_to(queryset, chosen_council_id(request), field)


def chosen_council_id(request: HttpRequest) -> int | None:
    """The council a provider chose to look at, for a list's council filter's starting value."""
    chosen = chosen_council(request)
    return chosen.pk if chosen is not None else None


def chosen_council(request: HttpRequest) -> Council | None:
    """The council a provider of several chose to look at; None when it looks at all of them,
    works for one council only, or the user is a council's (already scoped to it)."""
    if SESSION_KEY not in request.session:
        # Nothing chosen: None whatever councils the user works with, so none are read here.
        # A council kept in the session is always checked against the user's councils below,
        # so one the provider no longer works with is never used.
        return None
    focus = focus_of(request)
    if getattr(request.user, "provider_id", None) is None or not focus.can_switch:
        return None
    return focus.chosen


def filter_data(request: HttpRequest, key: str = "council") -> QueryDict:
    """The list's query string, its council filter (`key`) starting at the chosen council when
    the query string names none. A council named in the query string is explicit and stays,
    and so does an empty one ("All councils" chosen in the filter)."""
    data = request.GET.copy()
    chosen = chosen_council_id(request)
    if chosen is not None and key not in data:
        data[key] = str(chosen)
    return data


def names_a_stranger(request: HttpRequest, key: str = "council") -> bool:
    """The query string's council filter names a council a provider does not work with (a
    tampered id): the list then shows nothing, rather than ignoring the filter."""
    if getattr(request.user, "provider_id", None) is None:
        return False
    value = parse_id(request.GET.get(key))
    return value is not None and value not in {c.pk for c in focus_of(request).councils}


def narrow_to(queryset: Q, council_id: int | None, field: str = "council") -> Q:
    """The rows of one council (None: all of them), for selectors given the chosen council."""
    if council_id is None:
        return queryset
    lookup = field if field.endswith("_id") else f"{field}_id"
    return queryset.filter(**{lookup: council_id})
