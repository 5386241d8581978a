"""Issue 17's dispute journey in real Chromium, without JavaScript's help for any step, and axe
(WCAG 2.2 AA) on every page visited.

A provider has confirmed last week's actuals for two clients. The council's payments officer
drills from the actuals overview into the provider's period and raises a dispute on both rows
("Care not delivered"). The provider finds it among its open disputes, amends one row on the
actuals page (which brings it back to the dispute), answers and requests resolution. The officer
reopens it with a note; the provider requests resolution again; the officer resolves it, and the
council's list of open disputes no longer shows it. Each step is checked on the page and in the
database.

The held payment follows (decision 0011): while the dispute is open, the payment run the officer
prepares for the week pays neither row and its "Left out of this run" names the dispute. Once
resolved, preparing the run again pays Monica Geller's row; Rowan Ashby's, amended since the
provider confirmed, waits until the provider confirms the week again, and then the run pays it at
its final value (8 hours), nothing is left out, and a second officer's approval lets the first
finalise it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.tests.conftest import World, item
from carebridge.core.formats import guide_date
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.models import Dispute
from carebridge.disputes.selectors import open_disputed_actual_ids
from carebridge.disputes.tests.conftest import LAST_WEEK, clock, world
from carebridge.payments.choices import RunStatus
from carebridge.payments.models import PaymentRun
from carebridge.payments.services import run_approve
from carebridge.payments.tests.runs_support import paid_total, second_officer
from carebridge.people import services as people
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import heading, log_in, menu_link, radio, success_banner, summary_value

# The disputes tests' world and frozen clock (the live server's thread sees the same clock).
__all__ = ["clock", "world"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEVEL = "Home Care - Single Assist Fixed Rate"
DETAILS = "The calls on Tuesday and Wednesday were not delivered to either client."
FIRST_RESPONSE = "Rowan Ashby had two calls fewer: amended to 8 hours."
REOPEN_NOTE = "Monica Geller's row is still 14 hours: our visit log shows 12."
SECOND_RESPONSE = "Monica Geller's calls checked against the rota: all 14 hours were delivered."
# 14 and (amended) 8 hours at £16.16, no VAT on the service level.
MONICA_PAID = Decimal("226.24")
ROWAN_PAID = Decimal("129.28")
PERIOD = f"{guide_date(LAST_WEEK)} to 15/11/2026"


@dataclass
class Journey:
    """The journey's world, its clock, the two rows it disputes and where the server is."""

    world: World
    clock: Any
    monica: Actual  # the world's client: 14 hours planned and given
    rowan: Actual  # the second client: 10 hours planned and given, amended to 8
    base_url: str

    def dispute(self) -> Dispute:
        return Dispute.objects.get(council=self.world.council)


def _journey(world: World, clock: Any, base_url: str) -> Journey:
    """Last week's actuals of two clients of the provider, on plan and confirmed."""
    second = people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref="RA456",
        first_name="Rowan",
        last_name="Ashby",
        date_of_birth=date(1938, 7, 2),
    )
    (rowan_line,) = world.agree(world.line("10"), person=second)
    actuals.actuals_save(
        world.carer, [item(world.cpli, LAST_WEEK, "14"), item(rowan_line, LAST_WEEK, "10")]
    )
    period = Period.objects.get(
        council=world.council, start_date__lte=LAST_WEEK, end_date__gte=LAST_WEEK
    )
    actuals.actuals_confirm(world.carer, period)
    assert Confirmation.objects.filter(period=period, provider=world.provider).exists()
    return Journey(
        world=world,
        clock=clock,
        monica=Actual.objects.get(cpli=world.cpli, week_start=LAST_WEEK),
        rowan=Actual.objects.get(cpli=rowan_line, week_start=LAST_WEEK),
        base_url=base_url,
    )


def _logged_in(chromium: Any, journey: Journey, user: User) -> tuple[Any, Any]:
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, journey.base_url, user.email)
    return context, page


def _dispute_box(page: Any, who: str) -> Any:
    return page.get_by_label(f"Dispute {who}, {LEVEL}, week of {guide_date(LAST_WEEK)}")


