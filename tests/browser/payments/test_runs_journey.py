"""Issue 18's payment run in real Chromium, without JavaScript's help for any step, and axe
(WCAG 2.2 AA) on every page visited.

The council pays the provider's care package on a schedule (4-week blocks, 2 weeks in advance
and 2 in arrears: the rulebook's defaults). A payments officer prepares the run for last week's
billing period (a Saturday's payment date is refused first, in the error summary), cannot
approve the run he prepared, and a second officer approves it; the first finalises it. The
provider then sees the period Finalised on its scheduled payments page, the run on its
remittance advice, opens the remittance and downloads its PDF and CSV, and sees the purchase
order's spend to date. Each step is checked on the page and in the database."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.accounts.models import User
from carebridge.actuals.tests.conftest import World
from carebridge.audit.models import Event
from carebridge.contracts.purchase_orders import purchase_orders_of_client
from carebridge.core.formats import guide_date
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import PaymentRun
from carebridge.payments.services import PAYMENT_DATE_WORKING, SAME_OFFICER
from carebridge.payments.tests.conftest import period_of
from carebridge.payments.tests.runs_support import on_schedule, paid_total, second_officer
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import (
    error_summary,
    fill_date,
    heading,
    log_in,
    menu_link,
    radio,
    success_banner,
    summary_value,
)
from tests.support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The world's CPLI is 14 hours a week at £16.16: £226.24 a week. Last week's run (9 to 15
# November 2026) pays every block whose weeks in arrears have passed: 5 October to 15 November.
WEEK = Decimal("226.24")
PAID = 6 * WEEK  # £1,357.44, no VAT on the service level
PERIOD = "09/11/2026 to 15/11/2026"
REFERENCE = "PR20261109"
SATURDAY = date(2026, 11, 21)
PAYMENT_DATE = date(2026, 11, 20)  # a Friday


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _logged_in(chromium: Any, base_url: str, user: User) -> tuple[Any, Any]:
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, base_url, user.email)
    return context, page


def _prepares(page: Any) -> PaymentRun:
    """Payment runs, Prepare a payment run: a Saturday is refused, a Friday prepares the run."""
    menu_link(page, "Payment runs").click()
    expect(heading(page)).to_have_text("Payment runs")
    axe_check(page)
    page.get_by_role("button", name="Prepare a payment run").click()
    expect(heading(page)).to_have_text("Prepare a payment run")
    axe_check(page)
    radio(page, "Which billing period is the run for?", PERIOD).check()
    fill_date(page, "Payment date", SATURDAY)
    page.get_by_role("button", name="Prepare payment run").click()
    expect(error_summary(page)).to_contain_text(PAYMENT_DATE_WORKING)
    axe_check(page)
    assert not PaymentRun.objects.exists()
    # The period stays chosen; only the date is given again.
    expect(radio(page, "Which billing period is the run for?", PERIOD)).to_be_checked()
    fill_date(page, "Payment date", PAYMENT_DATE)
    page.get_by_role("button", name="Prepare payment run").click()
    expect(success_banner(page)).to_contain_text(f"Payment run {REFERENCE} prepared")
    expect(heading(page)).to_have_text(REFERENCE)
    expect(summary_value(page, "Status")).to_have_text("Prepared")
    expect(summary_value(page, "Billing period")).to_have_text(PERIOD)
    expect(summary_value(page, "Payment date")).to_have_text(guide_date(PAYMENT_DATE))
    expect(summary_value(page, "Total")).to_have_text(_money(PAID))
    expect(page.locator("main")).to_contain_text("Nothing due is left out.")
    expect(page.locator("main")).to_contain_text("another payments officer approves it")
    axe_check(page)
    run = PaymentRun.objects.get()
    assert (run.status, run.reference, run.payment_date) == (
        RunStatus.PREPARED,
        REFERENCE,
        PAYMENT_DATE,
    )
    lines = list(run.lines.all())
    assert {line.source for line in lines} == {LineSource.SCHEDULE}
    assert sum(line.total for line in lines) == PAID
    return run


def _cannot_approve_own(page: Any, base_url: str, run: PaymentRun) -> None:
    """The run's page offers its preparer no Approve; its address refuses him, and so does a
    POST made by hand (the form a second officer would see, with its token)."""
    expect(page.get_by_role("button", name="Approve run")).to_have_count(0)
    page.goto(f"{base_url}/payments/council/runs/{run.pk}/approve/")
    expect(heading(page)).to_have_text("Approve this payment run")
    expect(page.locator("main")).to_contain_text(SAME_OFFICER)
    expect(page.get_by_role("button", name="Approve run")).to_have_count(0)
    axe_check(page)
    run.refresh_from_db()
    # A form built in the page, posting what the approve button would: still refused.
    page.evaluate(
        """([seen]) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]');
            const form = document.createElement('form');
            form.method = 'post';
            form.innerHTML = '<input name="seen"><input name="csrfmiddlewaretoken">';
            form.elements.seen.value = seen;
            form.elements.csrfmiddlewaretoken.value = token.value;
            document.body.append(form);
            form.submit();
        }""",
        [f"{run.status}|{run.changed_at.isoformat()}"],
    )
    page.wait_for_load_state("load")
    expect(heading(page)).to_have_text("Approve this payment run")
    expect(page.locator("main")).to_contain_text(SAME_OFFICER)
    axe_check(page)
    run.refresh_from_db()
    assert (run.status, run.approved_by_id) == (RunStatus.PREPARED, None)
    assert not Event.objects.filter(action="payment_run.approve").exists()


def _decides(page: Any, run: PaymentRun, button: str, done: str, status: str) -> None:
    """From the run's list, the run, the decision's button, its confirmation page, done."""
    menu_link(page, "Payment runs").click()
    row = page.get_by_role("row").filter(has_text=REFERENCE)
    expect(row).to_contain_text(status)
    axe_check(page)
    row.get_by_role("link", name=REFERENCE).click()
    expect(heading(page)).to_have_text(REFERENCE)
    axe_check(page)
    page.get_by_role("button", name=button).click()
    expect(heading(page)).to_have_text(re.compile(r" this payment run$"))
    expect(page.locator("main")).to_contain_text(_money(PAID))
    axe_check(page)
    page.get_by_role("button", name=button).click()
    expect(success_banner(page)).to_contain_text(done)
    expect(heading(page)).to_have_text(REFERENCE)
    axe_check(page)


def _approved_then_finalised(
    approver_page: Any, officer_page: Any, run: PaymentRun, approver: User, officer: User
) -> None:
    _decides(approver_page, run, "Approve run", "Payment run approved", "Prepared")
    expect(summary_value(approver_page, "Status")).to_have_text("Approved")
    expect(summary_value(approver_page, "Approved")).to_contain_text(approver.full_name)
    run.refresh_from_db()
    assert (run.status, run.approved_by_id) == (RunStatus.APPROVED, approver.pk)

    _decides(officer_page, run, "Finalise run", "Payment run finalised", "Approved")
    expect(summary_value(officer_page, "Status")).to_have_text("Finalised")
    expect(summary_value(officer_page, "Finalised")).to_contain_text(officer.full_name)
    expect(officer_page.get_by_role("button", name="Download finance export (CSV)")).to_be_visible()
    run.refresh_from_db()
    assert (run.status, run.finalised_by_id) == (RunStatus.FINALISED, officer.pk)
    assert period_of_run(run).payment_processed_at is not None


def period_of_run(run: PaymentRun) -> Any:
    run.period.refresh_from_db()
    return run.period


def _provider_scheduled(page: Any) -> None:
    """Scheduled payments: last week's period Finalised, paid by the run on its day."""
    menu_link(page, "Scheduled payments").click()
    expect(heading(page)).to_have_text("Scheduled payments")
    section = page.locator("section").filter(
        has=page.get_by_role("heading", name=PERIOD, exact=False)
    )
    expect(section.get_by_role("heading")).to_contain_text("Finalised")
    expect(section).to_contain_text(f"Paid by run {REFERENCE} on {guide_date(PAYMENT_DATE)}.")
    expect(section.get_by_role("row").filter(has_text="Monica Geller")).to_contain_text(
        _money(PAID)
    )
    axe_check(page)


