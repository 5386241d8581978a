"""The demo's hubs: three invented hubs for a council, each with its appointment times over the
next three weeks, and a few bookings (one from a front-door request when the council has any,
one the council had to cancel). Everything through the services; running it again finds the
hubs there and makes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from carebridge.accounts.models import User
from carebridge.core import calendar
from carebridge.core.calendar import now
from carebridge.core.permissions import Role
from carebridge.frontdoor.hubs import services
from carebridge.frontdoor.hubs.selectors import free_slots
from carebridge.frontdoor.models import FrontDoorRequest, Hub
from carebridge.organisations.models import Council, District


@dataclass(frozen=True)
class DemoHub:
    name: str
    address_line_1: str
    inward: str
    phone: str
    opening_notes: str
    access_notes: str
    weekdays: frozenset[int]
    start: time
    end: time
    length: int


HUBS = (
    DemoHub(
        name="Brookfield Community Hub",
        address_line_1="2 Brookfield Parade",
        inward="2HQ",
        phone="01632 960 411",
        opening_notes="Monday to Friday, 9am to 5pm",
        access_notes="Step-free access from the car park at the back. Hearing loop at "
        "reception. Two disabled parking bays.",
        weekdays=frozenset({0, 1, 2, 3, 4}),
        start=time(9, 30),
        end=time(16, 0),
        length=30,
    ),
    DemoHub(
        name="Marsh Lane Library",
        address_line_1="Marsh Lane Library, 41 Marsh Lane",
        inward="4LB",
        phone="01632 960 427",
        opening_notes="Tuesday and Thursday, 10am to 3pm",
        access_notes="Appointments in the quiet room on the ground floor. Step-free entrance "
        "on Marsh Lane; buses 12 and 14 stop outside.",
        weekdays=frozenset({1, 3}),
        start=time(10, 0),
        end=time(15, 0),
        length=45,
    ),
    DemoHub(
        name="Old Station Wellbeing Centre",
        address_line_1="The Old Station, Station Approach",
        inward="7DX",
        phone="01632 960 438",
        opening_notes="Monday and Wednesday afternoons, 1pm to 5pm",
        access_notes="First-floor rooms reached by a lift. Free parking for an hour.",
        weekdays=frozenset({0, 2}),
        start=time(13, 0),
        end=time(17, 0),
        length=60,
    ),
)

# Invented people, with Ofcom's drama numbers and example.org addresses.
BOOKERS = (
    (
        "Marjorie Pennington",
        "marjorie.pennington@example.org",
        "01632 960 512",
        "Help at home after my husband's stroke",
    ),
    (
        "Desmond Ashworth",
        "desmond.ashworth@example.org",
        "01632 960 527",
        "Support as a carer for my mother",
    ),
    ("Ffion Treharne", "ffion.treharne@example.org", "", "Getting out and about again"),
    ("Kwame Boateng", "kwame.boateng@example.org", "01632 960 544", ""),
)


def _postcode(council: Council, index: int, inward: str) -> tuple[str, str]:
    """A postcode in one of the council's districts, and the district's name as the town."""
    districts = [
        d for d in District.objects.filter(council=council).order_by("name") if d.postcode_districts
    ]
    if not districts:
        return f"ZZ99 {inward}", council.name.replace(" Council", "")
    district = districts[index % len(districts)]
    return f"{district.postcode_districts.split()[0]} {inward}", district.name


def hubs_demo(council: Council, *, by: User | None = None) -> list[Hub]:
    """Make the council's demo hubs, their times and bookings; the hubs already there when it
    has some. `by`: a front-door officer of the council (the first one when not given)."""
    existing = list(Hub.objects.filter(council=council))
    if existing:
        return existing
    officer = by or User.objects.filter(council=council, role=Role.FRONT_DOOR_OFFICER).first()
    if officer is None:
        return []
    today = calendar.today()
    hubs = []
    for index, plan in enumerate(HUBS):
        postcode, town = _postcode(council, index, plan.inward)
        hub = services.hub_create(
            council=council,
            by=officer,
            name=plan.name,
            address_line_1=plan.address_line_1,
            town=town,
            postcode=postcode,
            phone=plan.phone,
            email=f"hubs+{index + 1}@example.org",
            opening_notes=plan.opening_notes,
            access_notes=plan.access_notes,
        )
        services.slots_publish(
            hub=hub,
            first_day=today + timedelta(days=1),
            last_day=today + timedelta(days=21),
            weekdays=plan.weekdays,
            start_time=plan.start,
            end_time=plan.end,
            length_minutes=plan.length,
            by=officer,
        )
        hubs.append(hub)

    # A few bookings at the first hub: confirmed ones (the first from a request, when there is
    # one), and one the council had to cancel.
    request = FrontDoorRequest.objects.filter(council=council).order_by("-submitted_at").first()
    slots = list(free_slots(hubs[0], moment=now())[:12:3])
    for number, (slot, (name, email, phone, about)) in enumerate(zip(slots, BOOKERS, strict=False)):
        booking = services.booking_hold(
            slot=slot,
            name=name,
            email=email,
            phone=phone,
            about=about,
            request=request if number == 0 else None,
        )
        services.booking_confirm(booking=booking)
        if number == len(BOOKERS) - 1:
            services.booking_cancel(
                booking=booking,
                by=officer,
                reason="The hub is closed that afternoon for a power cut. Sorry: please book "
                "another time.",
            )
    return hubs