def _council_raises(page: Any, journey: Journey) -> Dispute:
    """The overview, the provider's period, Raise a dispute: both rows, a reason and details."""
    w = journey.world
    menu_link(page, "Actuals").click()
    expect(heading(page)).to_have_text("Actuals")
    axe_check(page)
    page.get_by_role("link", name=re.compile(f"^{w.provider.name}")).click()
    expect(heading(page)).to_contain_text(f"Actuals {guide_date(LAST_WEEK)} to")
    expect(page.locator("main")).to_contain_text("2 rows for 2 clients")
    axe_check(page)
    page.get_by_role("link", name=re.compile("^Raise a dispute")).click()
    expect(heading(page)).to_have_text("Raise a dispute")
    axe_check(page)
    _dispute_box(page, "Monica Geller").check()
    _dispute_box(page, "Rowan Ashby").check()
    radio(page, "Reason", "Care not delivered").check()
    page.get_by_label("Details", exact=True).fill(DETAILS)
    page.get_by_role("button", name="Raise dispute").click()
    expect(success_banner(page)).to_contain_text("Dispute raised")
    dispute = journey.dispute()
    expect(heading(page)).to_have_text(f"Dispute {dispute.pk}")
    expect(summary_value(page, "Status")).to_have_text("In Dispute")
    expect(summary_value(page, "Reason")).to_have_text("Care not delivered")
    expect(summary_value(page, "Details")).to_have_text(DETAILS)
    axe_check(page)
    assert dispute.status == DisputeStatus.IN_DISPUTE
    assert dispute.provider_id == w.provider.pk and dispute.raised_by_id == w.payments_officer.pk
    assert open_disputed_actual_ids(council_id=w.council.pk) == {
        journey.monica.pk,
        journey.rowan.pk,
    }
    return dispute


def _provider_opens(page: Any, dispute: Dispute) -> None:
    """Disputes (open ones), then the dispute."""
    menu_link(page, "Disputes").click()
    expect(heading(page)).to_have_text("Disputes")
    row = page.get_by_role("row").filter(has_text=f"Dispute {dispute.pk}")
    expect(row).to_contain_text("In Dispute")
    expect(row).to_contain_text("Care not delivered")
    axe_check(page)
    row.get_by_role("link", name=f"Dispute {dispute.pk}", exact=True).click()
    expect(heading(page)).to_have_text(f"Dispute {dispute.pk}")
    expect(summary_value(page, "Details")).to_have_text(DETAILS)
    axe_check(page)


def _provider_amends(page: Any, journey: Journey, dispute: Dispute) -> None:
    """Add/Edit Rowan Ashby's row: the actuals page, saved, back on the dispute."""
    journey.clock.move(minutes=5)
    page.get_by_role("link", name=f"Add/Edit Rowan Ashby, week of {guide_date(LAST_WEEK)}").click()
    expect(heading(page)).to_have_text("Rowan Ashby (RA456)")
    axe_check(page)
    who = f"Rowan Ashby, {LEVEL}"
    page.get_by_label(f"Actual for {who}", exact=True).fill("8")
    page.get_by_label(f"Comments for {who}", exact=True).fill("Two calls were not delivered")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(heading(page)).to_have_text(f"Dispute {dispute.pk}")
    expect(success_banner(page)).to_contain_text("saved")
    axe_check(page)
    assert Actual.objects.get(pk=journey.rowan.pk).actual == Decimal("8")
    assert Actual.objects.get(pk=journey.monica.pk).actual == Decimal("14")


def _provider_requests_resolution(page: Any, journey: Journey, response: str) -> None:
    """The response on the dispute's page, and Request resolution."""
    journey.clock.move(minutes=5)
    page.get_by_label("Your response", exact=True).fill(response)
    page.get_by_role("button", name="Request resolution").click()
    expect(success_banner(page)).to_contain_text("Resolution requested")
    expect(summary_value(page, "Status")).to_have_text("Resolution Requested")
    expect(summary_value(page, "Response")).to_contain_text(response)
    axe_check(page)
    dispute = journey.dispute()
    assert dispute.status == DisputeStatus.RESOLUTION_REQUESTED
    assert dispute.response == response


def _council_decides(page: Any, journey: Journey, button: str, note: str) -> None:
    """Disputes, the dispute, the decision's button, its confirmation page with the note."""
    journey.clock.move(minutes=5)
    dispute = journey.dispute()
    page.goto(f"{journey.base_url}/")
    menu_link(page, "Disputes").click()
    expect(heading(page)).to_have_text("Disputes")
    row = page.get_by_role("row").filter(has_text=f"Dispute {dispute.pk}")
    expect(row).to_contain_text("Resolution Requested")
    axe_check(page)
    row.get_by_role("link", name=f"Dispute {dispute.pk}", exact=True).click()
    expect(summary_value(page, "Response")).to_contain_text(dispute.response)
    axe_check(page)
    page.get_by_role("button", name=button).click()
    expect(heading(page)).to_have_text(re.compile(r" this dispute$"))
    axe_check(page)
    if note:
        page.get_by_role("textbox").fill(note)
    page.get_by_role("button", name=button).click()
    expect(heading(page)).to_have_text(f"Dispute {dispute.pk}")
    axe_check(page)


