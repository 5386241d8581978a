"""Background work for the directory: the nightly refresh of each council's directory from its
feed address."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


# At night (Huey keeps UTC), when directories are quiet; each council with a feed address is
# imported on its own, so one broken feed never stops the others.
@db_periodic_task(crontab(hour="2", minute="40"))
def refresh_directories() -> dict[str, str]:
    from carebridge.frontdoor.directory.imports import directories_refresh

    return directories_refresh()
