"""The help topics of the reports pages: the reports page, a report's page (with what each
report of the catalogue answers) and the Client Level Data return."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = [
    Topic(
        "reports",
        "Reports",
        views=("reports:index",),
        audience=Audience.EVERYONE,
        section="Reports",
        summary="The reports your role may use, grouped by what they are about.",
    ),
    Topic(
        "reading-a-report",
        "Reading and downloading a report",
        views=("reports:report",),
        audience=Audience.EVERYONE,
        section="Reports",
        summary="Choose a report's filters, read its chart and table, and download it as CSV, "
        "Excel or PDF; what each report answers.",
    ),
    Topic(
        "client-level-data",
        "Client Level Data return",
        views=("reports:cld",),
        audience=Audience.COUNCIL,
        section="Reports",
        summary="Check the quarterly Client Level Data return record by record, put failures "
        "right and download it.",
    ),
]

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = {
    "reports:download",
    "reports:cld_download",
    # The LA code form on the return's page posts here and goes back to it.
    "reports:cld_la_code",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