def _download(page: Any, name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("button", name=name).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _provider_remittance(page: Any, world: World, reader: User) -> None:
    """Remittance advice: the run's row, its page per client, its PDF and CSV."""
    menu_link(page, "Remittance advice").click()
    expect(heading(page)).to_have_text("Remittance advice")
    row = page.get_by_role("row").filter(has_text=REFERENCE)
    expect(row).to_contain_text(world.council.name)
    expect(row).to_contain_text(guide_date(PAYMENT_DATE))
    expect(row).to_contain_text(_money(PAID))
    axe_check(page)
    row.get_by_role("link", name=REFERENCE).click()
    expect(heading(page)).to_have_text(REFERENCE)
    expect(page.get_by_role("table", name=re.compile("^Monica Geller"))).to_contain_text(
        f"Total for Monica Geller {_money(PAID)}"
    )
    expect(summary_value(page, "Payment date")).to_have_text(guide_date(PAYMENT_DATE))
    axe_check(page)

    name, pdf = _download(page, "Download PDF")
    assert name == f"remittance-{REFERENCE}-{world.provider.pk}.pdf"
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
    name, raw = _download(page, "Download CSV")
    assert name == f"remittance-{REFERENCE}-{world.provider.pk}.csv"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows, "the remittance CSV has no lines"
    assert {(r["Run reference"], r["Client"], r["SS Ref"]) for r in rows} == {
        (REFERENCE, "Monica Geller", "MG123")
    }
    assert sum(Decimal(r["Total"]) for r in rows) == PAID
    # The page and both downloads are audited, as the reader's.
    seen = Event.objects.filter(action__startswith="payments.remittance_")
    assert sorted(seen.values_list("action", "actor_id")) == [
        ("payments.remittance_downloaded", reader.pk),
        ("payments.remittance_downloaded", reader.pk),
        ("payments.remittance_viewed", reader.pk),
    ]
    # Downloading left the page where it was.
    expect(heading(page)).to_have_text(REFERENCE)


def _provider_purchase_order(page: Any, world: World, reader: User) -> None:
    """Purchase orders: the client's order for 2026/27 has spent what the run paid."""
    (order,) = purchase_orders_of_client(reader, world.person.pk, year=2026)
    assert order.spend_to_date == PAID == paid_total(cpli_id=world.cpli.pk)
    menu_link(page, "Purchase orders").click()
    expect(heading(page)).to_have_text("Purchase orders")
    row = page.get_by_role("row").filter(has_text="Geller, Monica (MG123)")
    expect(row).to_contain_text(_money(order.value))
    expect(row).to_contain_text(_money(PAID))
    expect(row).to_contain_text(_money(order.value - PAID))
    axe_check(page)
    row.get_by_role("link", name="Geller, Monica (MG123)").click()
    expect(heading(page)).to_contain_text("Geller, Monica (MG123)")
    expect(summary_value(page, "Spend to date")).to_contain_text(_money(PAID))
    expect(summary_value(page, "Remaining")).to_have_text(_money(order.value - PAID))
    axe_check(page)


def test_a_payment_run_from_prepared_to_the_providers_remittance(
    chromium: Any, live_server: Any, world: World, clock: Any
) -> None:
    on_schedule(world)
    assert period_of(world).end_date == date(2026, 11, 15)
    approver = second_officer(world)
    # The provider's user who follows its scheduled payments (Super User (Actuals) cannot).
    reader = make_user(provider=world.provider, role="super_user_scheduled")
    base = live_server.url
    council, officer = _logged_in(chromium, base, world.payments_officer)
    second, approving = _logged_in(chromium, base, approver)

    run = _prepares(officer)
    _cannot_approve_own(officer, base, run)
    clock.move(minutes=5)
    _approved_then_finalised(approving, officer, run, approver, world.payments_officer)
    council.close()
    second.close()

    provider, page = _logged_in(chromium, base, reader)
    _provider_scheduled(page)
    _provider_remittance(page, world, reader)
    _provider_purchase_order(page, world, reader)
    provider.close()
