"""A document line's visits a week and, for a short break, its nights a year: published from the
form and the service, checked, shown on the page and in the PDF, valued in the purchase order,
and left out of the content (so the fingerprint) of a line that has neither."""

import hashlib
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from carebridge.contracts import services
from carebridge.contracts.choices import PricingBasis, Unit
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.contracts.pdf import document_pdf
from carebridge.contracts.purchase_orders import purchase_orders_of_client
from carebridge.contracts.selectors import purchase_order_value
from carebridge.contracts.tests.conftest import publish, url
from carebridge.contracts.tests.test_publishing import form_data, line_data, rejected
from tests.support import PASSWORD, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NEW = reverse("contracts:document_new")


@pytest.fixture
def nights(world):
    return services.service_level_create(
        council=world["council"], name="Short Break - Nightly", unit=Unit.NIGHTS, by=None
    )


def short_break(world, nights, **overrides):
    fields = {
        "service_level": nights,
        "quantity": Decimal("0"),
        "rate": Decimal("95.00"),
        "pricing_basis": PricingBasis.SPOT,
        "start_date": date(2026, 11, 23),
        "yearly_allocation": Decimal("28"),
        **overrides,
    }
    return services.Line(**fields)


def weekly(world, **overrides):
    fields = {
        "service_level": world["single"],
        "quantity": Decimal("3.5"),
        "rate": Decimal("16.16"),
        "pricing_basis": PricingBasis.SPOT,
        "start_date": date(2026, 11, 23),
        **overrides,
    }
    return services.Line(**fields)


def errors_of(world, *lines):
    with pytest.raises(ValidationError) as error:
        publish(world, lines=list(lines))
    assert not ContractDocument.objects.exists()
    return error.value.message_dict


# --- The service -------------------------------------------------------------------------------


def test_it_publishes_visits_a_week_and_a_short_breaks_nights_a_year(world, nights):
    document = publish(world, lines=[weekly(world, visits=14), short_break(world, nights)])
    home, respite = Cpli.objects.filter(document=document).order_by("pk")
    assert (home.visits, home.yearly_allocation, home.is_allocation) == (14, None, False)
    assert home.description == "3.5 x Hours at £16.16 (Spot)"
    assert respite.yearly_allocation == Decimal("28")
    assert respite.quantity == 0 and respite.visits == 0 and respite.is_allocation
    assert respite.description == "Up to 28 Nights a year at £95.00 (Spot)"
    assert respite.weekly_cost == 0
    assert respite.allocation_cost == Decimal("2660.00")


def test_a_short_break_has_no_quantity_a_week(world, nights):
    errors = errors_of(world, weekly(world), short_break(world, nights, quantity=Decimal("2")))
    assert errors == {
        "lines.2.quantity": [
            "A short break has no quantity a week: enter 0, or leave the nights a year empty"
        ]
    }


def test_a_short_break_is_counted_in_nights(world):
    errors = errors_of(world, short_break(world, world["single"]))
    assert errors == {
        "lines.1.yearly_allocation": [
            "Nights a year are for a short break: choose a service level counted in nights, or "
            "leave the nights a year empty"
        ]
    }


def test_a_short_break_has_more_than_0_nights_and_visits_are_not_negative(world, nights):
    errors = errors_of(
        world,
        short_break(world, nights, yearly_allocation=Decimal("0")),
        weekly(world, visits=-1),
    )
    assert errors == {
        "lines.1.yearly_allocation": ["The nights a year must be more than 0"],
        "lines.2.visits": ["The visits a week cannot be negative"],
    }


def test_a_weekly_line_still_needs_a_quantity(world):
    errors = errors_of(world, weekly(world, quantity=Decimal("0"), visits=7))
    assert errors == {"lines.1.quantity": ["The quantity a week must be more than 0"]}


# --- What is signed ----------------------------------------------------------------------------


