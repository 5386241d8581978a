"""Scheduled work for the front door: the nightly refresh of each council's directory, and
(from tasks_hubs) the sweep that frees appointment slots held but never confirmed."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

# Huey loads each app's tasks.py alone: the hubs' sweep of expired holds registers by this import.
from carebridge.frontdoor.tasks_hubs import expire_booking_holds  # noqa: F401


# At night (Huey keeps UTC), when directories are quiet; each council with a feed address is
# imported on its own, so one broken feed never stops the others.
@db_periodic_task(crontab(hour="2", minute="40"))
def refresh_directories() -> dict[str, str]:
    from carebridge.frontdoor.services_directory import directories_refresh

    return directories_refresh()
