"""Issue 17's held payment when the week's run is finalised while the dispute is open (decision
0011: "nothing in it changes ... except rows in an open dispute, which the provider may still
amend and a later run pays at their final value"), in real Chromium with axe on each page.

Last week's actuals (Monica Geller, 14 hours) are confirmed and disputed; the week's run is
finalised without the row, so the period is payment-processed. The provider amends the held row
to 12 hours on the dispute's page, requests resolution, and the council resolves it. A week on,
the officer prepares the next week's run: it pays the row at its final value, 12 hours, with
no new confirmation (a processed period cannot be confirmed again), and nothing is left out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.actuals.tests.conftest import World, item, open_periods
from carebridge.core.formats import guide_date
from carebridge.disputes import services as disputes
from carebridge.disputes.models import Dispute
from carebridge.disputes.tests.conftest import LAST_WEEK, clock, reason_of, world
from carebridge.payments.models import PaymentRun
from carebridge.payments.services import run_approve, run_finalise
from carebridge.payments.tests.conftest import period_of
from carebridge.payments.tests.runs_support import finalised_run, paid_total, second_officer
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import heading, log_in, menu_link, radio, success_banner, summary_value

# The disputes tests' world and frozen clock (the live server's thread sees the same clock).
__all__ = ["clock", "world"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEVEL = "Home Care - Single Assist Fixed Rate"
FINAL = Decimal("193.92")  # 12 hours at £16.16, no VAT on the service level
NEXT_WEEK = date(2026, 11, 16)
NEXT_PERIOD = "16/11/2026 to 22/11/2026"


def _held_and_processed(world: World, clock: Any) -> tuple[Actual, int]:
    """Confirmed, disputed, the week's run finalised without the row."""
    actuals.actuals_save(world.carer, [item(world.cpli, LAST_WEEK, "14")])
    actuals.actuals_confirm(world.carer, period_of(world))
    row = Actual.objects.get(cpli=world.cpli, week_start=LAST_WEEK)
    dispute = disputes.dispute_raise(
        by=world.payments_officer,
        actual_ids=[row.pk],
        reason=reason_of(world.council),
        details="Two calls were not delivered.",
    )
    clock.move(minutes=5)
    run = finalised_run(world)
    assert not run.lines.exists()
    assert period_of(world).payment_processed_at is not None
    return row, dispute.pk


def _provider_amends_and_asks(page: Any, base_url: str, dispute_id: int, clock: Any) -> None:
    """The dispute's page, Add/Edit the held row to 12 hours, then Request resolution."""
    clock.move(minutes=5)
    page.goto(f"{base_url}/")
    menu_link(page, "Disputes").click()
    page.get_by_role("link", name=f"Dispute {dispute_id}", exact=True).click()
    expect(heading(page)).to_have_text(f"Dispute {dispute_id}")
    axe_check(page)
    page.get_by_role(
        "link", name=f"Add/Edit Monica Geller, week of {guide_date(LAST_WEEK)}"
    ).click()
    axe_check(page)
    who = f"Monica Geller, {LEVEL}"
    page.get_by_label(f"Actual for {who}", exact=True).fill("12")
    page.get_by_label(f"Comments for {who}", exact=True).fill("Two calls were not delivered")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(success_banner(page)).to_contain_text("saved")
    axe_check(page)
    clock.move(minutes=5)
    page.get_by_label("Your response", exact=True).fill("Amended to 12 hours.")
    page.get_by_role("button", name="Request resolution").click()
    expect(success_banner(page)).to_contain_text("Resolution requested")
    axe_check(page)


def _officer_prepares_next_week(page: Any) -> None:
    menu_link(page, "Payment runs").click()
    page.get_by_role("button", name="Prepare a payment run").click()
    expect(heading(page)).to_have_text("Prepare a payment run")
    axe_check(page)
    radio(page, "Which billing period is the run for?", NEXT_PERIOD).check()
    page.get_by_role("button", name="Prepare payment run").click()
    expect(success_banner(page)).to_contain_text("prepared")
    axe_check(page)


def test_a_row_held_past_its_finalised_run_is_paid_later_at_its_final_value(
    chromium: Any, live_server: Any, world: World, clock: Any
) -> None:
    row, dispute_id = _held_and_processed(world, clock)
    context = new_context(chromium)
    carer = context.new_page()
    log_in(carer, live_server.url, world.carer.email)
    _provider_amends_and_asks(carer, live_server.url, dispute_id, clock)
    context.close()
    assert Actual.objects.get(pk=row.pk).cost == FINAL
    dispute = Dispute.objects.get(pk=dispute_id)
    disputes.dispute_resolve(by=world.payments_officer, dispute=dispute)

    # A week on: the next week's period has ended.
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    open_periods()
    context = new_context(chromium)
    officer = context.new_page()
    log_in(officer, live_server.url, world.payments_officer.email)
    _officer_prepares_next_week(officer)
    run = PaymentRun.objects.get(period=period_of(world, NEXT_WEEK))
    assert {line.actual_id: line.total for line in run.lines.all()} == {row.pk: FINAL}
    expect(summary_value(officer, "Total")).to_have_text(f"£{FINAL}")
    expect(officer.locator("main")).to_contain_text("Nothing due is left out.")
    context.close()
    assert paid_total(actual_id=row.pk) == Decimal("0.00")  # prepared, not yet finalised
    run_finalise(by=world.payments_officer, run=run_approve(by=second_officer(world), run=run))
    assert paid_total(actual_id=row.pk) == FINAL
