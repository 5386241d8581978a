"""Reads of actuals for the pages: what a user may see (visible.py), a week at a service and a
client's rows (week.py; the week's lines read once, week_lines.py) with its calendar (month.py),
periods, their exceptions and who has confirmed (periods.py), the council's review of a
provider's period (review.py), and the home page's items (attention.py). Callers import from
here."""

from carebridge.actuals.selectors.attention import actuals_attention_for
from carebridge.actuals.selectors.month import CalendarWeek, month_weeks
from carebridge.actuals.selectors.periods import (
    ProviderStanding,
    council_standings,
    exceptions_of,
    overdue_periods,
    period_deadline,
    period_total,
    provider_confirmations,
    provider_periods,
    weeks_of,
)
from carebridge.actuals.selectors.review import (
    ReviewTotals,
    client_costs,
    exception_words,
    review_actuals,
    review_choices,
    review_period,
    review_provider,
    review_totals,
)
from carebridge.actuals.selectors.visible import (
    actual_services_of,
    actuals_visible_to,
    periods_visible_to,
)
from carebridge.actuals.selectors.week import (
    ClientGroup,
    CouncilWeek,
    Row,
    WeekPage,
    client_rows,
    client_week_refusal,
    default_week,
    generation_weeks,
    week_councils,
    week_page,
    week_refusal,
)
from carebridge.actuals.selectors.week_lines import (
    WeekLines,
    week_actuals,
    week_cplis,
    week_lines,
)

__all__ = [
    "CalendarWeek",
    "ClientGroup",
    "CouncilWeek",
    "ProviderStanding",
    "ReviewTotals",
    "Row",
    "WeekLines",
    "WeekPage",
    "actual_services_of",
    "actuals_attention_for",
    "actuals_visible_to",
    "client_costs",
    "client_rows",
    "client_week_refusal",
    "council_standings",
    "default_week",
    "exception_words",
    "exceptions_of",
    "generation_weeks",
    "month_weeks",
    "overdue_periods",
    "period_deadline",
    "period_total",
    "periods_visible_to",
    "provider_confirmations",
    "provider_periods",
    "review_actuals",
    "review_choices",
    "review_period",
    "review_provider",
    "review_totals",
    "week_actuals",
    "week_councils",
    "week_cplis",
    "week_lines",
    "week_page",
    "week_refusal",
    "weeks_of",
]
