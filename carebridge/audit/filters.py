"""The filters of the audit log."""

from __future__ import annotations

from carebridge.core.lists import ListFilterSet, SearchFilter


class EventFilters(ListFilterSet):
    """The events whose action starts with the words given (`referral.`, `user.login`)."""

    action = SearchFilter(max_length=100, strip=False, lookup_expr="startswith")
