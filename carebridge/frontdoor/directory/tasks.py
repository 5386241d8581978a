"""Background work for the directory: the nightly refresh of each council's directory from its
feed address."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from carebridge.core.periodic import once_a_run


# At night (Huey keeps UTC), when directories are quiet; each council with a feed address is
# imported on its own, so one broken feed never stops the others. Two imports of one feed at once
# would fetch it twice and write two import logs (and race on new services), so a second
# scheduler's copy of the night's run does nothing.
@db_periodic_task(crontab(hour="2", minute="40"))
@once_a_run(window=timedelta(hours=1), skipped=dict[str, str])
def refresh_directories() -> dict[str, str]:
    from carebridge.frontdoor.directory.imports import directories_refresh

    return directories_refresh()
