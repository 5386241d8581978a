"""Background work for referrals: polling each council's case-management feed on its rulebook's
interval (`casefeed.py`).

Every minute the periodic task queues a poll for each council that is due; a poll claims its
council before it asks the feed, so a poll queued twice, or two workers, poll it once.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def poll_case_feed(council_id: int) -> int | None:
    """Poll one council's feed if it is due; the poll's id, or None when nothing was polled."""
    from carebridge.referrals.casefeed import poll

    record = poll(council_id)
    return None if record is None else record.pk


@db_periodic_task(crontab())
def poll_case_feeds_due() -> int:
    """Queue a poll for every council whose feed is due now; how many were queued."""
    from carebridge.core.calendar import now
    from carebridge.referrals.casefeed import polls_due

    due = polls_due(now())
    for council_id in due:
        poll_case_feed(council_id)
    return len(due)
