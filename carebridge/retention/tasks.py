"""The nightly retention run, once a night however many consumers schedule it."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from carebridge.core.periodic import once_a_run


@db_periodic_task(crontab(hour="3", minute="20"))
@once_a_run(window=timedelta(hours=1), skipped=dict[str, int])
def retention_nightly() -> dict[str, int]:
    from carebridge.retention.services import retention_run_all

    return retention_run_all()
