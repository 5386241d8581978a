"""Front-door teams: the council teams that take front-door requests, each with the routes,
needs and areas it takes and its place in the order the routing tries them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

from carebridge.frontdoor.choices import CarerOutcome, Outcome, TeamRoute
from carebridge.organisations.models import Council, Team

__all__ = ["NEEDS", "FrontDoorTeam", "outward_codes"]

# The needs a team may take: the Care Act outcomes a request can flag, the adult's and the
# carer's (the codes they share, such as nutrition, are one need).
NEEDS: dict[str, str] = {**dict(Outcome.choices), **dict(CarerOutcome.choices)}

_OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")


def outward_codes(value: str) -> list[str]:
    """The postcode districts of a team's setting: outward codes like TF1, in capitals."""
    return value.upper().split()


def _validate_districts(value: str) -> None:
    wrong = [code for code in outward_codes(value) if not _OUTWARD_CODE.match(code)]
    if wrong:
        raise ValidationError(
            "Postcode districts must be outward codes like TF1 or TF10: " + ", ".join(wrong)
        )


def _validate_routes(value: object) -> None:
    if not isinstance(value, list) or any(code not in TeamRoute.values for code in value):
        raise ValidationError("Routes must be among " + ", ".join(TeamRoute.values))


def _validate_needs(value: object) -> None:
    if not isinstance(value, list) or any(code not in NEEDS for code in value):
        raise ValidationError("Needs must be Care Act outcomes")


class FrontDoorTeam(models.Model):
    """A council team that takes front-door requests, and the rules that route a request to it:
    the routes, needs and postcode districts it takes (each one it sets must match), tried in
    its order."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="front_door_teams")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="front_door_routing")
    order = models.PositiveSmallIntegerField(
        default=1, help_text="Teams are tried in this order, lowest first."
    )
    routes = models.JSONField(
        default=list, blank=True, validators=[_validate_routes], help_text="TeamRoute values."
    )
    needs = models.JSONField(
        default=list,
        blank=True,
        validators=[_validate_needs],
        help_text="Care Act outcome codes: a request that flagged one of them matches.",
    )
    districts = models.CharField(
        "Postcode districts",
        max_length=500,
        blank=True,
        validators=[_validate_districts],
        help_text="Outward codes separated by spaces, for example TF1 TF2.",
    )

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "team"], name="front_door_team_once_in_council"
            )
        ]

    def __str__(self) -> str:
        return str(self.team)

    def clean(self) -> None:
        if self.team_id and self.council_id and self.team.council_id != self.council_id:
            raise ValidationError({"team": "Choose one of the council's teams"})

    @property
    def district_list(self) -> list[str]:
        return outward_codes(self.districts)

    @property
    def route_names(self) -> str:
        return ", ".join(TeamRoute(code).label for code in self.routes)

    @property
    def need_names(self) -> str:
        return "; ".join(NEEDS[code] for code in self.needs)

    @property
    def has_rules(self) -> bool:
        """A team with no route, need or area is no rule: only the default reaches it."""
        return bool(self.routes or self.needs or self.districts.strip())
