"""Reading the audit log, always within what the acting user's organisation may see."""

from typing import TYPE_CHECKING

from django.db import models

from carebridge.audit.models import Event

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def events_visible_to(user: "User") -> models.QuerySet[Event]:
    """The events of the user's own organisation: a council's log, or a provider's. A council's
    event kept for one kind of team (a safeguarding concern's) shows to that team's staff only."""
    if user.council_id is not None:
        team = user.team
        readable = models.Q(team_kind="")
        if team is not None:
            readable |= models.Q(team_kind=team.kind)
        return Event.objects.filter(readable, council_id=user.council_id)
    if user.provider_id is not None:
        return Event.objects.filter(provider_id=user.provider_id)
    return Event.objects.none()


def history_of(obj: models.Model) -> models.QuerySet[Event]:
    """Every event about one record, oldest first: the record's history."""
    return Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by(
        "at", "id"
    )
