"""Background work for the outboxes (integrations.delivery): the pushes to councils' CRMs and
the updates to their case-management systems. For each: delivering one row (tried again with
growing waits while the peer is down), a sweep that queues again what a broker outage or a crash
left undelivered and gives up on what failed too long, and the nightly trim of old payloads.

Tasks take ids and are safe to run twice: a row is claimed before it is posted, and never posted
once the peer has taken it. A case update waiting for an earlier one of its referral is left to
that one's delivery, which queues it.
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


@db_task()
def deliver_case_update(update_id: int) -> bool:
    """Post one update to a council's case-management system; False when it was not delivered
    now (already, given up, claimed, or waiting for an earlier update of its referral, whose
    delivery queues it)."""
    from carebridge.integrations.case_updates import case_update_attempt
    from carebridge.integrations.delivery import Outcome

    outcome, wait = case_update_attempt(update_id)
    if outcome is Outcome.RETRY and wait is not None:
        raise RetryTask(f"Case update {update_id} will be tried again", delay=wait)
    return outcome is Outcome.DELIVERED


@db_periodic_task(crontab(minute="*/5"))
def deliver_undelivered_case_updates() -> int:
    """Give up what failed too long, then queue again the updates nobody is delivering whose
    turn it is."""
    from carebridge.integrations.case_updates import case_updates_due, case_updates_give_up

    case_updates_give_up()
    ids = case_updates_due()
    for pk in ids:
        deliver_case_update(pk)
    return len(ids)


@db_periodic_task(crontab(hour="2", minute="55"))
def purge_case_update_payloads() -> int:
    from carebridge.integrations.case_updates import case_updates_purge

    return case_updates_purge()
