"""Building blocks for the routing tests: council teams, their front-door rules, and requests
routed as the submission routes them."""

from __future__ import annotations

from typing import Any

from carebridge.accounts.models import User
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorTeam
from carebridge.frontdoor.requests.services import routing
from carebridge.frontdoor.requests.services import settings as fd_settings
from carebridge.frontdoor.tests.support_requests import likely_answers, submit
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, Team


def make_team(council: Council, name: str, email: str = "") -> Team:
    slug = name.lower().replace(" ", ".")
    return organisations.team_create(
        council=council, name=name, kind=TeamKind.DISTRICT, email=email or f"{slug}@example.org"
    )


def rules(
    council: Council,
    team: Team,
    *,
    order: int,
    routes: tuple[str, ...] = (),
    needs: tuple[str, ...] = (),
    districts: str = "",
    by: User | None = None,
) -> FrontDoorTeam:
    return fd_settings.front_door_team_save(
        council=council,
        by=by,
        team=team,
        order=order,
        routes=list(routes),
        needs=list(needs),
        districts=districts,
    )


def routed(council: Council, answers: dict[str, Any] | None = None) -> FrontDoorRequest:
    """A finished journey sent to the council, routed as it joins the queue."""
    request = submit(council, answers or likely_answers())
    return routing.request_route(request=request)


def carer_answers(**overrides: Any) -> dict[str, Any]:
    """A carer who cannot keep up their relationships while caring: likely eligible."""
    answers = {
        key: value for key, value in likely_answers().items() if not key.startswith("adult_")
    }
    answers.update(
        {
            "about": "carer",
            "carer_necessary_care": "yes",
            "carer_health": "no",
            "carer_fluctuates": "no",
            "carer_significant_impact": "yes",
            **{
                f"carer_{code}": ["no_difficulty"]
                for code in (
                    "child_care",
                    "others",
                    "habitable_home",
                    "nutrition",
                    "work",
                    "community",
                    "recreation",
                )
            },
            "carer_relationships": ["needs_help"],
            "carer_wellbeing": ["health"],
        }
    )
    answers.update(overrides)
    return answers