def _council_reopens(page: Any, journey: Journey) -> None:
    _council_decides(page, journey, "Reopen dispute", REOPEN_NOTE)
    expect(success_banner(page)).to_contain_text("Dispute reopened")
    expect(summary_value(page, "Status")).to_have_text("In Dispute")
    expect(summary_value(page, "Reopened because")).to_contain_text(REOPEN_NOTE)
    dispute = journey.dispute()
    assert dispute.status == DisputeStatus.IN_DISPUTE
    assert dispute.reopen_note == REOPEN_NOTE


def _provider_answers_again(page: Any, journey: Journey) -> None:
    """The provider reads the note on the dispute's page and requests resolution again."""
    page.reload()
    expect(summary_value(page, "Status")).to_have_text("In Dispute")
    expect(summary_value(page, "Reopened because")).to_contain_text(REOPEN_NOTE)
    axe_check(page)
    _provider_requests_resolution(page, journey, SECOND_RESPONSE)


def _council_resolves(page: Any, journey: Journey) -> None:
    """Resolve; the list's default (open disputes) no longer shows it, Resolved does."""
    _council_decides(page, journey, "Resolve dispute", "")
    expect(success_banner(page)).to_contain_text("Dispute resolved")
    expect(summary_value(page, "Status")).to_have_text("Resolved")
    dispute = journey.dispute()
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.resolved_by_id == journey.world.payments_officer.pk
    assert open_disputed_actual_ids(council_id=journey.world.council.pk) == set()
    page.get_by_role("link", name="Back to disputes").click()
    expect(heading(page)).to_have_text("Disputes")
    expect(page.locator("main")).to_contain_text("No disputes match.")
    expect(page.get_by_role("link", name=f"Dispute {dispute.pk}", exact=True)).to_have_count(0)
    axe_check(page)
    page.get_by_label("Status").select_option(label="Resolved")
    page.get_by_role("button", name="Apply filters").click()
    row = page.get_by_role("row").filter(has_text=f"Dispute {dispute.pk}")
    expect(row).to_contain_text("Resolved")
    axe_check(page)


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _left_out(page: Any) -> Any:
    """The rows of the run page's table of what it leaves out (the first table after its
    heading)."""
    return page.locator("h2:text-is('Left out of this run') + table").get_by_role("row")


def _run_leaves_it_out(page: Any, journey: Journey, dispute: Dispute) -> PaymentRun:
    """While the dispute is open, the week's run pays neither row and names the dispute."""
    journey.clock.move(minutes=5)
    menu_link(page, "Payment runs").click()
    expect(heading(page)).to_have_text("Payment runs")
    axe_check(page)
    page.get_by_role("button", name="Prepare a payment run").click()
    expect(heading(page)).to_have_text("Prepare a payment run")
    axe_check(page)
    radio(page, "Which billing period is the run for?", PERIOD).check()
    page.get_by_role("button", name="Prepare payment run").click()
    expect(success_banner(page)).to_contain_text("prepared")
    expect(summary_value(page, "Lines")).to_have_text("0")
    expect(page.locator("main")).to_contain_text("The run has no lines")
    row = _left_out(page).filter(has_text=f"2 rows in dispute {dispute.pk}")
    expect(row).to_contain_text(journey.world.provider.name)
    expect(row).to_contain_text("In an open dispute")
    expect(row).to_contain_text(_money(MONICA_PAID + ROWAN_PAID))
    axe_check(page)
    run = PaymentRun.objects.get(council=journey.world.council)
    assert run.status == RunStatus.PREPARED and not run.lines.exists()
    # Its link leads to the dispute.
    row.get_by_role("link", name="The dispute").click()
    expect(heading(page)).to_have_text(f"Dispute {dispute.pk}")
    axe_check(page)
    return run


