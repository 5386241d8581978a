"""The filters of the actions inbox (the provider's, or the council team's)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from carebridge.accounts.models import User
from carebridge.actions.choices import ActionStatus
from carebridge.actions.models import Action
from carebridge.actions.selectors import assigned_choices, types_of
from carebridge.core.bounds import parse_id
from carebridge.core.labels import council_labelled
from carebridge.core.lists import CheckboxFilter, ChoiceFilter, IdChoiceFilter, ListFilterSet

# What the inbox shows before anyone filters it, and whenever a filter is not valid.
INBOX_DEFAULTS: dict[str, Any] = {"open_only": True, "assigned": "", "action_type": None}


class InboxFilters(ListFilterSet):
    """The filters above the inbox, as the guides have them: open actions only, who the action
    waits for (the provider, the council or one of its teams) and its type. Until one of them is
    in the query string the inbox shows the open actions, a council officer's starting at their
    team's; one value that is not valid shows the open actions of everyone."""

    open_only = CheckboxFilter(label="Open actions only", method="filter_open_only")
    assigned = ChoiceFilter(label="Assigned to", method="filter_assigned")
    action_type = IdChoiceFilter(label="Type", field_name="action_type_id")

    def __init__(self, data: Any, queryset: QuerySet[Action], *, user: User) -> None:
        # Always bound: with no filters in the query string, the defaults still filter.
        super().__init__(data if data is not None else {}, queryset)
        self.set_choices("assigned", assigned_choices(user))
        # A provider of several councils sees each council's types, often named alike.
        labelled = council_labelled((t.pk, t.name, t.council.name) for t in types_of(user))
        self.set_choices("action_type", [("", "Any"), *labelled])
        self.user = user

    def chosen(self) -> dict[str, Any]:
        """The filters the user chose; the defaults (open actions, any) when there are none or
        they are not valid."""
        if not any(name in self.data for name in self.filters):
            if self.user.council_id is not None and self.user.team_id is not None:
                # A council officer's inbox starts at their team's actions.
                return {**INBOX_DEFAULTS, "assigned": str(self.user.team_id)}
            return dict(INBOX_DEFAULTS)
        form = self.form
        if not form.is_valid():
            return dict(INBOX_DEFAULTS)
        data = form.cleaned_data
        return {
            "open_only": data["open_only"],
            "assigned": data["assigned"] or "",
            "action_type": data["action_type"],
        }

    def filter_open_only(
        self, actions: QuerySet[Action], name: str, value: bool
    ) -> QuerySet[Action]:
        return actions.filter(status=ActionStatus.OPEN) if value else actions

    def filter_assigned(self, actions: QuerySet[Action], name: str, value: str) -> QuerySet[Action]:
        if value == "provider":
            return actions.filter(assigned_team__isnull=True)
        if value == "council":
            return actions.filter(assigned_team__isnull=False)
        if (team_id := parse_id(value)) is not None:
            return actions.filter(assigned_team_id=team_id)
        return actions
