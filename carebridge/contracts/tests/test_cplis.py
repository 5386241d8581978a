"""The CPLI list, its exports, and the purchase orders, as each persona sees them."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from carebridge.contracts import services
from carebridge.contracts.choices import PricingBasis, Unit
from carebridge.contracts.models import Cpli
from carebridge.contracts.purchase_orders import purchase_orders_of_client
from carebridge.core.calendar import now, to_london
from carebridge.core.formats import guide_date
from carebridge.organisations import services as org
from carebridge.people import services as people
from tests.support import (
    PASSWORD,
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_user,
)

pytestmark = pytest.mark.django_db

_people = iter(range(100001, 999999))


@pytest.fixture
def world():
    council = make_council("Ashdown Vale Council")
    provider = make_provider("Bluebell Lane Care")
    other_provider = make_provider("Zephyrine Domiciliary Services")
    make_contract(council, provider)
    make_contract(council, other_provider)
    broker = make_user(council=council, role="broker")
    return SimpleNamespace(
        council=council,
        provider=provider,
        other_provider=other_provider,
        service=org.service_create(provider=provider, name="Domiciliary care", postcode="M1 1AA"),
        night_service=org.service_create(provider=provider, name="Night sits", postcode="M1 1AA"),
        other_service=org.service_create(
            provider=other_provider, name="Other care", postcode="M1 1AA"
        ),
        broker=broker,
        officer=make_user(council=council, role="payments_officer"),
        carer=make_user(provider=provider, role="super_user_actuals"),
        reader=make_user(provider=provider, role="read_only"),
        other_carer=make_user(provider=other_provider, role="super_user_actuals"),
        stranger=make_user(provider=make_provider(), role="super_user_scheduled"),
        single=services.service_level_create(
            council=council,
            name="Home Care - Single Assist Fixed Rate (Hour)",
            unit=Unit.HOURS,
            by=broker,
        ),
        double=services.service_level_create(
            council=council, name="Home Care - Double Assist (Hour)", unit=Unit.HOURS, by=broker
        ),
    )


def person(world, first="Maisy", last="Goddard"):
    return people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref=f"SS{next(_people)}",
        first_name=first,
        last_name=last,
        date_of_birth=date(1940, 4, 23),
    )


def cpli(
    world,
    client,
    *,
    service=None,
    level=None,
    start=date(2026, 11, 23),
    end=None,
    agree=True,
    agreed_by=None,
):
    service = service or world.service
    line = services.Line(
        service_level=level or world.single,
        quantity=Decimal("3.5"),
        rate=Decimal("16.16"),
        pricing_basis=PricingBasis.SPOT,
        start_date=start,
        end_date=end,
    )
    document = services.contract_document_publish(
        council=world.council,
        service=service,
        service_user=client,
        care_package_reference=f"CP-{client.ss_ref}",
        lines=[line],
        by=world.broker,
    )
    if agree:
        by = agreed_by or (world.carer if service.provider_id == world.provider.pk else None)
        by = by or world.other_carer
        services.contract_document_agree(document=document, by=by, password=PASSWORD)
    return Cpli.objects.get(document=document)


def listed(user, **params):
    response = client_for(user).get(reverse("cplis:cpli_list"), params)
    assert response.status_code == 200
    return response


# --- The list ---------------------------------------------------------------------------------


def test_it_shows_the_providers_cplis_as_the_guide_writes_them(world):
    cpli(world, person(world), end=None)
    response = listed(world.carer)
    page = response.content.decode()
    assert "Maisy Goddard" in page
    assert "3.5 x Hours at £16.16 (Spot)" in page
    assert "£56.56" in page
    assert "23/11/2026" in page
    assert "Open" in page
    assert "Total number of line items = 1" in page


def test_it_shows_awaiting_agreement_with_its_status(world):
    cpli(world, person(world), agree=False)
    page = listed(world.carer).content.decode()
    assert "Awaiting agreement" in page
    assert "Total number of line items = 1" in page


def test_the_council_sees_its_cplis_of_every_provider(world):
    cpli(world, person(world, "Ada", "Lovelace"))
    cpli(world, person(world, "Bob", "Other"), service=world.other_service)
    page = listed(world.broker).content.decode()
    assert "Ada Lovelace" in page and "Bob Other" in page
    assert "Zephyrine Domiciliary Services" in page


def test_another_provider_sees_nothing(world):
    cpli(world, person(world))
    page = listed(world.stranger).content.decode()
    assert "Maisy Goddard" not in page
    assert "Total number of line items = 0" in page


def test_the_provider_does_not_see_another_providers_cplis(world):
    cpli(world, person(world, "Bob", "Other"), service=world.other_service)
    assert "Bob Other" not in listed(world.carer).content.decode()


def test_a_read_only_user_can_view_the_list(world):
    cpli(world, person(world))
    assert "Maisy Goddard" in listed(world.reader).content.decode()


def test_a_role_without_cplis_is_refused(world):
    admin = make_user(council=world.council, role="council_administrator")
    assert client_for(admin).get(reverse("cplis:cpli_list")).status_code == 403


def test_it_filters_by_service_client_and_service_level(world):
    ada = person(world, "Ada", "Lovelace")
    cpli(world, ada)
    cpli(world, person(world, "Bob", "Night"), service=world.night_service, level=world.double)
    assert "Bob Night" not in listed(world.carer, service=world.service.pk).content.decode()
    assert "Ada Lovelace" not in listed(world.carer, service_level=world.double.pk).content.decode()
    by_name = listed(world.carer, client="love").content.decode()
    assert "Ada Lovelace" in by_name and "Bob Night" not in by_name
    by_ref = listed(world.carer, client=ada.ss_ref.lower()).content.decode()
    assert "Ada Lovelace" in by_ref and "Bob Night" not in by_ref


def test_an_unknown_filter_value_is_ignored(world):
    cpli(world, person(world))
    assert "Maisy Goddard" in listed(world.carer, service="999999").content.decode()


def test_ended_cplis_show_only_when_historical_is_included(world):
    today = to_london(now()).date()
    ended = cpli(world, person(world, "Old", "Package"), start=today - timedelta(days=60))
    services.contract_document_terminate(
        document=ended.document,
        end_date=today - timedelta(days=14),
        reason="The client moved away",
        by=world.broker,
    )
    assert Cpli.objects.get(pk=ended.pk).status == "ended"
    cpli(world, person(world))
    assert "Old Package" not in listed(world.carer).content.decode()
    page = listed(world.carer, historical="on").content.decode()
    assert "Old Package" in page and guide_date(today - timedelta(days=14)) in page


def test_a_rejected_cpli_is_never_listed(world):
    document = services.contract_document_publish(
        council=world.council,
        service=world.service,
        service_user=person(world, "Never", "Agreed"),
        care_package_reference="CP-X",
        lines=[services.Line(world.single, Decimal(1), Decimal(10), "spot", date(2026, 11, 23))],
        by=world.broker,
    )
    services.contract_document_reject(
        document=document, by=world.carer, password=PASSWORD, notes="Cannot staff it"
    )
    assert "Never Agreed" not in listed(world.carer, historical="on").content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_a_fixed_number_of_queries(world, count, django_assert_num_queries):
    for n in range(count):
        cpli(world, person(world, f"Client{n}", "Example"))
    client = client_for(world.carer)
    client.get(reverse("cplis:cpli_list"))  # session warmed
    # One of them is the header's actions indicator, one the councils the provider works with
    # (the bar saying which council's work the page shows, read once for the page), one the
    # councils that buy residential or nursing care from it (the menu offers Actuals or not).
    with django_assert_num_queries(9):
        response = client.get(reverse("cplis:cpli_list"))
    assert f"Total number of line items = {count}" in response.content.decode()


# --- Exports ----------------------------------------------------------------------------------


def test_the_excel_export_has_every_row_with_money_and_dates_as_themselves(world):
    for n in range(55):
        cpli(world, person(world, f"Client{n:02d}", "Example"))
    cpli(world, person(world, '=HYPERLINK("http://evil")', "Sneaky"), end=date(2027, 1, 3))
    response = client_for(world.carer).get(reverse("cplis:cpli_export_xlsx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Client", "SS Ref", "Provider")
    assert len(rows) == 1 + 56
    first = next(sheet.iter_rows(min_row=2, max_row=2))
    assert first[0].value == "Client00 Example"
    assert first[5].value == "3.5 x Hours at £16.16 (Spot)"
    assert first[6].value == pytest.approx(56.56)
    assert first[6].number_format == "£#,##0.00"
    assert first[7].value.date() == date(2026, 11, 23)
    assert first[8].value is None
    sneaky = next(row for row in rows if "Sneaky" in row[0])
    assert sneaky[0].startswith("'=HYPERLINK")
    assert sneaky[8].date() == date(2027, 1, 3)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_csv_export_follows_the_filters_and_neutralises_formulas(world):
    cpli(world, person(world, "@SUM(A1)", "Sneaky"))
    cpli(world, person(world, "Bob", "Night"), service=world.night_service)
    response = client_for(world.carer).get(
        reverse("cplis:cpli_export_csv"), {"service": world.service.pk}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Client"
    assert len(rows) == 2
    assert rows[1][0] == "'@SUM(A1) Sneaky"
    assert rows[1][6] == "56.56"
    assert rows[1][7] == "23/11/2026"


def test_an_unknown_export_format_is_not_found(world):
    assert client_for(world.carer).get("/cplis/export.pdf").status_code == 404


def test_another_provider_exports_nothing(world):
    cpli(world, person(world))
    response = client_for(world.stranger).get(reverse("cplis:cpli_export_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1


# --- Purchase orders ---------------------------------------------------------------------------


def test_a_cpli_across_two_financial_years_is_split_to_the_penny(world):
    client = person(world)
    item = cpli(world, client, start=date(2026, 11, 23), end=date(2027, 6, 13))
    # 18 full weeks and 3 days (Mon to Wed) before April; 4 days (Thu to Sun) and 10 weeks after.
    first = purchase_orders_of_client(world.carer, client.pk, year=2026)
    second = purchase_orders_of_client(world.carer, client.pk, year=2027)
    assert first[0].value == Decimal("1042.32")
    assert second[0].value == Decimal("597.92")
    assert first[0].value + second[0].value == 29 * item.weekly_cost


def test_the_purchase_order_list_shows_value_spend_and_issue_date(world):
    client = person(world)
    cpli(world, client, start=date(2026, 11, 23), end=date(2027, 6, 13))
    response = client_for(world.carer).get(reverse("cplis:po_list"), {"year": 2026})
    page = response.content.decode()
    assert "Goddard, Maisy" in page
    assert "2026/27" in page
    assert "£1,042.32" in page
    # Nothing paid yet: the spend is nothing and the whole value remains.
    assert "£0.00" in page and page.count("£1,042.32") == 2
    issued = Cpli.objects.get(service_user=client).document.answered_at
    assert issued.strftime("%d/%m/%Y") in page


def test_the_purchase_order_list_defaults_to_the_current_financial_year(world):
    cpli(world, person(world), start=date(2020, 4, 6), end=date(2020, 5, 3))
    page = client_for(world.carer).get(reverse("cplis:po_list")).content.decode()
    assert "Goddard, Maisy" not in page
    page = client_for(world.carer).get(reverse("cplis:po_list"), {"year": 2020}).content.decode()
    assert "Goddard, Maisy" in page and "£226.24" in page


def test_the_council_sees_one_purchase_order_per_client_and_provider(world):
    client = person(world)
    cpli(world, client)
    cpli(world, client, service=world.other_service)
    page = client_for(world.officer).get(reverse("cplis:po_list"), {"year": 2026})
    text = page.content.decode()
    assert text.count("Goddard, Maisy") == 2
    assert "Zephyrine Domiciliary Services" in text


def test_the_purchase_order_list_filters_by_client(world):
    cpli(world, person(world, "Ada", "Lovelace"))
    cpli(world, person(world, "Bob", "Night"))
    text = (
        client_for(world.carer)
        .get(reverse("cplis:po_list"), {"year": 2026, "client": "ada"})
        .content.decode()
    )
    assert "Lovelace, Ada" in text and "Night, Bob" not in text


@pytest.mark.parametrize("count", [3, 30])
def test_the_purchase_order_list_takes_a_fixed_number_of_queries(
    world, count, django_assert_num_queries
):
    for n in range(count):
        cpli(world, person(world, f"Client{n}", "Example"))
    client = client_for(world.carer)
    client.get(reverse("cplis:po_list"))
    # One of them is the header's actions indicator, one the councils the provider works with
    # (the council bar), one the page's spend to date, one the councils that buy residential or
    # nursing care from it (the menu offers Actuals or not).
    with django_assert_num_queries(12):
        response = client.get(reverse("cplis:po_list"), {"year": 2026})
    assert f"Purchase orders for 2026/27 = {count}" in response.content.decode()


def test_the_purchase_order_shows_each_cpli_and_the_total(world):
    client = person(world)
    cpli(world, client, start=date(2026, 11, 23), end=date(2027, 6, 13))
    cpli(world, client, level=world.double, start=date(2027, 1, 4), end=date(2027, 1, 31))
    url = reverse("cplis:po_detail", args=[client.pk, 2026])
    page = client_for(world.reader).get(url).content.decode()
    assert "Home Care - Double Assist (Hour)" in page
    assert "£1,042.32" in page  # the first line's amount
    assert "£226.24" in page  # four full weeks of the second
    assert "£1,268.56" in page  # the total


@pytest.mark.parametrize("who", ["stranger", "other_carer"])
def test_another_organisations_purchase_order_is_not_found(world, who):
    client = person(world)
    cpli(world, client)
    url = reverse("cplis:po_detail", args=[client.pk, 2026])
    assert client_for(getattr(world, who)).get(url).status_code == 404
    assert client_for(world.carer).get(url).status_code == 200
    assert client_for(world.broker).get(url).status_code == 200


def test_another_councils_purchase_order_is_not_found(world):
    client = person(world)
    cpli(world, client)
    outsider = make_user(council=make_council(), role="payments_officer")
    url = reverse("cplis:po_detail", args=[client.pk, 2026])
    assert client_for(outsider).get(url).status_code == 404


def test_a_year_without_cplis_is_not_found(world):
    client = person(world)
    cpli(world, client)
    url = reverse("cplis:po_detail", args=[client.pk, 2025])
    assert client_for(world.carer).get(url).status_code == 404


def test_the_issue_date_is_the_first_agreement_in_the_year(world):
    client = person(world)
    cpli(world, client)
    order = purchase_orders_of_client(world.carer, client.pk, year=2026)[0]
    assert order.issued_at is not None
    assert order.issued_at <= datetime.now(UTC)
