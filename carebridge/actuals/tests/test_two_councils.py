"""A provider that works for two councils with different rulebooks (tests/support.py's
make_two_council_provider): each council's period is shown, generated, exported, imported and
confirmed on its own, and nothing of one council's is presented as the other's."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carebridge.actuals import csvio, services
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.periods import WEEK
from carebridge.actuals.rules import Entry
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis
from tests.support import (
    DOUBLE_ASSIST,
    PASSWORD,
    TwoCouncilProvider,
    client_for,
    make_two_council_provider,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(clock, two_council_provider) -> TwoCouncilProvider:
    """The shared persona (the root conftest.py), made once the clock is frozen."""
    return two_council_provider


def week_page(two: TwoCouncilProvider, **extra) -> str:
    query = {"service": two.service.pk, "week": two.week.isoformat(), **extra}
    response = client_for(two.carer).get(reverse("actuals:week"), query)
    assert response.status_code == 200
    return response.content.decode()


def backdated_line(two: TwoCouncilProvider):
    """A four-weekly line agreed after its period was paid, starting in that period: its paid
    weeks have no actuals and never will."""
    document = contracts.contract_document_publish(
        council=two.four_weekly,
        service=two.service,
        service_user=two.four_weekly_person,
        care_package_reference="CP-BACKDATED",
        lines=[
            contracts.Line(
                service_level=two.four_weekly_level,
                quantity=two.four_weekly_cpli.quantity,
                rate=two.four_weekly_cpli.rate,
                pricing_basis=PricingBasis.SPOT,
                start_date=two.paid_period.start_date,
                end_date=None,
                visits=3,
            )
        ],
        by=two.four_weekly_broker,
    )
    contracts.contract_document_agree(document=document, by=two.carer, password=PASSWORD)
    return document.cplis.get()


# --- The builder --------------------------------------------------------------------------------


def test_the_shared_world_has_one_week_paid_at_one_council_and_open_at_the_other(two):
    assert two.paid_period.council == two.four_weekly and two.paid_period.is_paid
    assert two.open_period.council == two.weekly and not two.open_period.is_paid
    assert two.paid_period.start_date <= two.week <= two.paid_period.end_date
    assert two.open_period.start_date == two.week
    assert two.weekly.rulebook.actuals_csv_layout != two.four_weekly.rulebook.actuals_csv_layout
    assert two.weekly_level.name == two.four_weekly_level.name


# --- 16: the week page --------------------------------------------------------------------------


def test_the_week_page_shows_each_councils_period_so_a_paid_one_never_hides_an_open_one(two):
    page = week_page(two)
    for council in (two.weekly, two.four_weekly):
        assert council.name in page
    assert "4-weekly" in page and "Weekly" in page
    assert "The payment for this period has been processed" in page
    # The open council's line has its inputs; the paid council's line is shown, not editable.
    assert f'name="line{two.weekly_cpli.pk}-actual"' in page
    assert f'name="line{two.four_weekly_cpli.pk}-actual"' not in page
    assert "Generate actuals" in page
    assert "Save changes" in page


def test_saving_the_week_changes_the_open_councils_rows_only(two):
    data = {
        "service": two.service.pk,
        "week": two.week.isoformat(),
        "rows": [two.weekly_cpli.pk],
        f"line{two.weekly_cpli.pk}-actual": "9",
        f"line{two.weekly_cpli.pk}-missed": "1",
        f"line{two.weekly_cpli.pk}-missed_reason": "short_notice",
        f"line{two.weekly_cpli.pk}-visits": "10",
        f"line{two.weekly_cpli.pk}-comments": "One call cancelled by the family",
    }
    response = client_for(two.carer).post(reverse("actuals:week"), data)
    assert response.status_code == 302
    assert Actual.objects.get(cpli=two.weekly_cpli, week_start=two.week).actual == 9


# --- 17: generate and confirm -------------------------------------------------------------------


def test_generate_fills_the_open_councils_week_when_the_other_councils_period_is_paid(two):
    backdated_line(two)
    client = client_for(two.carer)
    response = client.post(
        reverse("actuals:generate"),
        {"service": two.service.pk, "week": two.week.isoformat(), "council": two.weekly.pk},
    )
    assert response.status_code == 302
    assert Actual.objects.filter(cpli=two.weekly_cpli, week_start=two.week).exists()
    page = client.get(response["Location"]).content.decode()
    assert f"Actuals generated for {two.weekly.name} for 1 line" in page
    # The open period can now be confirmed; the paid one was never touched.
    confirmation = services.actuals_confirm(two.carer, two.open_period)
    assert confirmation.period == two.open_period
    assert not Actual.objects.filter(period=two.paid_period, cpli__visits=3).exists()


def test_generate_without_a_council_does_each_council_and_says_which_was_refused(two):
    backdated_line(two)
    client = client_for(two.carer)
    response = client.post(
        reverse("actuals:generate"), {"service": two.service.pk, "week": two.week.isoformat()}
    )
    page = client.get(response["Location"]).content.decode()
    assert Actual.objects.filter(cpli=two.weekly_cpli, week_start=two.week).exists()
    assert f"{two.four_weekly.name}: You cannot change actuals for a week where the payment" in page


def test_generation_weeks_are_the_councils_own_period(two):
    from carebridge.actuals.selectors import generation_weeks

    later = two.paid_period.end_date + timedelta(days=1)  # the four-weekly council's open period
    assert generation_weeks(two.four_weekly.pk, later) == [later + WEEK * n for n in range(4)]
    assert generation_weeks(two.weekly.pk, later) == [later]
    assert Confirmation.objects.filter(period=two.paid_period).count() == 1


# --- 18: exports and imports name their council and hold its lines only ------------------------


def export(two: TwoCouncilProvider, council, start, end):
    period = f"{council.pk}_{start.isoformat()}_{end.isoformat()}"
    response = client_for(two.carer).get(reverse("actuals:bulk_export"), {"period": period})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return response["Content-Disposition"], list(csv.reader(io.StringIO(text)))


def test_the_export_page_offers_each_councils_periods_under_its_name(two):
    page = client_for(two.carer).get(reverse("actuals:bulk_export")).content.decode()
    paid = two.paid_period
    assert f"{paid.start_date:%d/%m/%Y} to {paid.end_date:%d/%m/%Y}, {two.four_weekly.name}" in page
    assert f"{two.week:%d/%m/%Y} to {two.open_period.end_date:%d/%m/%Y}, {two.weekly.name}" in page


def test_a_councils_export_holds_its_own_lines_in_its_own_layout(two):
    paid = two.paid_period
    disposition, rows = export(two, two.four_weekly, paid.start_date, paid.end_date)
    assert two.four_weekly.slug in disposition
    assert rows[0] == list(csvio.REASON_COLUMNS)
    assert {row[2] for row in rows[1:]} == {two.four_weekly_person.ss_ref}
    assert len(rows) == 1 + 4
    disposition, rows = export(two, two.weekly, two.week, two.open_period.end_date)
    assert two.weekly.slug in disposition
    assert rows[0] == list(csvio.BASIC_COLUMNS)
    assert [row[2] for row in rows[1:]] == [two.weekly_person.ss_ref]
    event = Event.objects.filter(action="actuals.exported").latest("pk")
    assert event.council_id == two.weekly.pk and event.provider_id == two.provider.pk


def upload(two: TwoCouncilProvider, rows, **data):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data["file"] = SimpleUploadedFile("actuals.csv", out.getvalue().encode(), "text/csv")
    return client_for(two.carer).post(reverse("actuals:bulk_import"), data).content.decode()


def weekly_row(two: TwoCouncilProvider, person, actual="10"):
    return [
        two.service.name,
        DOUBLE_ASSIST,
        person.ss_ref,
        f"{two.week:%Y/%m/%d}",
        actual,
        "0",
        "0",
        "0",
        "10",
        "",
    ]


def test_an_import_asks_whose_file_it_is_and_matches_that_councils_lines_only(two):
    page = client_for(two.carer).get(reverse("actuals:bulk_import")).content.decode()
    assert two.weekly.name in page and two.four_weekly.name in page
    rows = [list(csvio.BASIC_COLUMNS), weekly_row(two, two.weekly_person)]
    assert "Choose the council whose actuals the file holds" in upload(two, rows)
    # The other council's client is not one of this council's lines.
    rows.append(weekly_row(two, two.four_weekly_person, "8"))
    page = upload(two, rows, council=two.four_weekly.pk)
    assert "Row 2, column C (SS Ref): No care package line item" in page
    assert not Actual.objects.filter(week_start=two.week, cpli=two.weekly_cpli).exists()
    page = upload(two, rows[:2], council=two.weekly.pk)
    assert "Actuals imported" in page
    assert Actual.objects.filter(week_start=two.week, cpli=two.weekly_cpli).exists()


def test_without_a_council_a_two_council_import_is_refused_as_a_whole(two):
    text = "\r\n".join(
        ",".join(row) for row in [csvio.BASIC_COLUMNS, weekly_row(two, two.weekly_person)]
    )
    with pytest.raises(csvio.CsvImportFailed) as failed:
        csvio.import_rows(two.carer, text)
    assert failed.value.messages == ["Choose the council whose actuals the file holds"]


# --- 20: confirmed late, and overdue periods however old ----------------------------------------


def enter_plan(two: TwoCouncilProvider, week) -> None:
    """The weekly council's line delivered as planned in the week, entered by the provider."""
    entry = Entry(actual=two.weekly_cpli.quantity, visits=two.weekly_cpli.visits)
    services.actuals_save(two.carer, [services.Item(two.weekly_cpli.pk, week, entry, week)])


