"""A provider's week of actuals in a real browser, counted: 100 clients, 5 variations.

The provider opens the Actuals section (Record actuals: last week, its service), reads the page's
Help once (uncounted: a person reads before acting), generates the week from the plan, changes
five rows over two pages (each with a comment), saves, reviews the period's exceptions and
confirms. Issue 5 allows at most 20 clicks and fills for that (25 with the missed reasons of
issue 17), with no JavaScript shortcut; the test counts every one, a section's click included.
Every control the journey uses is named on its page or in the page's help topic (issue 21): the
journey uses only what the pages and their help say. Then, uncounted, a row saved without its
comment shows the error summary, the bulk export and import pages are reached by the week page's
links, and the council sees the confirmation.

Every page visited is checked with axe (WCAG 2.2 AA) and for CSP or 404 errors in the console.
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Confirmation
from carebridge.actuals.periods import WEEK, week_of
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis, Unit
from carebridge.core.calendar import today
from carebridge.core.permissions import Role
from carebridge.organisations import services as org
from carebridge.people import services as people
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import (
    error_summary,
    heading,
    help_link,
    log_in,
    menu_link,
    success_banner,
)
from tests.support import PASSWORD, make_contract, make_council, make_provider, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE = "Harbourside Home Care - Marsh Lane"
LEVEL = "Home Care - Single Assist Fixed Rate"
FIRST = ["Ada", "Bill", "Cora", "Dev", "Edna", "Fred", "Gwen", "Hari", "Iris", "Joe"]
LAST = [
    "Abbott",
    "Barker",
    "Carver",
    "Dunmore",
    "Ellery",
    "Fairweather",
    "Goodall",
    "Hartley",
    "Ingram",
    "Jessop",
]
# Twenty, and the five missed reasons the rulebook pays by (issue 17).
LIMIT = 25
# The help topic of the Record actuals page (carebridge/help/content/actuals.py).
HELP_TOPIC = "record-actuals"


class Named:
    """The words a provider has to go on: the page's help topic, read once, and the page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.help_text = ""

    def read_help(self) -> None:
        """Open the page's Help link, read the topic, and come back (uncounted: reading)."""
        link = help_link(self.page)
        expect(link).to_have_attribute("href", f"/help/{HELP_TOPIC}/")
        link.click()
        expect(heading(self.page)).to_have_text("Record actuals")
        axe_check(self.page)
        self.help_text = self.page.locator("main").inner_text()
        self.page.go_back()

    def check(self, label: str) -> None:
        """The control's label is in the help topic or on the page in front of the provider."""
        on_page = label in self.page.locator("main").inner_text()
        assert label in self.help_text or on_page, (
            f"{label!r} is named neither on {self.page.url} nor in the {HELP_TOPIC} help topic"
        )


class Counted:
    """Clicks and fills, counted: the journey's interactions go through here."""

    def __init__(self, named: Named) -> None:
        self.count = 0
        self.named = named

    def uses(self, label: str) -> "Counted":
        self.named.check(label)
        return self

    def click(self, locator: Any) -> None:
        self.count += 1
        locator.click()

    def fill(self, locator: Any, value: str) -> None:
        self.count += 1
        locator.fill(value)

    def select(self, locator: Any, label: str) -> None:
        self.count += 1
        locator.select_option(label=label)


