"""The demo's front door: each council's front door open with its phone and emergency
contacts, and twelve weeks of finished journeys (likely eligible and signposted, adults and
carers, an urgent one, two GP practices' referrals for the mental health and learning
disability teams) with the officers' triage in every state and some feedback, so the queue, the
tracking page and the dashboard have something to show. Each front door has teams with routing
rules (hospital discharge, carers, mental health, learning disability, a locality team per
district, a default duty team), and every request is routed by the routing service as it joins the queue.
Everything goes through the services; only the dates are moved back afterwards, to spread the
history over weeks (with the due times counted again from them)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from carebridge.accounts.models import User
from carebridge.core.permissions import Role
from carebridge.demo.common import Tally
from carebridge.frontdoor.assessment.eligibility import assess
from carebridge.frontdoor.choices import TeamRoute
from carebridge.frontdoor.models import FrontDoorRequest, RequestEvent
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.selectors import office_of
from carebridge.frontdoor.requests.services import routing
from carebridge.frontdoor.requests.services import settings as front_door_settings
from carebridge.frontdoor.requests.waits import decision_wait_us
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, District, Team
from carebridge.people.cld import PrimarySupportReason

FIRST_NAMES = (
    "Edith",
    "Harold",
    "Maureen",
    "Dennis",
    "Joan",
    "Clive",
    "Pauline",
    "Stanley",
    "Irene",
    "Wilfred",
    "Agnes",
    "Trevor",
)
LAST_NAMES = (
    "Ashcombe",
    "Brackley",
    "Colley",
    "Dunmore",
    "Everitt",
    "Fenwick",
    "Garside",
    "Hulme",
    "Ingleby",
    "Jessop",
    "Kershaw",
    "Lomax",
)
ADULT_OUTCOMES = (
    "nutrition",
    "hygiene",
    "toilet",
    "clothing",
    "home_safety",
    "habitable_home",
    "relationships",
    "work",
    "community",
)
DIFFICULTIES = ("needs_help", "pain_distress", "endangers", "takes_longer")
CARER_OUTCOMES = ("habitable_home", "nutrition", "relationships", "work", "community", "recreation")


def _postcode(rng: random.Random, council: Council) -> str:
    districts = District.objects.filter(council=council).exclude(postcode_districts="")
    outward = rng.choice(
        [code for d in districts for code in d.postcode_districts.split()] or ["HX3"]
    )
    return f"{outward} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _answers(
    rng: random.Random,
    council: Council,
    *,
    unmet: int,
    carer: bool = False,
    urgent: bool = False,
    support_need: str = "",
) -> dict[str, Any]:
    # A main support need is a professional's answer: a GP practice's referral gives it.
    asker = (
        "professional" if support_need else rng.choice(("self", "family", "family", "professional"))
    )
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    answers: dict[str, Any] = {
        "asker": asker,
        "about": "carer" if carer else "adult",
        "urgent": ["danger"] if urgent else ["none"],
        "postcode": _postcode(rng, council),
        "person_name": name,
        "person_dob": f"19{rng.randint(28, 60)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "person_phone": "",
        "person_email": f"{name.split()[0].lower()}.{rng.randint(10, 99)}@example.org"
        if asker == "self"
        else "",
        "consent": "yes",
    }
    if asker == "professional":
        # A professional's journey: where they work (a hospital's referral is a discharge, for
        # the hospital discharge team), the person's details and the basis for sharing them.
        hospital = not support_need and rng.random() < 0.5
        answers.update(
            professional_kind="hospital" if hospital else "gp_practice",
            professional_organisation="Hollowmere General Hospital"
            if hospital
            else "Hollowmere Medical Practice",
            professional_role="Discharge coordinator" if hospital else "Practice nurse",
            professional_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            professional_email=f"referrer{rng.randint(10, 99)}@example.org",
            professional_phone="01632 960 5" + f"{rng.randint(10, 99)}",
            referral_name=name,
            referral_dob=answers["person_dob"],
            referral_address=[
                f"{rng.randint(1, 80)} Mill Lane",
                "",
                "Hollowmere",
                answers["postcode"],
            ],
            sharing_basis="consent",
        )
        if support_need:
            answers["primary_support_reason"] = support_need
    if asker != "self":
        answers.update(
            asker_name=f"{rng.choice(FIRST_NAMES)} {name.split()[1]}",
            asker_email=f"helper{rng.randint(10, 99)}@example.org",
            asker_phone="01632 960 4" + f"{rng.randint(10, 99)}",
        )
    if carer:
        chosen = rng.sample(CARER_OUTCOMES, unmet)
        answers.update(
            carer_necessary_care="yes",
            carer_health="yes" if unmet else "no",
            carer_fluctuates="no",
            carer_child_care=["not_applicable"],
            carer_others=["not_applicable"],
            carer_wellbeing=["health", "relationships"],
            carer_significant_impact="yes",
            **{
                f"carer_{code}": [rng.choice(DIFFICULTIES[:3])]
                if code in chosen
                else ["no_difficulty"]
                for code in CARER_OUTCOMES
            },
        )
    else:
        chosen = rng.sample(ADULT_OUTCOMES, unmet)
        answers.update(
            adult_impairment="yes",
            adult_fluctuates=rng.choice(("yes", "no")),
            adult_child_care=["not_applicable"],
            adult_wellbeing=["dignity", "health"],
            adult_significant_impact="yes" if unmet >= 2 else rng.choice(("yes", "no")),
            **{
                f"adult_{code}": [rng.choice(DIFFICULTIES)] if code in chosen else ["no_difficulty"]
                for code in ADULT_OUTCOMES
            },
        )
    return answers


def _backdate(request: FrontDoorRequest, days: float) -> None:
    shift = timedelta(days=days)
    submitted = request.submitted_at - shift
    decided = request.decided_at - shift if request.decided_at else None
    queued = request.queued_at - shift if request.queued_at else None
    FrontDoorRequest.objects.filter(pk=request.pk).update(
        submitted_at=submitted,
        changed_at=request.changed_at - shift,
        queued_at=queued,
        due_at=routing.due_time(queued, office_of(request.council_id)) if queued else None,
        decided_at=decided,
        # The same hours earlier need not be the same office hours: counted again.
        decision_wait_us=decision_wait_us(request.council_id, submitted, decided)
        if decided
        else None,
    )
    for event in RequestEvent.objects.filter(request=request):
        RequestEvent.objects.filter(pk=event.pk).update(at=event.at - shift)


def _submit(rng: random.Random, council: Council, **kinds: Any) -> FrontDoorRequest:
    answers = _answers(rng, council, **kinds)
    request = services.request_submit(
        council=council,
        contact=services.contact_from(answers),
        answers=answers,
        assessment=assess(answers),
    )
    # Routed as it joins the queue (once: a request routed by the submission keeps its team).
    return routing.request_route(request=request)


def _team(council: Council, name: str, kind: str) -> Team:
    found = Team.objects.filter(council=council, name=name).first()
    if found is not None:
        return found
    mailbox = name.lower().replace(" ", "-")
    return organisations.team_create(
        council=council, name=name, kind=kind, email=f"{mailbox}@{council.slug}.example.org"
    )


def _front_door_teams(council: Council) -> None:
    """The teams with their rules: hospital discharge, carers, mental health and learning
    disability (before the locality teams, so their referrals reach them from any area), a
    locality team for each of the council's first two districts, and a duty team that takes
    the rest."""
    order = 0

    def add(team: Team, **rules: Any) -> Any:
        nonlocal order
        order += 1
        return front_door_settings.front_door_team_save(
            council=council,
            by=None,
            team=team,
            order=order,
            routes=rules.get("routes", []),
            needs=rules.get("needs", []),
            districts=rules.get("districts", ""),
        )

    add(
        _team(council, "Hospital discharge team", TeamKind.HOSPITAL),
        routes=[TeamRoute.HOSPITAL_DISCHARGE.value],
    )
    add(_team(council, "Carers support team", TeamKind.DISTRICT), routes=[TeamRoute.CARERS.value])
    add(
        _team(council, "Community mental health team", TeamKind.DISTRICT),
        routes=[TeamRoute.MENTAL_HEALTH.value],
    )
    add(
        _team(council, "Learning disability team", TeamKind.DISTRICT),
        routes=[TeamRoute.LEARNING_DISABILITY.value],
    )
    districts = District.objects.filter(council=council).exclude(postcode_districts="")[:2]
    for district in districts:
        add(
            _team(council, f"{district.name} locality team", TeamKind.DISTRICT),
            routes=[TeamRoute.LOCALITY.value],
            districts=district.postcode_districts,
        )
    duty = add(_team(council, "Front door duty team", TeamKind.FRONT_DOOR))
    front_door_settings.front_door_settings_update(council=council, by=None, default_team=duty)


def demo_front_door(tally: Tally, councils: list[Council]) -> None:
    for index, council in enumerate(councils):
        if FrontDoorRequest.objects.filter(council=council).exists():
            tally.found("front-door requests")
            continue
        services.front_door_settings_update(
            council=council,
            by=None,
            is_open=True,
            contact_phone=council.phone or "01632 960 100",
            contact_hours="Monday to Friday, 9am to 5pm",
            emergency_contacts=f"{council.name} emergency duty team (evenings, weekends and bank holidays): 01632 960 9{index}9",
            out_of_hours_contact=f"{council.name} emergency duty team (evenings, weekends and bank holidays): 01632 960 9{index}9",
        )
        _front_door_teams(council)
        officer = User.objects.filter(council=council, role=Role.FRONT_DOOR_OFFICER).first()
        rng = random.Random(7000 + index)
        made = 0
        # Twelve weeks of history, oldest first: most decided, a share inappropriate.
        for week in range(12, 0, -1):
            for _ in range(rng.randint(3, 7)):
                unmet = rng.choice((0, 1, 1, 2, 3, 4, 5))
                request = _submit(rng, council, unmet=unmet, carer=rng.random() < 0.2)
                made += 1
                if request.route == "queue" and officer is not None:
                    services.request_open(request=request, by=officer)
                    if rng.random() < 0.25:
                        services.request_redirect(
                            request=request,
                            by=officer,
                            to="Community mental health team",
                            text="The community mental health team is best placed to help. Phone 01632 960 555.",
                        )
                        services.request_appropriate_set(
                            request=request, by=officer, appropriate=False
                        )
                    else:
                        services.request_close(
                            request=request,
                            by=officer,
                            text="Assessed: a package of care has been arranged.",
                        )
                        services.request_appropriate_set(
                            request=request, by=officer, appropriate=True
                        )
                    request.refresh_from_db()
                    # Decided a few hours to a few days after it came in.
                    decided = request.submitted_at + timedelta(hours=rng.randint(3, 90))
                    FrontDoorRequest.objects.filter(pk=request.pk).update(
                        decided_at=decided,
                        decision_wait_us=decision_wait_us(
                            council.pk, request.submitted_at, decided
                        ),
                    )
                    request.refresh_from_db()
                _backdate(request, week * 7 - rng.random() * 6)
                if rng.random() < 0.4:
                    services.feedback_give(
                        council=council,
                        rating=rng.choice((3, 4, 4, 5, 5)),
                        comment="",
                        request=request,
                    )
        # This week's queue: one in every state an officer works in.
        _submit(rng, council, unmet=4)
        _submit(rng, council, unmet=3, urgent=True)
        looked_at = _submit(rng, council, unmet=3, carer=True)
        asked = _submit(rng, council, unmet=5)
        signposted = _submit(rng, council, unmet=1)
        # Two GP practices' referrals for the specialist teams.
        _submit(rng, council, unmet=3, support_need=PrimarySupportReason.MENTAL_HEALTH.value)
        _submit(rng, council, unmet=4, support_need=PrimarySupportReason.LEARNING_DISABILITY.value)
        made += 7
        if officer is not None:
            services.request_open(request=looked_at, by=officer)
            services.information_request(
                request=asked,
                by=officer,
                text="Who is the person's GP, and do they have a key safe?",
            )
        routing.request_route(request=services.assessment_ask(request=signposted))
        tally.made("front-door requests", made)
