"""Scheduled work for core: forgetting the keys of creates once their tokens have expired."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


# Hourly: the table holds a day of creates at most, so each sweep deletes a few rows.
@db_periodic_task(crontab(minute="17"))
def purge_submissions() -> int:
    from carebridge.core.idempotency import submissions_purge

    return submissions_purge()
