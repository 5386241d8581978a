"""The front door's fixed vocabularies: who asks, about whom, the Care Act outcomes and how a
request moves through the council's queue."""

from django.db import models

from carebridge.core.lifecycle import Lifecycle


class Asker(models.TextChoices):
    """Who fills in the front door."""

    SELF = "self", "I need care and support myself"
    FAMILY = "family", "A family member, friend or unpaid carer of the person"
    PROFESSIONAL = "professional", "A professional (for example a GP, nurse or housing officer)"


class About(models.TextChoices):
    """Whose needs the request is about: the two sets of eligibility criteria."""

    ADULT = "adult", "An adult who needs care and support"
    CARER = "carer", "A carer who needs support with caring"


class Outcome(models.TextChoices):
    """The ten outcomes of regulation 2(2) of SI 2015/313, in its words. The directory maps
    its taxonomy terms to these, so signposting matches the needs answered."""

    NUTRITION = "nutrition", "Managing and maintaining nutrition"
    HYGIENE = "hygiene", "Maintaining personal hygiene"
    TOILET = "toilet", "Managing toilet needs"
    CLOTHING = "clothing", "Being appropriately clothed"
    HOME_SAFETY = "home_safety", "Being able to make use of the home safely"
    HABITABLE_HOME = "habitable_home", "Maintaining a habitable home environment"
    RELATIONSHIPS = (
        "relationships",
        "Developing and maintaining family or other personal relationships",
    )
    WORK = "work", "Accessing and engaging in work, training, education or volunteering"
    COMMUNITY = (
        "community",
        "Making use of necessary facilities or services in the local community, including "
        "public transport and recreational facilities or services",
    )
    CHILD_CARE = "child_care", "Carrying out any caring responsibilities for a child"


class CarerOutcome(models.TextChoices):
    """The eight carer outcomes of regulation 3(2)(b)."""

    CHILD_CARE = "child_care", "Carrying out any caring responsibilities for a child"
    OTHERS = "others", "Providing care to other persons for whom the carer provides care"
    HABITABLE_HOME = (
        "habitable_home",
        "Maintaining a habitable home environment in the carer's home",
    )
    NUTRITION = "nutrition", "Managing and maintaining nutrition"
    RELATIONSHIPS = (
        "relationships",
        "Developing and maintaining family or other personal relationships",
    )
    WORK = "work", "Engaging in work, training, education or volunteering"
    COMMUNITY = (
        "community",
        "Making use of necessary facilities or services in the local community, including "
        "recreational facilities or services",
    )
    RECREATION = "recreation", "Engaging in recreational activities"


class Result(models.TextChoices):
    """The tool's recommendation: never a decision, which is the council's after assessment."""

    LIKELY_ELIGIBLE = "likely_eligible", "Likely eligible"
    MAY_NOT_BE_ELIGIBLE = "may_not_be_eligible", "May not be eligible"


class Route(models.TextChoices):
    """Where a finished journey went: the council's queue, or signposting alone."""

    QUEUE = "queue", "Sent to the council"
    SIGNPOSTED = "signposted", "Signposted"


class RequestStatus(models.TextChoices):
    """Where a request stands, in the words the person tracking it reads."""

    RECEIVED = "received", "Received"
    IN_REVIEW = "in_review", "Being looked at"
    MORE_INFORMATION = "more_information", "More information needed"
    # Accepted is not booked: the assessor arranges the assessment with the person afterwards.
    ASSESSMENT = "assessment", "Accepted for assessment"
    CLOSED = "closed", "Closed"
    # A journey that ended in signposting alone: never in the queue, kept for the figures.
    SIGNPOSTED = "signposted", "Signposted"


class Decision(models.TextChoices):
    """A front-door officer's triage decision."""

    ASSESSMENT = "assessment", "Accepted for assessment"
    REDIRECTED = "redirected", "Redirected to another service"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class EventKind(models.TextChoices):
    """What happened to a request, for its history and the person's tracking page."""

    SUBMITTED = "submitted", "Request received"
    ASSESSMENT_ASKED = "assessment_asked", "Asked for an assessment"
    OPENED = "opened", "Being looked at"
    INFORMATION_REQUESTED = "information_requested", "More information requested"
    INFORMATION_GIVEN = "information_given", "More information given"
    ACCEPTED = "accepted", "Accepted for assessment"
    REDIRECTED = "redirected", "Redirected"
    CLOSED = "closed", "Closed"
    NOTE = "note", "Note"
    # Never shown to the person: which council team works a request is the council's business.
    TEAM_MOVED = "team_moved", "Moved to another team"


S = RequestStatus
E = EventKind

# The allowed transitions: an event moves a request from one of these statuses to the next.
TRANSITIONS: Lifecycle[EventKind, RequestStatus] = Lifecycle(
    {
        E.ASSESSMENT_ASKED: (frozenset({S.SIGNPOSTED}), S.RECEIVED),
        E.OPENED: (frozenset({S.RECEIVED, S.MORE_INFORMATION}), S.IN_REVIEW),
        E.INFORMATION_REQUESTED: (frozenset({S.RECEIVED, S.IN_REVIEW}), S.MORE_INFORMATION),
        E.INFORMATION_GIVEN: (frozenset({S.MORE_INFORMATION}), S.IN_REVIEW),
        E.ACCEPTED: (frozenset({S.RECEIVED, S.IN_REVIEW, S.MORE_INFORMATION}), S.ASSESSMENT),
        E.REDIRECTED: (frozenset({S.RECEIVED, S.IN_REVIEW, S.MORE_INFORMATION}), S.CLOSED),
        E.CLOSED: (
            frozenset({S.RECEIVED, S.IN_REVIEW, S.MORE_INFORMATION, S.ASSESSMENT}),
            S.CLOSED,
        ),
    }
)

# The triage steps an officer is offered in each status (notes and the appropriate-referral
# view at any time once the request is with the council).
OPEN_STEPS: dict[RequestStatus, tuple[str, ...]] = {
    S.RECEIVED: ("open", "information", "accept", "redirect", "close", "note", "appropriate"),
    S.IN_REVIEW: ("information", "accept", "redirect", "close", "note", "appropriate"),
    S.MORE_INFORMATION: ("accept", "redirect", "close", "note", "appropriate"),
    S.ASSESSMENT: ("close", "note", "appropriate"),
    S.CLOSED: ("note", "appropriate"),
}


# A day of the week as a form's choice, its value Python's weekday(): the office's open days, a
# hub's days of appointments.
WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class TeamRoute(models.TextChoices):
    """The kinds of request a front-door team takes, each read from what the journey told
    (frontdoor/requests/services/routing.py `request_routes`): a team's settings row lists the
    routes it takes, so which team takes what is the council's data, never code."""

    HOSPITAL_DISCHARGE = "hospital_discharge", "Hospital discharge"
    # From a professional's answer to the person's primary support need (the CLD list).
    MENTAL_HEALTH = "mental_health", "Mental health"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    CARERS = "carers", "Carers"
    LOCALITY = "locality", "Locality (any request from the team's areas)"