def test_a_line_without_visits_or_nights_keeps_the_content_and_fingerprint_it_had(world):
    """Documents agreed before lines had visits and nights must keep their signature: their
    content is built exactly as it was, key for key."""
    document = publish(world)
    services.contract_document_agree(document=document, by=world["carer"], password=PASSWORD)
    document = ContractDocument.objects.get(pk=document.pk)
    cpli = document.cplis.get()
    # The content as it was built before visits and nights existed.
    before = {
        "reference": document.reference,
        "kind": "order",
        "council": world["council"].name,
        "client": world["person"].full_name,
        "ss_ref": "SS100001",
        "care_package_reference": "CP-0001",
        "service": "Domiciliary care",
        "lines": [
            {
                "service_level": "Home Care - Single Assist Fixed Rate (Hour)",
                "quantity": "3.50",
                "unit": "hours",
                "rate": "16.16",
                "pricing_basis": "spot",
                "weekly_cost": "56.56",
                "start_date": "2026-11-23",
                "end_date": None,
            }
        ],
    }
    assert cpli.visits == 0 and cpli.yearly_allocation is None
    assert services.document_content(document) == before
    canonical = json.dumps(before, sort_keys=True, separators=(",", ":"))
    assert services.document_fingerprint(document) == hashlib.sha256(canonical.encode()).hexdigest()
    assert document.signed_hash == services.document_fingerprint(document)


def test_visits_and_nights_are_in_what_is_signed_when_given(world, nights):
    document = publish(world, lines=[weekly(world, visits=14), short_break(world, nights)])
    home, respite = services.document_content(document)["lines"]
    assert home["visits"] == 14 and "yearly_allocation" not in home
    assert respite["yearly_allocation"] == "28.00" and "visits" not in respite
    before = services.document_fingerprint(document)
    Cpli.objects.filter(document=document, visits=14).update(visits=21)
    assert services.document_fingerprint(document) != before


# --- The form ----------------------------------------------------------------------------------


def test_the_form_asks_for_visits_and_nights_a_year_on_each_line(world):
    page = client_for(world["broker"]).get(NEW).content.decode()
    assert 'name="line_1_visits"' in page
    assert "Visits a week" in page
    assert 'name="line_1_yearly_allocation"' in page
    assert "Nights a year (short breaks only)" in page


def test_the_form_publishes_visits_and_a_short_break_with_its_quantity_left_empty(world, nights):
    data = form_data(
        world,
        line_data(1, world, visits="14"),
        line_data(
            2, world, service_level=nights.pk, quantity="", yearly_allocation="28", rate="95"
        ),
    )
    response = client_for(world["broker"]).post(NEW, data)
    assert response.status_code == 302
    home, respite = ContractDocument.objects.get().cplis.order_by("pk")
    assert home.visits == 14 and home.yearly_allocation is None
    assert respite.quantity == 0 and respite.visits == 0
    assert respite.yearly_allocation == Decimal("28")


def test_an_empty_quantity_is_still_an_error_of_a_weekly_line(world):
    page = client_for(world["broker"]).post(NEW, form_data(world, line_data(1, world, quantity="")))
    page = page.content.decode()
    assert 'href="#id_line_1_quantity"' in page
    assert "Enter the quantity a week of line 1" in page
    assert not ContractDocument.objects.exists()


def test_the_forms_messages_name_the_line_and_its_field(world, nights):
    data = form_data(
        world,
        line_data(1, world),
        line_data(2, world, visits="twice", yearly_allocation="lots"),
        line_data(3, world, visits="-2", yearly_allocation="28.125"),
    )
    page = client_for(world["broker"]).post(NEW, data).content.decode()
    assert 'href="#id_line_2_visits"' in page
    assert "Enter the visits a week of line 2 as a whole number, like 14" in page
    assert 'href="#id_line_2_yearly_allocation"' in page
    assert "Enter the nights a year of line 2 as a number, like 28" in page
    assert "The visits a week of line 3 cannot be negative" in page
    assert "Give the nights a year of line 3 to 2 decimal places at most" in page
    assert 'href="#id_line_1_visits"' not in page
    assert not ContractDocument.objects.exists()


def test_the_services_short_break_errors_go_against_the_right_lines_field(world, nights):
    data = form_data(
        world,
        line_data(1, world),
        line_data(2, world, quantity="3", yearly_allocation="28"),  # in hours, and weekly
        line_data(3, world, service_level=nights.pk, quantity="2", yearly_allocation="28"),
    )
    page = client_for(world["broker"]).post(NEW, data).content.decode()
    assert 'href="#id_line_2_yearly_allocation"' in page
    assert "Nights a year are for a short break: choose a service level counted in nights" in page
    assert 'href="#id_line_2_quantity"' in page
    assert 'href="#id_line_3_quantity"' in page
    assert "A short break has no quantity a week: enter 0, or leave the nights a year empty" in page
    assert 'href="#id_line_1_quantity"' not in page
    assert not ContractDocument.objects.exists()


