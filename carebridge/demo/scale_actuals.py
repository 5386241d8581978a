"""The benchmark's actuals: the scale council's periods opened, and the provider persona's actuals
generated from its CPLIs for the last weeks that have ended, so the actuals week page is measured
with a week of actuals at a large provider's size."""

from __future__ import annotations

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.actuals.periods import WEEK, week_of
from carebridge.core.calendar import today
from carebridge.demo.common import Tally
from carebridge.organisations.models import Council, Rulebook


def scale_actuals(tally: Tally, council: Council, persona: User, *, weeks: int) -> dict[str, int]:
    """Open every period up to today's and generate the persona's actuals for the last `weeks`
    ended weeks, through the services, as the persona pressing Generate actuals would (one
    audit event). Unlike the referrals and contracts, these are not bulk-loaded: generating is
    itself a bulk write, and what it writes is what the page shows. Running it again adds
    nothing."""
    if weeks <= 0:
        return {"periods": 0, "actuals": 0}
    assert persona.provider_id is not None
    tally.made("actuals periods", actuals.periods_open())
    rulebook = Rulebook.objects.get(council=council)
    this_week = week_of(today(), rulebook.actuals_week_start)
    ended = [this_week - WEEK * n for n in range(weeks, 0, -1)]
    scoped = Actual.objects.filter(provider_id=persona.provider_id, week_start__in=ended)
    tally.found("actuals", scoped.count())
    tally.made("actuals", actuals.actuals_generate(persona, weeks=ended))
    return {
        "periods": council.actuals_periods.count(),
        "actuals": scoped.count(),
    }