def test_a_provider_sees_that_it_confirmed_late_with_the_time_and_the_deadline(two):
    enter_plan(two, two.week)
    confirmation = services.actuals_confirm(two.carer, two.open_period)
    assert confirmation.late
    client = client_for(two.carer)
    listed = client.get(reverse("actuals:period_list")).content.decode()
    assert "Confirmed late" in listed
    assert "after the deadline of 5:00pm 13/10/2026" in listed  # the Tuesday after the week
    page = client.get(reverse("actuals:period", args=[two.open_period.pk])).content.decode()
    assert "Confirmed late" in page
    assert f"{two.weekly.name} records this confirmation as late" in page


def test_every_overdue_unconfirmed_period_is_listed_however_old(clock):
    two = make_two_council_provider(weeks_back=20)
    first = Period.objects.get(council=two.weekly, start_date=two.periods_from)
    confirmed = Period.objects.get(council=two.weekly, start_date=two.periods_from + WEEK)
    enter_plan(two, confirmed.start_date)
    services.actuals_confirm(two.carer, confirmed)
    listed = client_for(two.carer).get(reverse("actuals:period_list")).content.decode()
    assert reverse("actuals:period", args=[first.pk]) + '"' in listed
    assert reverse("actuals:period", args=[confirmed.pk]) + '"' not in listed
    # Every weekly period from the first to the newest is listed but the one confirmed.
    weekly = Period.objects.filter(council=two.weekly, start_date__lte=clock().date())
    shown = [p for p in weekly if reverse("actuals:period", args=[p.pk]) + '"' in listed]
    assert len(shown) == weekly.count() - 1


