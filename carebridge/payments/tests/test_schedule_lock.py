"""The council's scheduled blocks cannot be cut differently once one has been paid (or is on a
run): payments tells the payment settings through organisations' SCHEDULE_LOCKS."""

import pytest

from carebridge.organisations.services.payment_settings import schedule_lock
from carebridge.payments.tests.conftest import LAST_WEEK, clients, period_of
from carebridge.payments.tests.paid_lines import run_of, scheduled_line

pytestmark = pytest.mark.django_db


def test_nothing_paid_on_schedule_leaves_the_weeks_free_to_change(world):
    assert schedule_lock(world.council.pk) is None


def test_a_paid_block_locks_the_councils_weeks_and_no_other_councils(world):
    cpli = clients(world, 1)[0]
    run = run_of(period_of(world), by=world.payments_officer)
    scheduled_line(run, cpli, covers_from=LAST_WEEK)

    assert "pay some days twice" in schedule_lock(world.council.pk)
    assert schedule_lock(world.other_council.pk) is None
