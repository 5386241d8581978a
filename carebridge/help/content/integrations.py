"""The help topics of the integrations pages: a council's connections to its own systems and
their logs, and a provider's API keys."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = [
    Topic(
        "case-management-system",
        "Connecting your case-management system",
        views=("integrations:case_system",),
        audience=Audience.COUNCIL,
        areas=("integrations",),
        section="Administration",
        summary="Where the portal reads new referrals from and sends each referral's answers to.",
    ),
    Topic(
        "poll-and-delivery-logs",
        "Poll log and delivery log",
        views=("integrations:polls", "integrations:deliveries"),
        audience=Audience.COUNCIL,
        areas=("integrations",),
        section="Administration",
        summary="Each time the portal asked your system for referrals, and each update and "
        "push it sent, with any errors.",
    ),
    Topic(
        "dynamics-365",
        "Dynamics 365 (Dataverse)",
        views=("integrations:dataverse",),
        audience=Audience.COUNCIL,
        section="Administration",
        summary="Send each front-door request to your council's Dynamics 365 as a contact and "
        "a case.",
    ),
    Topic(
        "nhs-demographics",
        "NHS demographics (PDS)",
        views=("integrations:pds",),
        audience=Audience.COUNCIL,
        section="Administration",
        summary="Let professionals fill in a person's name, address and GP practice from their "
        "NHS number on the front door.",
    ),
    Topic(
        "api-keys",
        "API keys",
        views=("api_tokens:list", "api_tokens:create", "api_tokens:revoke"),
        audience=Audience.PROVIDER,
        section="Organisation",
        summary="Keys that let your own systems, such as rostering, work with the portal.",
    ),
]

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = {
    # The API's description, for programmers and their tools.
    "api_schema",
    "api_docs",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
