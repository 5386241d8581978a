"""The disputes tests' world: the actuals tests' council, provider, second provider and second
council with a frozen clock, and last week's actuals of both providers, entered through the
actuals services; builders for disputes in each status, made through the disputes services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.actuals.tests import conftest as actuals_world
from carebridge.actuals.tests.conftest import World, item, weeks_ago
from carebridge.audit.models import Event
from carebridge.contracts.models import Cpli
from carebridge.disputes import services
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.models import Dispute, DisputeReason

clock = actuals_world.clock
world = actuals_world.world

LAST_WEEK = weeks_ago(1)


def enter(user, cpli: Cpli, actual: str = "14", week=LAST_WEEK) -> Actual:
    """Save one CPLI's actual for the week, as `user` (its provider's editor)."""
    actuals.actuals_save(user, [item(cpli, week, actual)])
    return Actual.objects.get(cpli=cpli, week_start=week)


def reason_of(council, label: str = "Care not delivered") -> DisputeReason:
    services.dispute_reasons_ensure(council)
    return DisputeReason.objects.get(council=council, label=label)


def dispute_events() -> int:
    return Event.objects.filter(action__startswith="dispute.").count()


@dataclass
class Disputing:
    """The world with actual rows to dispute: two of the provider's last week, one of the other
    provider's."""

    world: World
    rows: list[Actual]
    other_row: Actual

    def raise_(
        self, rows=None, *, by=None, reason=None, details="Visit on 13/1 did not happen.", **kw
    ):
        w = self.world
        return services.dispute_raise(
            by=by or w.payments_officer,
            reason=reason or reason_of(w.council),
            details=details,
            actual_ids=[row.pk for row in (self.rows if rows is None else rows)],
            **kw,
        )

    def in_status(self, status: str) -> Dispute:
        """A dispute of the provider's rows in `status`, as the product reaches it."""
        w = self.world
        dispute = self.raise_()
        if status in (DisputeStatus.RESOLUTION_REQUESTED, DisputeStatus.RESOLVED):
            dispute = services.dispute_request_resolution(
                by=w.carer, dispute=dispute, response="Amended to 12 hours."
            )
        if status == DisputeStatus.RESOLVED:
            dispute = services.dispute_resolve(by=w.payments_officer, dispute=dispute)
        assert dispute.status == status
        return dispute


@pytest.fixture
def disputing(world: World) -> Disputing:
    (second,) = world.agree(world.line("7"))
    (other,) = world.agree(world.line("10"), service=world.other_service)
    return Disputing(
        world=world,
        rows=[enter(world.carer, world.cpli), enter(world.carer, second, "7")],
        other_row=enter(world.stranger, other, "10"),
    )
