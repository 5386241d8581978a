"""The council's drill-down from its confirmation overview into one provider's period: the rows,
their filters, the CSV and Excel downloads, who may see them, and the audit of each view."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from carebridge.actuals import services
from carebridge.actuals.models import Period
from carebridge.actuals.tests.conftest import item, set_level, weeks_ago
from carebridge.audit.models import Event
from carebridge.people import services as people
from tests.support import client_for, make_provider

pytestmark = pytest.mark.django_db

WEEK = weeks_ago(1)


def period_of(council) -> Period:
    return Period.objects.get(council=council, start_date__lte=WEEK, end_date__gte=WEEK)


def review_url(world, name: str = "council_review", provider=None) -> str:
    period = period_of(world.council)
    return reverse(f"actuals:{name}", args=[period.pk, (provider or world.provider).pk])


def add_client(world, number: int, last_name: str = "", first_name: str = "Rachel"):
    """Another client of the provider with a 14-hour line, and its actuals generated."""
    person = people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref=f"RG{number:04d}",
        first_name=first_name,
        last_name=last_name or f"Client{number:04d}",
        date_of_birth=date(1950, 1, 1),
    )
    (cpli,) = world.agree(world.line("14"), person=person)
    services.actuals_generate(world.carer, weeks=[WEEK])
    return person, cpli


@pytest.fixture
def reviewed(world):
    """Last week generated for the world's client (14 hours as planned) and a second client
    whose row was changed: 20 hours delivered with 6 extra, a comment and a variation code, over
    the plan by more than the council allows."""
    services.actuals_generate(world.carer, weeks=[WEEK])
    _person, cpli = add_client(world, 1, last_name="Abbott", first_name="Ross")
    services.actuals_save(
        world.carer,
        [
            item(
                cpli,
                WEEK,
                "20",
                extra="6",
                variation_code="=HYPERLINK(1)",
                comments="@SUM(A1) extra visits agreed",
            )
        ],
    )
    return world


def page(world, user=None, **query) -> str:
    response = client_for(user or world.payments_officer).get(review_url(world), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_overview_links_each_provider_to_its_rows_for_the_period(reviewed):
    response = client_for(reviewed.payments_officer).get(reverse("actuals:council_overview"))
    body = response.content.decode()
    assert review_url(reviewed) in body
    assert review_url(reviewed, provider=reviewed.other_provider) in body


def test_it_shows_every_row_by_client_with_figures_comments_exceptions_and_totals(reviewed):
    body = page(reviewed)
    # Abbott before Geller: by client.
    assert body.index("Ross Abbott") < body.index("Monica Geller")
    assert "@SUM(A1) extra visits agreed" in body
    assert "=HYPERLINK(1)" in body
    assert "Over plan by more than" in body
    assert "2 rows for 2 clients" in body
    # 14 + 20 hours at £16.16, the changed client's total shown with them.
    assert "£549.44" in body and "£452.48" in body  # the cost, and the planned cost (28 hours)
    assert "client total £323.20" in body
    assert 'Rows with exceptions</dt><dd class="govuk-summary-list__value">1<' in body


def test_the_filters_narrow_the_rows(reviewed):
    assert "1 row for 1 client" in page(reviewed, exceptions_only="on")
    assert "Ross Abbott" in page(reviewed, changed_only="on")
    assert "Monica Geller" not in page(reviewed, changed_only="on")
    assert "Ross Abbott" not in page(reviewed, client="MG123")
    assert "Monica Geller" in page(reviewed, client="geller")
    reviewed.agree(reviewed.line("7", level=reviewed.nights))
    services.actuals_generate(reviewed.carer, weeks=[WEEK])
    assert "3 rows" in page(reviewed)
    hours = str(reviewed.hours.pk)
    assert "2 rows" in page(reviewed, service_level=hours, service=str(reviewed.service.pk))
    assert "1 row for 1 client" in page(reviewed, service_level=str(reviewed.nights.pk))


def test_a_value_that_is_not_a_choice_is_ignored(reviewed):
    assert "2 rows" in page(reviewed, service="99999", service_level="x", client="x" * 500)


def test_the_csv_holds_the_filtered_rows_neutralised(reviewed):
    response = client_for(reviewed.payments_officer).get(
        review_url(reviewed, "council_review_csv"), {"changed_only": "on"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    header, row = rows
    values = dict(zip(header, row, strict=True))
    assert values["Client"] == "Ross Abbott"
    assert values["Actual"] == "20.00" and values["Xtr"] == "6.00" and values["Pl"] == "14.00"
    assert values["Cost"] == "323.20"
    assert values["Variation code"] == "'=HYPERLINK(1)"
    assert values["Comments"] == "'@SUM(A1) extra visits agreed"
    assert values["Week beginning"] == WEEK.strftime("%d/%m/%Y")
    assert "Over plan by more than" in values["Exceptions"]


def test_the_excel_file_has_typed_cells(reviewed):
    response = client_for(reviewed.payments_officer).get(
        review_url(reviewed, "council_review_xlsx")
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == ["Ross Abbott", "Monica Geller"]
    first = rows[0]
    assert first[4].value.date() == WEEK and first[4].number_format == "DD/MM/YYYY"
    assert first[10].value == 20 and first[9].data_type == "n"
    assert first[16].value == pytest.approx(323.2) and first[16].data_type == "n"
    assert first[16].number_format == "£#,##0.00"
    assert first[13].value == "'=HYPERLINK(1)" and first[13].data_type == "s"


def test_each_view_and_download_is_audited_with_its_rows(reviewed):
    client = client_for(reviewed.payments_officer)
    client.get(review_url(reviewed))
    client.get(review_url(reviewed, "council_review_xlsx"), {"exceptions_only": "on"})
    seen = Event.objects.get(action="actuals.reviewed")
    assert seen.council_id == reviewed.council.pk
    assert seen.detail["count"] == 2 and seen.detail["provider"] == reviewed.provider.pk
    exported = Event.objects.get(action="actuals.review_exported")
    assert exported.detail["count"] == 1 and exported.detail["format"] == "xlsx"


def queries(client, url: str, **query) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_queries_do_not_grow_with_the_rows(world):
    services.actuals_generate(world.carer, weeks=[WEEK])
    add_client(world, 1)
    client = client_for(world.payments_officer)
    # The session's first request saves it once: not a cost of the rows.
    client.get(reverse("actuals:council_overview"))
    names = ("council_review", "council_review_csv", "council_review_xlsx")
    few = {name: queries(client, review_url(world, name)) for name in names}
    for number in range(2, 20):
        add_client(world, number)
    many = {name: queries(client, review_url(world, name)) for name in names}
    assert "20 rows for 20 clients" in page(world)
    assert many == few


@pytest.mark.parametrize("name", ["council_review", "council_review_csv", "council_review_xlsx"])
def test_another_councils_period_or_a_provider_not_of_the_council_is_not_found(reviewed, name):
    officer = client_for(reviewed.other_officer)
    assert officer.get(review_url(reviewed, name)).status_code == 404
    # Our own period with a provider the council does not contract with.
    officer = client_for(reviewed.payments_officer)
    unknown = make_provider("Nowhere Care")
    period = period_of(reviewed.council)
    assert officer.get(reverse(f"actuals:{name}", args=[period.pk, unknown.pk])).status_code == 404
    # Another council's period with our own provider.
    theirs = period_of(reviewed.other_council)
    url = reverse(f"actuals:{name}", args=[theirs.pk, reviewed.provider.pk])
    assert officer.get(url).status_code == 404
    assert not Event.objects.filter(action__startswith="actuals.review")


@pytest.mark.parametrize("name", ["council_review", "council_review_csv", "council_review_xlsx"])
def test_only_council_roles_with_actuals_see_the_rows(reviewed, name):
    url = review_url(reviewed, name)
    assert client_for(reviewed.broker).get(url).status_code == 403
    assert client_for(reviewed.carer).get(url).status_code == 403
    assert client_for(reviewed.payments_officer).get(url).status_code == 200
    assert not Event.objects.filter(action__startswith="actuals.review", actor=reviewed.broker)


@pytest.fixture
def two(clock, two_council_provider):
    return two_council_provider


def test_a_provider_of_two_councils_shows_each_council_only_its_own_rows(two):
    services.actuals_generate(two.carer, weeks=[two.week], council_id=two.weekly.pk)
    url = reverse("actuals:council_review", args=[two.open_period.pk, two.provider.pk])
    body = client_for(two.weekly_officer).get(url).content.decode()
    assert two.weekly_person.full_name in body
    assert two.four_weekly_person.full_name not in body
    assert "1 row for 1 client" in body
    theirs = reverse("actuals:council_review", args=[two.paid_period.pk, two.provider.pk])
    assert client_for(two.weekly_officer).get(theirs).status_code == 404
    body = client_for(two.four_weekly_officer).get(theirs).content.decode()
    assert two.four_weekly_person.full_name in body
    assert two.weekly_person.full_name not in body


def test_the_officer_is_offered_to_dispute_the_providers_rows(reviewed):
    response = client_for(reviewed.payments_officer).get(review_url(reviewed))
    period = period_of(reviewed.council)
    raise_url = reverse("disputes:dispute_raise", args=[period.pk, reviewed.provider.pk])
    assert f'href="{raise_url}"' in response.content.decode()
    assert client_for(reviewed.payments_officer).get(raise_url).status_code == 200


def test_a_missed_rows_reason_is_shown_and_downloaded(world):
    services.actuals_generate(world.carer, weeks=[WEEK])
    services.actuals_save(
        world.carer,
        [
            item(
                world.cpli,
                WEEK,
                "12",
                missed="2",
                missed_reason="non_engagement",
                comments="Refused two calls",
            )
        ],
    )
    officer = client_for(world.payments_officer)
    page = officer.get(review_url(world)).content.decode()
    assert "Missed because:</span> Non-engagement by the person" in page
    response = officer.get(review_url(world, "council_review_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert dict(zip(header, row, strict=True))["Missed because"] == "Non-engagement by the person"


def test_fixed_hours_that_varied_are_among_the_exceptions(world):
    set_level(world.cpli.service_level, fixed_hours=True)
    services.actuals_generate(world.carer, weeks=[WEEK])
    services.actuals_save(
        world.carer, [item(world.cpli, WEEK, "13", missed="1", comments="Left early")]
    )
    officer = client_for(world.payments_officer)
    page = officer.get(review_url(world), {"exceptions_only": "on"}).content.decode()
    assert "Fixed hours varied" in page
    assert "1 row for 1 client" in page
