"""The issue's property (0011): over any sequence of actuals edits, disputes raised and resolved
and payment runs, what finalised runs pay for a week (its line and its exceptions' lines) is
its final cost to the penny."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebridge.actuals.models import Actual, Period
from carebridge.actuals.services import ActualsInvalid
from carebridge.actuals.services.common import ActualsRefused
from carebridge.actuals.tests.conftest import NOW, open_periods
from carebridge.core.calendar import today
from carebridge.core.errors import Refused
from carebridge.disputes import services as disputes
from carebridge.disputes.tests.conftest import reason_of
from carebridge.payments.choices import RunStatus
from carebridge.payments.models import PaymentLine
from carebridge.payments.tests.conftest import LAST_WEEK, confirm, enter
from carebridge.payments.tests.runs_support import finalised_run

pytestmark = pytest.mark.django_db

steps = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(min_value=8, max_value=16)),
        st.tuples(st.just("dispute"), st.none()),
        st.tuples(st.just("resolve"), st.none()),
        st.tuples(st.just("run"), st.none()),
    ),
    max_size=8,
)


class _Story:
    def __init__(self, world, clock) -> None:
        self.world, self.clock = world, clock
        self.dispute = None
        self.runs = 0

    def edit(self, hours: int) -> None:
        self.clock.move(minutes=1)
        try:
            enter(self.world, (self.world.cpli, str(hours)), week=LAST_WEEK, comments="Edited")
            confirm(self.world, LAST_WEEK)
        except (Refused, ActualsRefused, ActualsInvalid, ValidationError):
            pass  # a paid week not held by a dispute cannot change: nothing happens
        self.clock.move(minutes=1)

    def dispute_(self) -> None:
        if self.dispute is None:
            try:  # a row paid and not held cannot be disputed any more
                self.dispute = disputes.dispute_raise(
                    by=self.world.payments_officer,
                    reason=reason_of(self.world.council),
                    details="Hours in question",
                    actual_ids=[self._actual().pk],
                )
            except (Refused, ValidationError):
                return

    def resolve(self) -> None:
        if self.dispute is not None:
            disputes.dispute_resolve(by=self.world.payments_officer, dispute=self.dispute)
            self.dispute = None

    def run(self) -> None:
        # Each run pays the week that has just ended, a week later than the last.
        self.runs += 1
        self.clock.set(NOW + timedelta(weeks=self.runs - 1))
        open_periods()
        period = Period.objects.get(
            council=self.world.council, end_date=today() - timedelta(days=1)
        )
        finalised_run(self.world, period)

    def _actual(self) -> Actual:
        return Actual.objects.get(cpli=self.world.cpli, week_start=LAST_WEEK)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_what_runs_pay_for_a_week_is_its_final_cost(world, clock, steps):
    clock.set(NOW)
    with transaction.atomic():
        enter(world, (world.cpli, "14"), week=LAST_WEEK, comments="Delivered")
        confirm(world, LAST_WEEK)
        story = _Story(world, clock)
        for step, value in steps:
            if step == "edit":
                story.edit(value)
            elif step == "dispute":
                story.dispute_()
            elif step == "resolve":
                story.resolve()
            else:
                story.run()
        story.resolve()
        story.run()
        actual = story._actual()
        paid = PaymentLine.objects.filter(run__status=RunStatus.FINALISED, actual=actual).aggregate(
            t=Sum("excl_vat")
        )["t"] or Decimal("0.00")
        assert paid == actual.cost, steps
        transaction.set_rollback(True)
