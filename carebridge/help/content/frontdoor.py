"""The help topics of the front door: the front-door officers' pages (requests, settings, hubs,
the directory, feedback) and the public pages where residents, families and professionals ask
the council for care and support."""

from carebridge.help.topics import Audience, Topic

SECTION = "Front door"

OFFICER_TOPICS: list[Topic] = [
    Topic(
        "front-door-requests",
        "Front-door requests",
        views=("frontdoor:request_list",),
        audience=Audience.COUNCIL,
        areas=("frontdoor",),
        section=SECTION,
        summary="The queue of requests people sent through the front door, urgent ones first.",
    ),
    Topic(
        "front-door-request",
        "A front-door request and its triage",
        views=("frontdoor:request_detail", "frontdoor:request_step"),
        audience=Audience.COUNCIL,
        areas=("frontdoor",),
        section=SECTION,
        summary="Read what the person answered and why the tool recommended what it did, then "
        "ask for more information, accept, redirect or close the request.",
    ),
    Topic(
        "front-door-settings",
        "Front-door settings",
        views=(
            "frontdoor:settings",
            "frontdoor:open_close",
            "frontdoor:team_new",
            "frontdoor:team_edit",
            "frontdoor:team_remove",
        ),
        audience=Audience.COUNCIL,
        areas=("frontdoor",),
        section=SECTION,
        summary="Open or close the public front door, and keep its phone number, office hours, "
        "response promise, out-of-hours team, emergency contacts and the teams requests are "
        "routed to.",
    ),
    Topic(
        "front-door-crm-connection",
        "The front door's CRM webhook and directory feed",
        views=("frontdoor:connections",),
        audience=Audience.COUNCIL,
        section="Administration",
        summary="Where the portal sends each front-door request (your CRM) and where it reads "
        "your directory of community services from.",
    ),
    Topic(
        "hubs",
        "Hubs",
        views=("frontdoor:hub_list", "frontdoor:hub_new", "frontdoor:hub_edit"),
        audience=Audience.COUNCIL,
        section=SECTION,
        summary="The places where people book a face-to-face appointment, and their details.",
    ),
    Topic(
        "hub-appointments",
        "A hub's appointments",
        views=(
            "frontdoor:hub_detail",
            "frontdoor:slots_publish",
            "frontdoor:slot_withdraw",
            "frontdoor:booking_cancel",
        ),
        audience=Audience.COUNCIL,
        section=SECTION,
        summary="Publish appointment times at a hub, see who booked them, withdraw a time or "
        "cancel a booking.",
    ),
    Topic(
        "directory",
        "The directory of community services",
        views=("frontdoor:directory_list", "frontdoor:directory_service"),
        audience=Audience.COUNCIL,
        section=SECTION,
        summary="The community services the front door signposts people to, and the needs each "
        "one is signposted for.",
    ),
    Topic(
        "directory-imports",
        "Directory imports",
        views=("frontdoor:directory_imports", "frontdoor:directory_import"),
        audience=Audience.COUNCIL,
        section=SECTION,
        summary="How the directory is refreshed from your Open Referral UK feed, and what each "
        "import brought in or left out.",
    ),
    Topic(
        "taxonomy-mapping",
        "Taxonomy mapping",
        views=("frontdoor:taxonomy_mapping",),
        audience=Audience.COUNCIL,
        section=SECTION,
        summary="Match your feed's taxonomy terms to the needs people tell the front door about.",
    ),
    Topic(
        "neighbouring-areas",
        "Neighbouring areas",
        views=(
            "frontdoor:neighbour_list",
            "frontdoor:neighbour_add",
            "frontdoor:neighbour_edit",
            "frontdoor:neighbour_remove",
        ),
        audience=Audience.COUNCIL,
        section=SECTION,
        summary="Which council to send people to when their postcode is outside your area.",
    ),
    Topic(
        "front-door-feedback",
        "Feedback on the front door",
        views=("frontdoor:feedback_list",),
        audience=Audience.COUNCIL,
        section=SECTION,
        summary="What people said about the front door at the end of their journey.",
    ),
]

PUBLIC_TOPICS: list[Topic] = [
    Topic(
        "asking-for-care-and-support",
        "Asking for care and support",
        views=("care:start", "care:question", "care:check", "care:urgent"),
        audience=Audience.PUBLIC,
        areas=("frontdoor",),
        section=SECTION,
        summary="What the questions ask, why, and what to do if someone is in danger now.",
    ),
    Topic(
        "your-result-and-what-happens-next",
        "Your result and what happens next",
        views=("care:result", "care:support", "care:feedback"),
        audience=Audience.PUBLIC,
        areas=("frontdoor",),
        section=SECTION,
        summary="What your result means, how to ask for an assessment, and the local services "
        "that may help now.",
    ),
    Topic(
        "tracking-your-request",
        "Tracking your request",
        views=("care:track", "care:track_detail", "care:track_link"),
        audience=Audience.PUBLIC,
        areas=("frontdoor",),
        section=SECTION,
        summary="See where your request stands, answer the council's questions and get e-mail "
        "updates.",
    ),
    Topic(
        "booking-a-hub-appointment",
        "Booking an appointment at a local hub",
        views=(
            "care:appointment_start",
            "care:appointment_time",
            "care:appointment_details",
            "care:appointment_check",
            "care:appointment_held",
            "care:appointment_confirm",
            "care:appointment_detail",
            "care:appointment_cancel",
        ),
        audience=Audience.PUBLIC,
        areas=("frontdoor",),
        section=SECTION,
        summary="Book, confirm or cancel a face-to-face appointment with an adult social care "
        "professional.",
    ),
]

TOPICS: list[Topic] = OFFICER_TOPICS + PUBLIC_TOPICS

# Views of this area that are not pages a person reads: the old dashboard's address (it
# redirects to the front-door figures report) and the feedback download.
NOT_PAGES: set[str] = {"frontdoor:dashboard", "frontdoor:feedback_export"}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
