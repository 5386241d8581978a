"""The access matrix's front-door part: the other council's officer pages (a request and its
triage steps, hubs, slots, bookings, the directory) and its front-door team with its routing
rules. Only that council's front-door officers may open or change them; the team's name must
never show on our pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from carebridge.frontdoor.models import FrontDoorTeam
from carebridge.frontdoor.requests.services import settings as front_door_settings
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import TeamKind
from tests.access_entry import Entry

if TYPE_CHECKING:
    from tests.access_matrix import World

NAME = "Quillinghurst Carers Crew"
MARKERS = [NAME]


def build_frontdoor_teams(world: World) -> None:
    """The other council's front-door team, for the matrix's world."""
    team = organisations.team_create(
        council=world.other_council, name=NAME, kind=TeamKind.DISTRICT, email="crew@example.org"
    )
    front_door_settings.front_door_team_save(
        council=world.other_council,
        by=None,
        team=team,
        order=1,
        routes=["carers"],
        needs=[],
        districts="QX1",
    )


def _row(world: World) -> dict[str, int]:
    return {"pk": FrontDoorTeam.objects.get(council=world.other_council, team__name=NAME).pk}


REGISTRY: dict[str, Entry] = {
    "frontdoor:request_detail": Entry(
        kwargs=lambda w: {"pk": w.other_request.pk}, owner=lambda w: w.other_front_door_officer
    ),
    "frontdoor:request_step": Entry(
        kwargs=lambda w: {"pk": w.other_request.pk, "step": "note"},
        owner=lambda w: w.other_front_door_officer,
    ),
    **{
        f"frontdoor:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_hub.pk}, owner=lambda w: w.other_front_door_officer
        )
        for name in ("hub_detail", "hub_edit", "slots_publish")
    },
    "frontdoor:directory_service": Entry(
        kwargs=lambda w: {"pk": w.other_directory_service.pk},
        owner=lambda w: w.other_front_door_officer,
    ),
    "frontdoor:directory_import": Entry(
        kwargs=lambda w: {"pk": w.other_directory_import.pk},
        owner=lambda w: w.other_front_door_officer,
    ),
    **{
        f"frontdoor:{name}": Entry(
            kwargs=lambda w: {"pk": w.other_neighbour.pk},
            owner=lambda w: w.other_front_door_officer,
        )
        for name in ("neighbour_edit", "neighbour_remove")
    },
    "frontdoor:slot_withdraw": Entry(
        kwargs=lambda w: {"pk": w.other_slot.pk}, owner=lambda w: w.other_front_door_officer
    ),
    "frontdoor:booking_cancel": Entry(
        kwargs=lambda w: {"pk": w.other_booking.pk}, owner=lambda w: w.other_front_door_officer
    ),
    **{
        name: Entry(kwargs=_row, owner=lambda w: w.other_front_door_officer)
        for name in ("frontdoor:team_edit", "frontdoor:team_remove")
    },
}