def test_a_line_added_keeps_the_visits_and_nights_typed(world):
    data = form_data(world, line_data(1, world, visits="7", yearly_allocation="1x"), add_line="1")
    page = client_for(world["broker"]).post(NEW, data).content.decode()
    assert 'name="line_1_visits" value="7"' in page
    assert 'name="line_1_yearly_allocation" value="1x"' in page
    assert 'name="line_2_visits"' in page


def test_a_new_document_is_prefilled_with_the_visits_and_nights_of_the_rejected_one(world, nights):
    document = rejected(
        world, publish(world, lines=[weekly(world, visits=14), short_break(world, nights)])
    )
    page = client_for(world["broker"]).get(url("document_reissue", document)).content.decode()
    assert 'name="line_1_visits" value="14"' in page
    assert 'name="line_1_yearly_allocation"' in page
    assert 'name="line_1_yearly_allocation" value' not in page
    assert 'name="line_2_yearly_allocation" value="28"' in page
    assert 'name="line_2_quantity" value="0"' in page
    assert 'name="line_2_visits" value' not in page  # 0 visits: not given


# --- The page, the PDF and the purchase order --------------------------------------------------


def test_the_page_and_the_pdf_show_visits_and_the_nights_a_year(world, nights):
    document = publish(world, lines=[weekly(world, visits=14), short_break(world, nights)])
    page = client_for(world["carer"]).get(url("document_detail", document)).content.decode()
    assert "Visits a week" in page
    assert ">14</td>" in page
    assert "Up to 28 Nights a year at £95.00 (Spot)" in page
    assert "£2,660.00 a year" in page
    # The PDF's words, cell by cell, wrapped lines joined again.
    words = b" ".join(re.findall(rb"\((.*?)\) Tj", document_pdf(document, compress=False)))
    assert b"Visits a week" in words
    assert b"3.5 14 Hours" in words
    assert b"Up to 28 a year Nights" in words
    assert b"2,660.00 a year" in words


def test_a_short_breaks_purchase_order_value_is_its_allocation_at_the_rate(world, nights):
    document = publish(
        world,
        lines=[
            weekly(world),
            short_break(world, nights, start_date=date(2026, 11, 23), end_date=date(2027, 6, 30)),
        ],
    )
    services.contract_document_agree(document=document, by=world["carer"], password=PASSWORD)
    cplis = list(Cpli.objects.filter(document=document).order_by("pk"))
    home, respite = cplis
    weekly_value = home.commitment_in(year=2026, week_start=0)
    # 18 whole weeks and three days, as test_documents counts it.
    assert weekly_value == Decimal("56.56") * 18 + Decimal("24.24")
    # 28 nights at £95.00 in each financial year it runs in, however few of its days are in it.
    assert respite.commitment_in(year=2026, week_start=0) == Decimal("2660.00")
    assert respite.commitment_in(year=2027, week_start=0) == Decimal("2660.00")
    assert respite.commitment_in(year=2028, week_start=0) == 0
    assert respite.commitment_in(year=2025, week_start=0) == 0
    assert purchase_order_value(cplis, year=2026, week_start=0) == weekly_value + Decimal("2660")
    order = purchase_orders_of_client(world["carer"], world["person"].pk, year=2026)[0]
    assert order.value == weekly_value + Decimal("2660")
    assert [line.value for line in order.lines] == [weekly_value, Decimal("2660.00")]


# --- The catalogue's hospital limit -------------------------------------------------------------


def test_a_service_level_is_made_and_changed_with_its_hospital_limit(world):
    from carebridge.audit.models import Event

    shared = services.service_level_create(
        council=world["council"],
        name="Supported Living - Shared Support (Hour)",
        unit=Unit.HOURS,
        by=world["broker"],
        hospital_retainer_weeks=6,
    )
    assert shared.hospital_retainer_weeks == 6
    assert world["single"].hospital_retainer_weeks == 2  # the default
    changed = services.service_level_update(
        level=world["single"], by=world["broker"], hospital_retainer_weeks=3
    )
    assert changed.hospital_retainer_weeks == 3
    event = Event.objects.get(action="service_level.updated")
    assert (event.before, event.after) == (
        {"hospital_retainer_weeks": 2},
        {"hospital_retainer_weeks": 3},
    )
    with pytest.raises(ValueError, match="cannot be changed"):
        services.service_level_update(level=shared, by=world["broker"], unit=Unit.NIGHTS)