# --- 19: filters say whose each option is -------------------------------------------------------


def options(page: str, name: str) -> list[str]:
    """The labels of a select's options, by the select's name."""
    select = page[page.index(f'name="{name}"') :]
    select = select[: select.index("</select>")]
    return [part.split(">", 1)[1].split("<", 1)[0] for part in select.split("<option")[1:]]


@pytest.mark.parametrize(
    ("url", "query", "name"),
    [
        ("actuals:week", "week", "service_level"),
        ("cplis:cpli_list", None, "service_level"),
        ("actions:action_list", None, "action_type"),
    ],
)
def test_filters_name_each_councils_option_when_both_councils_use_the_name(two, url, query, name):
    params = {"service": two.service.pk, "week": two.week.isoformat()} if query else {}
    response = client_for(two.carer).get(reverse(url), params)
    assert response.status_code == 200
    labels = options(response.content.decode(), name)
    thing = DOUBLE_ASSIST if name == "service_level" else "Actuals query"
    assert f"{thing} ({two.weekly.name})" in labels
    assert f"{thing} ({two.four_weekly.name})" in labels
    assert thing not in labels


def test_a_council_officer_sees_its_own_options_without_a_council_name(two):
    page = client_for(two.weekly_broker).get(reverse("cplis:cpli_list")).content.decode()
    assert DOUBLE_ASSIST in options(page, "service_level")


def test_the_home_page_counts_an_overdue_period_with_nothing_entered(two):
    home = client_for(two.carer).get(reverse("home:home")).content.decode()
    assert "Actuals periods waiting for you to confirm" in home
