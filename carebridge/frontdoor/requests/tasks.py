"""Scheduled work for front-door requests: the front-door team's morning summary of yesterday's
requests (urgent ones are sent at once, by alerts.urgent_request_alert), and the stored waits
for a decision counted again after the office hours change."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from carebridge.core.calendar import now, to_london


# Huey's schedule runs in UTC: try at 05:40 and 06:40 UTC and act only at 06:40 in London,
# whether or not summer time is on (as the actions' daily summary does).
@db_periodic_task(crontab(hour="5,6", minute="40"))
def front_door_summaries() -> int:
    """The front-door team's summary of yesterday's requests that were not urgent."""
    from carebridge.frontdoor.requests.alerts import send_front_door_summaries

    local = to_london(now())
    if local.hour != 6:
        return 0
    return len(send_front_door_summaries(local.date() - timedelta(days=1)))


@db_task()
def decision_waits_recount(council_id: int) -> int:
    """The council's decided requests' waits, stored again in its current office hours; safe to
    run twice (it counts them all from their two times)."""
    from carebridge.frontdoor.requests.waits import decision_waits_count

    return decision_waits_count(council_id)