def _prepare_again(page: Any, journey: Journey, run: PaymentRun) -> None:
    """Payment runs, the run, Prepare run again, its confirmation page, prepared."""
    journey.clock.move(minutes=5)
    page.goto(f"{journey.base_url}/")
    menu_link(page, "Payment runs").click()
    page.get_by_role("link", name=run.reference).click()
    expect(heading(page)).to_have_text(run.reference)
    axe_check(page)
    page.get_by_role("button", name="Prepare run again").click()
    expect(heading(page)).to_have_text("Prepare this payment run again")
    axe_check(page)
    page.get_by_role("button", name="Prepare run again").click()
    expect(success_banner(page)).to_contain_text("Payment run prepared again")
    axe_check(page)


def _lines(run: PaymentRun) -> dict[int | None, Decimal]:
    return {line.actual_id: line.total for line in run.lines.all()}


def _provider_confirms_again(page: Any, journey: Journey) -> None:
    """Confirm actuals: the week, amended since it was confirmed, confirmed again."""
    journey.clock.move(minutes=5)
    menu_link(page, "Confirm actuals").click()
    expect(heading(page)).to_have_text("Confirm actuals")
    axe_check(page)
    page.get_by_role("link", name=f"{guide_date(LAST_WEEK)} to", exact=False).first.click()
    axe_check(page)
    page.get_by_role("button", name="Confirm actuals").click()
    expect(success_banner(page)).to_contain_text("Actuals confirmed")
    axe_check(page)


def _run_pays_it_once_resolved(officer: Any, carer: Any, journey: Journey, run: PaymentRun) -> None:
    """Resolved: the run prepared again pays Monica Geller's row; Rowan Ashby's (amended since
    the week was confirmed) waits for the provider's confirmation, then is paid at 8 hours."""
    _prepare_again(officer, journey, run)
    expect(page_total(officer)).to_have_text(_money(MONICA_PAID))
    row = _left_out(officer).filter(has_text="changed since they were confirmed")
    expect(row).to_contain_text(_money(ROWAN_PAID))
    expect(_left_out(officer).filter(has_text="in dispute")).to_have_count(0)
    assert _lines(run) == {journey.monica.pk: MONICA_PAID}

    _provider_confirms_again(carer, journey)
    _prepare_again(officer, journey, run)
    expect(page_total(officer)).to_have_text(_money(MONICA_PAID + ROWAN_PAID))
    expect(officer.locator("main")).to_contain_text("Nothing due is left out.")
    lines = officer.get_by_role("table", name=journey.world.provider.name)
    expect(lines.get_by_role("row").filter(has_text="Rowan Ashby")).to_contain_text(
        _money(ROWAN_PAID)
    )
    assert _lines(run) == {journey.monica.pk: MONICA_PAID, journey.rowan.pk: ROWAN_PAID}

    # A second officer approves (the run pages' own journey shows that in the browser); the
    # officer who prepared it finalises it, and the rows are paid at their final value.
    run_approve(by=second_officer(journey.world), run=PaymentRun.objects.get(pk=run.pk))
    officer.reload()
    officer.get_by_role("button", name="Finalise run").click()
    expect(heading(officer)).to_have_text("Finalise this payment run")
    axe_check(officer)
    officer.get_by_role("button", name="Finalise run").click()
    expect(success_banner(officer)).to_contain_text("Payment run finalised")
    expect(summary_value(officer, "Status")).to_have_text("Finalised")
    axe_check(officer)
    assert paid_total(actual_id=journey.rowan.pk) == ROWAN_PAID
    assert paid_total(actual_id=journey.monica.pk) == MONICA_PAID


def page_total(page: Any) -> Any:
    return summary_value(page, "Total")


def test_a_dispute_from_raised_to_resolved_in_the_browser(
    chromium: Any, live_server: Any, world: World, clock: Any
) -> None:
    journey = _journey(world, clock, live_server.url)
    council, officer = _logged_in(chromium, journey, world.payments_officer)
    provider, carer = _logged_in(chromium, journey, world.carer)

    dispute = _council_raises(officer, journey)
    _provider_opens(carer, dispute)
    _provider_amends(carer, journey, dispute)
    _provider_requests_resolution(carer, journey, FIRST_RESPONSE)
    _council_reopens(officer, journey)
    run = _run_leaves_it_out(officer, journey, dispute)
    _provider_answers_again(carer, journey)
    _council_resolves(officer, journey)
    _run_pays_it_once_resolved(officer, carer, journey, run)

    # The provider's open disputes no longer show it either.
    menu_link(carer, "Disputes").click()
    expect(carer.get_by_role("link", name=f"Dispute {dispute.pk}", exact=True)).to_have_count(0)
    axe_check(carer)
    assert Actual.objects.get(pk=journey.rowan.pk).actual == Decimal("8")
    council.close()
    provider.close()