def _setup() -> dict[str, Any]:
    council = make_council("Ashdown Vale Council")
    provider = make_provider("Harbourside Home Care")
    make_contract(council, provider)
    broker = make_user(council=council, role=Role.BROKER, email="broker@ashdown.example")
    officer = make_user(
        council=council, role=Role.PAYMENTS_OFFICER, email="payments@ashdown.example"
    )
    carer = make_user(
        provider=provider, role=Role.SUPER_USER_ACTUALS, email="office@harbourside.example"
    )
    service = org.service_create(provider=provider, name=SERVICE, postcode="NG22 8QA")
    level = contracts.service_level_create(council=council, name=LEVEL, unit=Unit.HOURS, by=broker)
    start = week_of(today(), 0) - 8 * WEEK
    for n in range(100):
        person = people.service_user_create(
            council=council,
            by=broker,
            ss_ref=f"AV{100000 + n}",
            first_name=FIRST[n % 10],
            last_name=LAST[n // 10],
            date_of_birth=date(1940, 1, 1) + timedelta(days=n * 97),
        )
        document = contracts.contract_document_publish(
            council=council,
            service=service,
            service_user=person,
            care_package_reference=f"CP-{n:04d}",
            lines=[
                contracts.Line(
                    service_level=level,
                    quantity=Decimal("14"),
                    rate=Decimal("16.16"),
                    pricing_basis=PricingBasis.SPOT,
                    start_date=start,
                )
            ],
            by=broker,
        )
        contracts.contract_document_agree(document=document, by=carer, password=PASSWORD)
    actuals.periods_open()
    return {"carer": carer, "officer": officer}


def _row_input(page: Any, field: str, who: str) -> Any:
    return page.get_by_label(f"{field} for {who}, {LEVEL}", exact=True)


def _vary(act: Counted, page: Any, who: str, **fields: str) -> None:
    """Change one client's row: Actual, Msd, Missed because and Comments, as given."""
    for field in ("Actual", "Msd", "Missed because", "Comments"):
        key = field.lower().replace(" ", "_")
        if key not in fields:
            continue
        act.uses(field)
        if field == "Missed because":
            act.select(_row_input(page, field, who), fields[key])
        else:
            act.fill(_row_input(page, field, who), fields[key])


def test_a_week_of_actuals_for_100_clients_with_5_variations_in_25_interactions(
    chromium: Any, live_server: Any
) -> None:
    people_ = _setup()
    last_week = week_of(today(), 0) - WEEK
    base_url = live_server.url
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, base_url, people_["carer"].email)
    named = Named(page)
    act = Counted(named)

    # --- Generate the week from the plan -------------------------------------------------------
    # The Actuals section opens its first page, Record actuals (a click like any other).
    act.click(menu_link(page, "Actuals"))
    expect(heading(page)).to_have_text(f"Week beginning {last_week:%d/%m/%Y}")
    expect(page.locator("main")).to_contain_text("100 lines have no actuals")
    axe_check(page)
    named.read_help()
    expect(heading(page)).to_have_text(f"Week beginning {last_week:%d/%m/%Y}")
    act.uses("Generate actuals").click(page.get_by_role("button", name="Generate actuals"))
    expect(success_banner(page)).to_contain_text("Actuals generated for 100 lines")
    expect(page.locator("main")).to_contain_text("Total: £22,624.00 of £22,624.00")
    axe_check(page)

    # --- Five variations over the two pages ----------------------------------------------------
    # Delivered less than planned (notice given): Actual and Msd, with a comment.
    _vary(
        act,
        page,
        "Ada Abbott",
        actual="10",
        msd="4",
        missed_because="Planned absence with notice",
        comments="Holiday, 4 hours cancelled in advance",
    )
    # The client refused care: Actual stays as planned, Msd shows it (an exception on purpose).
    refused = "Non-engagement by the person"
    _vary(
        act, page, "Bill Abbott", msd="2", missed_because=refused, comments="Client refused 2 hours"
    )
    _vary(
        act, page, "Cora Barker", msd="1", missed_because=refused, comments="Client refused a call"
    )
    act.uses("Save and go to the next page").click(
        page.get_by_role("button", name="Save and go to the next page")
    )
    expect(success_banner(page)).to_contain_text("3 actuals saved")
    axe_check(page)
    _vary(
        act,
        page,
        "Joe Jessop",
        actual="12",
        msd="2",
        missed_because="Provider unable to deliver",
        comments="Carer unwell, calls not rearranged",
    )
    _vary(
        act, page, "Iris Jessop", msd="1", missed_because=refused, comments="Client refused a call"
    )
    act.uses("Save changes").click(page.get_by_role("button", name="Save changes"))
    expect(success_banner(page)).to_contain_text("2 actuals saved")
    expect(page.locator("main")).to_contain_text("Under plan")
    axe_check(page)
    assert Actual.objects.filter(week_start=last_week, does_not_add_up=True).count() == 3

    # --- Review the exceptions and confirm ----------------------------------------------------
    # In the Actuals section's sub-navigation, beside Record actuals.
    act.uses("Confirm actuals").click(menu_link(page, "Confirm actuals"))
    expect(heading(page)).to_have_text("Confirm actuals")
    axe_check(page)
    period = f"{last_week:%d/%m/%Y} to"
    act.uses(period).click(page.get_by_role("link", name=period, exact=False).first)
    main = page.locator("main")
    expect(main).to_contain_text("Does not add up")
    for who in ("Bill Abbott", "Cora Barker", "Iris Jessop"):
        expect(main).to_contain_text(who)
    axe_check(page)
    act.uses("Confirm actuals").click(page.get_by_role("button", name="Confirm actuals"))
    expect(success_banner(page)).to_contain_text("Actuals confirmed")
    axe_check(page)
    assert Confirmation.objects.filter(period__start_date=last_week).count() == 1
    print(f"The weekly journey took {act.count} counted interactions (at most {LIMIT})")
    assert act.count <= LIMIT, f"The weekly journey took {act.count} interactions"

    # --- Uncounted: a change without its comment is refused against its row --------------------
    menu_link(page, "Actuals").click()
    page.get_by_role("link", name="Add/Edit actuals for Dev Abbott").click()
    expect(heading(page)).to_have_text("Dev Abbott (AV100003)")
    axe_check(page)
    _row_input(page, "Actual", "Dev Abbott").fill("13")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(error_summary(page)).to_contain_text(
        "Comments must be completed if anything other than the planned service"
    )
    axe_check(page)
    # The CSV pages, by the links the week page offers under Bulk import and export.
    page.get_by_role("link", name="Back").first.click()
    expect(heading(page)).to_have_text(f"Week beginning {last_week:%d/%m/%Y}")
    named.check("Actuals bulk export")
    page.get_by_role("link", name="Actuals bulk export").click()
    expect(page).to_have_url(re.compile(r"/actuals/bulk/export/"))
    axe_check(page)
    page.go_back()
    named.check("Actuals bulk import")
    page.get_by_role("link", name="Actuals bulk import").click()
    expect(page).to_have_url(re.compile(r"/actuals/bulk/import/"))
    axe_check(page)
    context.close()

    # --- The council sees the confirmation ----------------------------------------------------
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, base_url, people_["officer"].email)
    menu_link(page, "Actuals").click()
    row = page.get_by_role("row").filter(has_text="Harbourside Home Care")
    expect(row).to_contain_text("Confirmed")
    expect(row).to_contain_text("3")  # exceptions
    axe_check(page)
    context.close()
