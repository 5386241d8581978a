"""The help topics of the actuals pages (recording, confirming, the CSV files, the council's
overview and review) and of disputes."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = [
    Topic(
        "record-actuals",
        "Record actuals",
        views=("actuals:week", "actuals:client"),
        audience=Audience.PROVIDER,
        areas=("actuals",),
        section="Actuals",
        summary="Record, week by week, the care you really delivered against the plan, then "
        "confirm the period.",
    ),
    Topic(
        "confirm-actuals",
        "Confirm actuals",
        views=("actuals:period_list", "actuals:period"),
        audience=Audience.PROVIDER,
        areas=("actuals", "payments"),
        section="Actuals",
        summary="Review a period's exceptions and confirm its actuals by your council's "
        "deadline, so that it can be paid.",
    ),
    Topic(
        "actuals-csv",
        "Export and import actuals as a CSV file",
        views=("actuals:bulk_export", "actuals:bulk_import"),
        audience=Audience.PROVIDER,
        areas=("actuals",),
        section="Actuals",
        summary="Download a period's actuals, change them in a spreadsheet and import them "
        "back, many at once.",
    ),
    Topic(
        "disputes",
        "Disputes",
        views=("disputes:dispute_list", "disputes:dispute_detail"),
        audience=Audience.PROVIDER,
        areas=("disputes", "payments"),
        section="Actuals",
        summary="Read why your council questions some of your actuals, amend them and request "
        "resolution.",
    ),
    Topic(
        "council-actuals",
        "Providers' actuals",
        views=("actuals:council_overview",),
        audience=Audience.COUNCIL,
        areas=("actuals",),
        section="Actuals",
        summary="See, period by period, which providers have confirmed their actuals, their "
        "exceptions and totals.",
    ),
    Topic(
        "council-actuals-review",
        "A provider's actuals for a period",
        views=("actuals:council_review",),
        audience=Audience.COUNCIL,
        areas=("actuals",),
        section="Actuals",
        summary="Read every row a provider recorded in a period, filter them, download them "
        "and raise a dispute.",
    ),
    Topic(
        "council-disputes",
        "Your council's disputes",
        views=(
            "disputes:council_list",
            "disputes:council_detail",
            "disputes:council_decide",
            "disputes:dispute_raise",
        ),
        audience=Audience.COUNCIL,
        areas=("disputes",),
        section="Actuals",
        summary="Raise a dispute on a provider's actuals, read its answer, and resolve or "
        "reopen it.",
    ),
    Topic(
        "dispute-action",
        "Raise an action about a dispute",
        views=("disputes:dispute_action",),
        audience=Audience.EVERYONE,
        section="Actuals",
        summary="Talk a dispute through with the other side on an action's page.",
    ),
    Topic(
        "dispute-reasons",
        "Dispute reasons",
        views=("disputes:reason_list", "disputes:reason_change"),
        audience=Audience.COUNCIL,
        areas=("disputes",),
        section="Actuals",
        summary="Keep the list of reasons your officers choose from when they raise a dispute.",
    ),
]

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = {
    "actuals:generate",
    "actuals:council_review_csv",
    "actuals:council_review_xlsx",
    "provider_api_actuals",
    "provider_api_actuals_csv",
    "provider_api_disputes",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
