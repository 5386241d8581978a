"""Scheduled work for actuals: each council's periods open as they start."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


# Just after midnight (Huey keeps UTC), so a period is open on its first morning; the service also
# opens any period a missed run left unopened.
@db_periodic_task(crontab(hour="0", minute="10"))
def open_actuals_periods() -> int:
    from carebridge.actuals.services import periods_open

    return periods_open()
