"""The actuals pages' "Ask for a temporary CPLI" in real Chromium, with axe on every page: the
week page and the period's exceptions show it on the row over the exception, named with its
client for screen readers, and it opens the request filled in from that row."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from carebridge.actuals.models import Actual
from carebridge.actuals.tests.test_views import week_url
from carebridge.payments.tests.conftest import LAST_WEEK, clients, enter, period_of
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import heading, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_actuals_rows_over_the_exception_ask_for_a_temporary_cpli(
    chromium: Any,
    live_server: Any,
    paying: Any,
    brokerage: Any,
) -> None:
    (on_plan,) = clients(paying, 1)
    enter(paying, (paying.cpli, "18"), (on_plan, "10"), comments="Daughter away")
    over = Actual.objects.get(cpli=paying.cpli, week_start=LAST_WEEK)
    name = f"Ask for a temporary CPLI for {paying.person.full_name}, week of {LAST_WEEK:%d/%m/%Y}"
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, live_server.url, paying.carer.email)

    page.goto(f"{live_server.url}{week_url(paying, LAST_WEEK)}")
    expect(page.get_by_role("link", name="Ask for a temporary CPLI")).to_have_count(1)
    axe_check(page)

    page.goto(f"{live_server.url}{reverse('actuals:period', args=[period_of(paying).pk])}")
    expect(page.get_by_role("link", name="Ask for a temporary CPLI")).to_have_count(1)
    axe_check(page)
    page.get_by_role("link", name=name).click()
    expect(heading(page)).to_have_text("Ask for a temporary CPLI")
    assert page.url.endswith(f"?actual={over.pk}")
    expect(page.get_by_label("Extra each week")).to_have_value("4.00")
    axe_check(page)
    context.close()
