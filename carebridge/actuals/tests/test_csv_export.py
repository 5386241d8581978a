"""Actuals exported as a CSV file in the Bradford layout, and files exported and imported again
(by hand or through Excel) changing nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals import csvio, services
from carebridge.actuals.models import Actual
from carebridge.actuals.tests.conftest import (
    item,
    set_level,
    weeks_ago,
)
from carebridge.actuals.tests.csv_support import (
    BASIC,
    LAST_WEEK,
    WITH_REASONS,
    another_client,
    as_csv,
    excel_opens,
    excel_saves,
    export_text,
    last_week_of,
    table,
    upload,
    with_reasons,
)
from carebridge.audit.models import Event
from carebridge.organisations import services as org
from tests.support import client_for

pytestmark = pytest.mark.django_db


# --- Export -------------------------------------------------------------------------------------


def test_it_exports_each_ended_week_with_its_plan_and_no_client_names(world):
    response = client_for(world.carer).get(
        reverse("actuals:bulk_export"),
        {"period": last_week_of(world), "service": ""},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    # The byte order mark, so that Excel reads the file as UTF-8.
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf" * 2)
    text = raw.decode("utf-8-sig")
    assert table(text) == [
        BASIC,
        [
            "Diamond Home Care - Marple",
            "Home Care - Single Assist Fixed Rate",
            "MG123",
            "2026/11/09",
            "14",
            "0",
            "0",
            "0",
            "14",
            "",
        ],
    ]
    assert "Monica" not in text and "Geller" not in text
    event = Event.objects.get(action="actuals.exported")
    assert event.actor == world.carer
    assert event.detail["start"] == LAST_WEEK.isoformat()


def test_the_export_page_offers_the_periods_with_ended_weeks_newest_first(world):
    page = client_for(world.carer).get(reverse("actuals:bulk_export")).content.decode()
    assert page.index("09/11/2026 to 15/11/2026") < page.index("05/10/2026 to 11/10/2026")
    assert "16/11/2026 to 22/11/2026" not in page  # the week in progress
    assert "Diamond Home Care - Marple" in page


def test_an_unknown_period_is_an_error_not_a_download(world):
    response = client_for(world.carer).get(reverse("actuals:bulk_export"), {"period": "nonsense"})
    assert response.status_code == 200
    assert "Choose one of the periods listed" in response.content.decode()


def test_the_export_has_a_row_for_every_line_and_week_and_shows_saved_actuals(world):
    services.actuals_save(
        world.carer,
        [item(world.cpli, LAST_WEEK, "12", missed="2", visits=14, comments="Cancelled in advance")],
    )
    rows = table(export_text(world.carer))
    assert len(rows) == 1 + 6  # six ended weeks since the first period
    assert rows[-1][3:] == ["2026/11/09", "12", "0", "2", "0", "14", "Cancelled in advance"]
    assert rows[1][3] == "2026/10/05"


def test_a_part_week_shows_its_plan_pro_rata(world):
    world.agree(world.line("14", start=LAST_WEEK + timedelta(days=3)))
    rows = [r for r in table(export_text(world.carer, start=LAST_WEEK)) if r[3] == "2026/11/09"]
    assert sorted(r[4] for r in rows) == ["14", "8"]  # 14 x 4/7 days


def test_the_export_asks_the_database_the_same_number_of_times_for_more_lines(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_text(world.carer)
        return len(captured)

    few = queries()
    world.agree(world.line("7", level=world.nights))
    world.agree(world.line("3"), person=another_client(world, "RG456"))
    assert len(table(export_text(world.carer))) == 1 + 3 * 6
    assert queries() == few


def test_the_export_follows_the_chosen_service(world):
    other = org.service_create(
        provider=world.provider, name="Diamond - Stockport", postcode="SK1 1AA"
    )
    world.agree(world.line("7"), service=other)
    rows = table(export_text(world.carer, start=LAST_WEEK, service_id=other.pk))
    assert [r[0] for r in rows[1:]] == ["Diamond - Stockport"]


def test_the_export_never_shows_another_providers_lines(world):
    world.agree(world.line("9"), service=world.other_service)
    text = export_text(world.carer)
    assert "Zephyrine" not in text
    stranger = export_text(world.stranger)
    assert "Diamond" not in stranger and "Zephyrine Riverside" in stranger


def save_a_week_in_hospital(world, **entered) -> None:
    """Last week's line: 4 hours delivered and 10 frustrated by a stay in hospital."""
    set_level(world.hours, hospital_retainer_weeks=4)
    services.actuals_save(
        world.carer,
        [
            item(
                world.cpli,
                LAST_WEEK,
                "4",
                frustrated="10",
                frustrated_reason="hospital",
                comments="Week 1 hospital",
                **entered,
            )
        ],
    )


