"""Scheduled work for the front door: the nightly refresh of each council's directory, the
front-door team's morning summary of yesterday's requests, and (from tasks_hubs) the sweep that
frees appointment slots held but never confirmed."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from carebridge.core.calendar import now, to_london

# Huey loads each app's tasks.py alone: the hubs' sweep of expired holds registers by this import.
from carebridge.frontdoor.tasks_hubs import expire_booking_holds  # noqa: F401


# At night (Huey keeps UTC), when directories are quiet; each council with a feed address is
# imported on its own, so one broken feed never stops the others.
@db_periodic_task(crontab(hour="2", minute="40"))
def refresh_directories() -> dict[str, str]:
    from carebridge.frontdoor.services_directory import directories_refresh

    return directories_refresh()


# Huey's schedule runs in UTC: try at 05:40 and 06:40 UTC and act only at 06:40 in London,
# whether or not summer time is on (as the actions' daily summary does).
@db_periodic_task(crontab(hour="5,6", minute="40"))
def front_door_summaries() -> int:
    """The front-door team's summary of yesterday's requests that were not urgent."""
    from carebridge.frontdoor.alerts import send_front_door_summaries

    local = to_london(now())
    if local.hour != 6:
        return 0
    return len(send_front_door_summaries(local.date() - timedelta(days=1)))
