"""Reads of actuals for the pages: what a user may see (visible.py), a week at a service and a
client's rows (week.py) with its calendar (month.py), periods, their exceptions and who has
confirmed (periods.py), and the home page's items (attention.py). Callers import from here."""

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
    week_actuals,
    week_clients,
    week_councils,
    week_cplis,
    week_levels,
    week_page,
    week_refusal,
)

__all__ = [
    "CalendarWeek",
    "ClientGroup",
    "CouncilWeek",
    "ProviderStanding",
    "Row",
    "WeekPage",
    "actual_services_of",
    "actuals_attention_for",
    "actuals_visible_to",
    "client_rows",
    "client_week_refusal",
    "council_standings",
    "default_week",
    "exceptions_of",
    "generation_weeks",
    "month_weeks",
    "overdue_periods",
    "period_deadline",
    "period_total",
    "periods_visible_to",
    "provider_confirmations",
    "provider_periods",
    "week_actuals",
    "week_clients",
    "week_councils",
    "week_cplis",
    "week_levels",
    "week_page",
    "week_refusal",
    "weeks_of",
]