def test_the_export_uses_the_reason_columns_when_the_council_does(world):
    with_reasons(world)
    save_a_week_in_hospital(world, visits=14)
    rows = table(export_text(world.carer, start=LAST_WEEK))
    assert rows[0] == WITH_REASONS
    assert rows[1][4:] == [
        "4",
        "10",
        "0",
        "0",
        "14",
        "Week 1 hospital",
        "Hospital admission",
        "",
        "",
    ]


def test_a_short_break_is_exported_only_for_weeks_with_nights_taken(world):
    (short_break,) = world.agree(world.short_break_line("28"))
    services.actuals_save(
        world.carer, [item(short_break, weeks_ago(2), "3", comments="Respite stay")]
    )
    rows = [r for r in table(export_text(world.carer)) if r[1] == world.short_break.name]
    assert [(r[3], r[4]) for r in rows] == [("2026/11/02", "3")]


# --- Round trips --------------------------------------------------------------------------------


def test_a_generated_period_exported_and_imported_again_changes_nothing(world):
    services.actuals_generate(
        world.carer, weeks=[weeks_ago(n) for n in range(1, 7)], service_id=world.service.pk
    )
    text = export_text(world.carer)
    saved = csvio.import_rows(world.carer, text)
    assert saved == services.Saved(read=6, changed=0, unchanged=6)


def test_formulas_are_stored_as_text_and_exported_neutralised(world):
    services.actuals_save(world.carer, [item(world.cpli, LAST_WEEK, "14", comments="keep")])
    rows = table(export_text(world.carer, start=LAST_WEEK))
    rows[1][4:] = ["12", "0", "2", "0", "14", '=HYPERLINK("http://example.com","x")']
    saved = csvio.import_rows(world.carer, as_csv(rows))
    assert saved.changed == 1
    stored = Actual.objects.get(cpli=world.cpli, week_start=LAST_WEEK)
    assert stored.comments == '=HYPERLINK("http://example.com","x")'
    exported = export_text(world.carer, start=LAST_WEEK)
    assert table(exported)[1][9] == '\'=HYPERLINK("http://example.com","x")'
    # Imported again as exported: the quote the export added is not stored.
    assert csvio.import_rows(world.carer, exported).unchanged == 1
    assert Actual.objects.get(pk=stored.pk).comments == stored.comments


def test_a_file_without_reason_columns_keeps_the_stored_reason(world):
    save_a_week_in_hospital(world)
    text = export_text(world.carer, start=LAST_WEEK)
    assert table(text)[0] == BASIC
    assert csvio.import_rows(world.carer, text).unchanged == 1


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_an_export_saved_again_by_excel_imports_with_its_dash_and_dates(world, encoding):
    dashed = org.service_create(
        provider=world.provider, name="Diamond Home Care – Stockport", postcode="SK1 1AA"
    )
    (line,) = world.agree(world.line("7", visits=7), service=dashed)
    services.actuals_generate(world.carer, weeks=[LAST_WEEK])
    response = client_for(world.carer).get(
        reverse("actuals:bulk_export"),
        {"period": last_week_of(world), "service": dashed.pk},
    )
    rows = excel_opens(b"".join(response.streaming_content))
    assert rows[1][:4] == ["Diamond Home Care – Stockport", world.hours.name, "MG123", "09/11/2026"]
    rows[1][4:] = ["6", "0", "1", "0", "7", "Café closed – one hour missed"]
    page = upload(world.carer, excel_saves(rows, encoding)).content.decode()
    assert "Actuals imported" in page
    saved = Actual.objects.get(cpli=line, week_start=LAST_WEEK)
    assert (saved.actual, saved.comments) == (Decimal("6"), "Café closed – one hour missed")
