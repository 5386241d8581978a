"""Each area's help topics, in the order the help index lists them."""

from carebridge.help.content import (
    accounts,
    actions,
    actuals,
    contracts,
    frontdoor,
    general,
    integrations,
    organisations,
    payments,
    referrals,
    reports,
    subjectaccess,
)

AREAS = [
    general.TOPICS,
    referrals.TOPICS,
    contracts.TOPICS,
    actuals.TOPICS,
    payments.TOPICS,
    reports.TOPICS,
    actions.TOPICS,
    organisations.TOPICS,
    frontdoor.TOPICS,
    accounts.TOPICS,
    integrations.TOPICS,
    subjectaccess.TOPICS,
]

# Named views that are not pages a person reads, so have no Help link of their own: the APIs,
# downloads, and actions a form posts to (each area adds its own as it writes its topics).
NOT_PAGES: set[str] = (
    general.NOT_PAGES
    | referrals.NOT_PAGES
    | contracts.NOT_PAGES
    | actuals.NOT_PAGES
    | payments.NOT_PAGES
    | reports.NOT_PAGES
    | actions.NOT_PAGES
    | organisations.NOT_PAGES
    | frontdoor.NOT_PAGES
    | accounts.NOT_PAGES
    | integrations.NOT_PAGES
    | subjectaccess.NOT_PAGES
)
