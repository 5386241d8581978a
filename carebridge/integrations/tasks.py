"""Background work for pushes to councils' CRMs: delivering one outbox row (tried again with
growing waits while the CRM is down), a sweep that queues again what a broker outage or a crash
left undelivered and gives up on what failed too long, and the nightly trim of old payloads.

Tasks take ids and are safe to run twice: a row is claimed before it is posted, and never posted
once the CRM has taken it.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask


@db_task()
def deliver_crm(delivery_id: int) -> bool:
    """Post one delivery; False when it was not delivered now (already, given up, or claimed)."""
    from carebridge.integrations.crm import Outcome, crm_delivery_attempt

    outcome, wait = crm_delivery_attempt(delivery_id)
    if outcome is Outcome.RETRY and wait is not None:
        # The row counts the tries and decides when to stop; Huey only keeps the time.
        raise RetryTask(f"CRM delivery {delivery_id} will be tried again", delay=wait)
    return outcome is Outcome.DELIVERED


@db_periodic_task(crontab(minute="*/15"))
def deliver_undelivered_crm() -> int:
    """Give up what failed too long, then queue again the rows nobody is delivering."""
    from carebridge.integrations.crm import crm_deliveries_due, crm_deliveries_give_up

    crm_deliveries_give_up()
    ids = crm_deliveries_due()
    for pk in ids:
        deliver_crm(pk)
    return len(ids)


@db_periodic_task(crontab(hour="2", minute="50"))
def purge_crm_payloads() -> int:
    from carebridge.integrations.crm import crm_deliveries_purge

    return crm_deliveries_purge()
