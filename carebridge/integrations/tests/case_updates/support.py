"""What the case-update tests share: a referral the council's system sent, the provider's
answers through the referral services, and running the tries Huey has scheduled."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

from huey.contrib.djhuey import HUEY

from carebridge.core.calendar import now, to_london
from carebridge.integrations.simulator.case_management import CaseManagement
from carebridge.referrals import services
from carebridge.referrals.models import Referral
from tests.support import make_referral

_numbers = count(1)


def system_referral(world, peer: CaseManagement) -> Referral:
    """A referral the council's system sent (it knows the external_id), pending."""
    external_id = f"CM-{next(_numbers):06d}"
    peer.add_referral({"external_id": external_id})
    return council_referral(world, external_id=external_id)


def council_referral(world, external_id: str = "") -> Referral:
    """A pending referral of the council; sent by its system when it has an external_id.
    Received days ago, so that its first visit, update and actuals can all be in the past."""
    return make_referral(
        world.council,
        world.provider,
        by=world.broker,
        external_id=external_id,
        received_at=now() - timedelta(days=5),
    )


def accept(world, referral: Referral, first_visit_at: datetime | None = None) -> Referral:
    return services.referral_accept(
        referral=referral,
        by=world.carer,
        first_visit_at=first_visit_at or now() - timedelta(days=4),
    )


def delay(world, referral: Referral, hours: int = 12) -> Referral:
    booked = referral.first_visit_at or now() - timedelta(days=4)
    return services.referral_delay(
        referral=referral, by=world.carer, first_visit_at=booked + timedelta(hours=hours)
    )


def update(world, referral: Referral) -> Referral:
    on = to_london(now()).date()
    return services.referral_update(
        referral=referral,
        by=world.carer,
        care_start_date=on,
        predicted_end_date=None,
        terminated_within_72_hours=False,
        needs_changed=False,
        needs_change_details="",
        completed_by="Jo Carer",
        completed_on=on,
    )


def actuals(world, referral: Referral) -> Referral:
    on = to_london(now()).date()
    return services.referral_send_actuals(
        referral=referral,
        by=world.carer,
        start_date=on,
        end_date=on,
        visits_delivered=6,
        hours_delivered=Decimal("7.50"),
        carers_at_start=1,
        carers_at_end=1,
    )


def run_due_retries(capture, days: int = 3) -> int:
    """Run the tries Huey has scheduled, as its consumer would once their time came. `capture`
    is pytest-django's django_capture_on_commit_callbacks: a delivered update queues the next
    of its referral when the transaction commits, which a test's transaction never does."""
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=days)
    due = HUEY.read_schedule(later)
    with capture(execute=True):
        for task in due:
            HUEY.execute(task, later)
    return len(due)


def sweep(capture) -> int:
    """The periodic sweep, as its task runs it."""
    from carebridge.integrations import tasks

    with capture(execute=True):
        return tasks.deliver_undelivered_case_updates.call_local()
