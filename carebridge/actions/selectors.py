"""Reads of actions: who may see which, the inbox and its filters' choices, and the header's
indicator.

A provider sees the actions between it and its councils. A council user sees the council's
actions, except safeguarding concerns, which only the council's safeguarding team reads (and
the provider that raised them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from carebridge.accounts.models import User
from carebridge.actions.choices import ActionStatus, RelatedKind
from carebridge.actions.models import Action, ActionType
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.core import calendar
from carebridge.core.permissions import Function, can_view
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Contract, Council, Service, Team
from carebridge.people.models import ServiceUser


def is_safeguarding_reader(user: User) -> bool:
    team = user.team
    return team is not None and team.kind == TeamKind.SAFEGUARDING


def actions_visible_to(user: User) -> QuerySet[Action]:
    if not can_view(user.role, Function.ACTIONS):
        return Action.objects.none()
    if user.provider_id is not None:
        return Action.objects.filter(provider_id=user.provider_id)
    if user.council_id is not None:
        actions = Action.objects.filter(council_id=user.council_id)
        if not is_safeguarding_reader(user):
            actions = actions.filter(is_safeguarding=False)
        return actions
    return Action.objects.none()


def councils_of(user: User) -> list[Council]:
    """The councils an action can be raised with: the provider's, or the user's own."""
    if user.council_id is not None:
        return list(Council.objects.filter(pk=user.council_id))
    if user.provider_id is None:
        return []
    return list(Council.objects.filter(contracts__provider_id=user.provider_id).distinct())


def types_for(user: User, council: Council) -> list[ActionType]:
    return list(
        ActionType.objects.filter(council=council, is_active=True).select_related(
            "default_team", "council"
        )
    )


def teams_for(user: User, council: Council) -> list[Team]:
    """The teams the user may assign an action to: providers never the internal-only ones."""
    teams = Team.objects.filter(council=council)
    if user.provider_id is not None:
        teams = teams.filter(internal_only=False)
    return list(teams.order_by("name"))


def types_of(user: User) -> list[ActionType]:
    """The types of every council the user's actions are with (the inbox's "Type" filter)."""
    types = []
    for council in councils_of(user):
        types += types_for(user, council)
    return types


def assigned_choices(user: User) -> list[tuple[str, str]]:
    """The inbox's "Assigned to" filter: the provider's side or the council's; for a council
    user, the providers, the user's own team first, or any other team of the council."""
    if user.council_id is None:
        return [("", "Any"), ("provider", "Provider"), ("council", "Council")]
    choices = [("", "Any")]
    teams = list(Team.objects.filter(council_id=user.council_id).order_by("name"))
    mine = next((t for t in teams if t.pk == user.team_id), None)
    if mine is not None:
        choices.append((str(mine.pk), f"My team ({mine.name})"))
    choices.append(("provider", "Providers"))
    choices += [(str(t.pk), t.name) for t in teams if t.pk != user.team_id]
    return choices


def related_choices(user: User, council: Council, provider_id: int, kind: str) -> QuerySet[Any]:
    """What an action of this kind may be about: only the provider's own things with the
    council (a provider never sees another provider's clients here)."""
    if kind == RelatedKind.CLIENT:
        return (
            ServiceUser.objects.filter(council=council, cplis__provider_id=provider_id)
            .distinct()
            .order_by("last_name", "first_name")
        )
    if kind == RelatedKind.CONTRACT:
        return Contract.objects.filter(council=council, provider_id=provider_id)
    if kind == RelatedKind.SERVICE:
        return Service.objects.filter(provider_id=provider_id).order_by("name")
    if kind == RelatedKind.CPLI:
        return Cpli.objects.filter(council=council, provider_id=provider_id).select_related(
            "service_user", "service_level"
        )
    if kind == RelatedKind.CONTRACT_DOCUMENT:
        return ContractDocument.objects.filter(council=council, provider_id=provider_id)
    if kind == RelatedKind.CONTACT:
        return User.objects.filter(provider_id=provider_id, is_active=True).order_by("last_name")
    return User.objects.none()


# What the inbox shows of each action: its type, team, organisations and what it is about.
INBOX_RELATED = (
    "action_type",
    "assigned_team",
    "provider",
    "council",
    "service_user",
    "service",
    "cpli__service_user",
    "contract",
    "contract_document",
    "contact",
)


def inbox(user: User) -> QuerySet[Action]:
    """The actions the user sees, newest post first, for the inbox's filters to narrow
    (actions.filters.InboxFilters); without their related rows, which inbox_rows loads for one
    page (a twelve-table join over every match costs PostgreSQL more to plan and sort than to
    run)."""
    return actions_visible_to(user).order_by("-last_post_at", "-pk")


def inbox_rows(ids: list[int]) -> list[Action]:
    """One page of the inbox, in the page's order, with what each row shows."""
    loaded = Action.objects.filter(pk__in=ids).select_related(*INBOX_RELATED).in_bulk()
    return [loaded[pk] for pk in ids if pk in loaded]


@dataclass(frozen=True)
class Indicator:
    """The header's megaphone: amber with open actions waiting for us, red when one is late."""

    waiting: int
    overdue: int

    @property
    def colour(self) -> str:
        return "red" if self.overdue else "amber" if self.waiting else ""


def waiting_for(user: User) -> QuerySet[Action]:
    """Open actions waiting for the user's side: the provider's, or the user's team's."""
    actions = actions_visible_to(user).filter(status=ActionStatus.OPEN)
    if user.provider_id is not None:
        return actions.filter(assigned_team__isnull=True)
    if user.team_id is not None:
        return actions.filter(assigned_team_id=user.team_id)
    return actions.none()


def indicator_for(user: User) -> Indicator:
    today: date = calendar.today()
    actions = waiting_for(user)
    counts = actions.aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    return Indicator(waiting=counts["waiting"], overdue=counts["overdue"])
