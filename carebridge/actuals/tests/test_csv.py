"""Actuals as a CSV file in the Bradford layout: the export, the import, every way a file can be
wrong (with nothing saved), and who may do either."""

import csv
import io
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals import csvio, services
from carebridge.actuals.models import Actual
from carebridge.actuals.tests.conftest import (
    FIRST_PERIOD,
    THIS_WEEK,
    item,
    open_periods,
    set_level,
    weeks_ago,
)
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import Unit
from carebridge.organisations import services as org
from carebridge.people import services as people
from tests.support import client_for

pytestmark = pytest.mark.django_db

BASIC = list(csvio.BASIC_COLUMNS)
WITH_REASONS = list(csvio.REASON_COLUMNS)
LAST_WEEK = weeks_ago(1)
LAST_SUNDAY = THIS_WEEK - timedelta(days=1)


def export_text(user, start=FIRST_PERIOD, end=LAST_SUNDAY, service_id=None) -> str:
    """The export of the one council the user's provider works for (the world's council)."""
    (council_id,) = {council_id for council_id, _name in csvio.councils_of(user)}
    return "".join(
        csvio.export_csv(user, council_id=council_id, start=start, end=end, service_id=service_id)
    )


def last_week_of(world) -> str:
    """The export page's choice of last week's period at the world's council."""
    return f"{world.council.pk}_{LAST_WEEK.isoformat()}_{LAST_SUNDAY.isoformat()}"


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def as_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def row_for(
    world,
    week,
    actual="14",
    *,
    frustrated="0",
    missed="0",
    extra="0",
    visits="14",
    comments="",
    ss_ref=None,
    service=None,
    level=None,
    reasons=None,
) -> list[str]:
    cells = [
        service or world.service.name,
        level or world.hours.name,
        ss_ref or world.person.ss_ref,
        f"{week:%Y/%m/%d}",
        actual,
        frustrated,
        missed,
        extra,
        visits,
        comments,
    ]
    return cells + list(reasons) if reasons is not None else cells


def upload(user, data: bytes, name="actuals.csv"):
    return client_for(user).post(
        reverse("actuals:bulk_import"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def problems_of(text: str, user) -> list[str]:
    with pytest.raises(csvio.CsvImportFailed) as failed:
        csvio.import_rows(user, text)
    return failed.value.messages


@pytest.fixture
def nothing_written():
    """Asserts the test changed no actual and recorded no event about actuals."""
    actuals = list(Actual.objects.values_list("pk", "actual", "comments", "changed_at"))
    events = Event.objects.filter(action__startswith="actuals.").count()
    yield
    assert list(Actual.objects.values_list("pk", "actual", "comments", "changed_at")) == actuals
    assert Event.objects.filter(action__startswith="actuals.").count() == events


def another_client(world, ss_ref, first_name="Rachel", last_name="Green"):
    return people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref=ss_ref,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date(1950, 1, 1),
    )


def with_reasons(world):
    org.rulebook_update(council=world.council, by=None, actuals_csv_layout="with_reasons")


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


def test_the_export_uses_the_reason_columns_when_the_council_does(world):
    set_level(world.hours, hospital_retainer_weeks=4)
    with_reasons(world)
    services.actuals_save(
        world.carer,
        [
            item(
                world.cpli,
                LAST_WEEK,
                "4",
                frustrated="10",
                frustrated_reason="hospital",
                visits=14,
                comments="Week 1 hospital",
            )
        ],
    )
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
            )
        ],
    )
    text = export_text(world.carer, start=LAST_WEEK)
    assert table(text)[0] == BASIC
    assert csvio.import_rows(world.carer, text).unchanged == 1


# --- Import -------------------------------------------------------------------------------------


def test_an_import_changes_rows_and_shows_the_summary(world):
    services.actuals_generate(world.carer, weeks=[weeks_ago(2), LAST_WEEK])
    rows = table(export_text(world.carer, start=weeks_ago(2)))
    rows[2][4:] = ["12", "0", "2", "0", "14", "Cancelled in advance"]
    response = upload(world.carer, as_csv(rows).encode())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Actuals imported" in page
    assert "Rows read" in page and "Rows changed" in page and "Rows unchanged" in page
    saved = Actual.objects.get(cpli=world.cpli, week_start=LAST_WEEK)
    assert (saved.actual, saved.missed, saved.comments) == (
        Decimal("12"),
        Decimal("2"),
        "Cancelled in advance",
    )
    assert Event.objects.filter(action="actuals.saved.csv").count() == 1


def test_an_import_creates_the_actuals_of_weeks_not_generated(world):
    text = as_csv([BASIC, row_for(world, LAST_WEEK, "13", missed="1", comments="Refused 1 hour")])
    assert csvio.import_rows(world.carer, text) == services.Saved(read=1, changed=1, unchanged=0)
    assert Actual.objects.get(cpli=world.cpli, week_start=LAST_WEEK).actual == Decimal("13")


def test_it_accepts_a_byte_order_mark_spaces_case_and_dashed_dates(world):
    header = [f"  {name.upper()} " for name in BASIC]
    row = row_for(world, LAST_WEEK, "14")
    row[0] = f"  {world.service.name.lower()} "
    row[3] = LAST_WEEK.isoformat()
    response = upload(world.carer, b"\xef\xbb\xbf" + as_csv([header, row]).encode())
    assert "Actuals imported" in response.content.decode()
    assert Actual.objects.filter(cpli=world.cpli, week_start=LAST_WEEK).exists()


def test_the_reason_columns_take_a_label_or_a_code_and_visit_dates(world):
    set_level(world.hours, hospital_retainer_weeks=4)
    (other,) = world.agree(
        world.line("3"),
        person=another_client(world, "RG456"),
    )
    text = as_csv(
        [
            WITH_REASONS,
            row_for(
                world,
                LAST_WEEK,
                "4",
                frustrated="10",
                comments="Week 1 hospital",
                reasons=["hospital admission", "", ""],
            ),
            row_for(
                world,
                LAST_WEEK,
                "2",
                frustrated="1",
                ss_ref="RG456",
                visits="3",
                comments="Not at home twice",
                reasons=["ABORTED_VISIT", "10/11/2026; 12/11/2026", ""],
            ),
        ]
    )
    assert csvio.import_rows(world.carer, text).changed == 2
    hospital = Actual.objects.get(cpli=world.cpli)
    aborted = Actual.objects.get(cpli=other)
    assert hospital.frustrated_reason == "hospital"
    assert aborted.frustrated_reason == "aborted_visit"
    assert aborted.aborted_visit_dates == ["2026-11-10", "2026-11-12"]


def test_a_reason_or_visit_date_the_import_cannot_read(world, nothing_written):
    text = as_csv(
        [
            WITH_REASONS,
            row_for(world, weeks_ago(2), "4", frustrated="10", reasons=["Holiday", "", ""]),
            row_for(
                world, LAST_WEEK, "13", frustrated="1", reasons=["aborted visit", "10 Nov", ""]
            ),
        ]
    )
    problems = problems_of(text, world.carer)
    assert problems[0].startswith(
        "Row 2, column K (Frustrated Reason): Enter a frustrated reason from: Hospital admission"
    )
    assert problems[1].startswith(
        "Row 3, column L (Aborted Visit Dates): Enter each aborted visit date"
    )
    assert len(problems) == 2


def test_a_file_without_reasons_takes_the_councils_only_reason(world):
    set_level(world.hours, hospital_retainer_weeks=4)
    org.rulebook_update(council=world.council, by=None, actuals_frustrated_reasons="hospital")
    text = as_csv(
        [BASIC, row_for(world, LAST_WEEK, "4", frustrated="10", comments="Week 1 hospital")]
    )
    assert csvio.import_rows(world.carer, text).changed == 1
    assert Actual.objects.get(cpli=world.cpli).frustrated_reason == "hospital"


def test_a_file_without_reasons_cannot_claim_frustrated_when_the_council_has_several(
    world, nothing_written
):
    text = as_csv([BASIC, row_for(world, LAST_WEEK, "4", frustrated="10", comments="Hospital")])
    (message,) = problems_of(text, world.carer)
    assert message.startswith(
        "Row 2, column F (Weekly Frustrated Quantity): A frustrated quantity needs a reason"
    )
    assert "Frustrated Reason" in message


def test_the_councils_layout_is_named_when_it_has_the_reason_column(world, nothing_written):
    with_reasons(world)
    text = as_csv([BASIC, row_for(world, LAST_WEEK, "4", frustrated="10", comments="Hospital")])
    (message,) = problems_of(text, world.carer)
    assert "Ashdown Vale Council's layout has a Frustrated Reason column" in message


def test_an_extra_in_a_file_without_reason_columns_asks_for_the_variation_code_column(
    world, nothing_written
):
    text = as_csv([BASIC, row_for(world, LAST_WEEK, "15", extra="1", comments="Extra call")])
    (message,) = problems_of(text, world.carer)
    assert message.startswith("Row 2, column H (Weekly Extra Quantity): Enter the variation code")
    assert "this file has no Variation Code column" in message


# --- Files that are wrong: nothing is saved -----------------------------------------------------


def test_a_wrong_header_names_the_expected_columns(world, nothing_written):
    data = as_csv([["Client", *BASIC[1:]], row_for(world, LAST_WEEK)]).encode()
    page = upload(world.carer, data).content.decode()
    assert "The first row of the file must name its columns: Service, Service level, SS Ref" in page
    assert "Frustrated Reason" in page
    assert "Error: Import actuals" in page


def test_a_file_in_neither_utf8_nor_windows_1252_is_refused(world, nothing_written):
    row = row_for(world, LAST_WEEK, "13", missed="1", comments="Café closed")
    # 0x81 is no letter in Windows-1252, and this é is no UTF-8.
    data = as_csv([BASIC, row]).encode("latin-1") + b"\x81"
    page = upload(world.carer, data).content.decode()
    assert "The file must be a CSV file saved as CSV UTF-8 or as Excel" in page


def test_an_empty_file_is_refused(world, nothing_written):
    page = upload(world.carer, b"").content.decode()
    assert "The selected file is empty" in page
    assert "The selected file is empty" in problems_of("  \r\n", world.carer)[0]


def test_a_file_with_only_the_header_is_refused(world, nothing_written):
    assert problems_of(as_csv([BASIC]), world.carer) == [
        "The file has no actuals: it only has the names of the columns"
    ]


def test_ten_megabytes_of_random_bytes_are_refused_quickly(world, nothing_written):
    garbage = random.Random(5).randbytes(csvio.MAX_BYTES)
    started = time.monotonic()
    page = upload(world.carer, garbage).content.decode()
    assert "The file must be a CSV file saved as CSV UTF-8" in page
    assert time.monotonic() - started < 5


def test_a_file_over_ten_megabytes_is_refused_before_it_is_read(world, nothing_written):
    page = upload(world.carer, os.urandom(csvio.MAX_BYTES + 1)).content.decode()
    assert "The selected file must be smaller than 10 MB" in page


def test_ten_megabytes_of_text_that_is_not_csv_is_refused_quickly(world, nothing_written):
    started = time.monotonic()
    page = upload(world.carer, b"x" * csvio.MAX_BYTES).content.decode()
    assert "The first row of the file must name its columns" in page
    assert time.monotonic() - started < 5


def test_an_unknown_ss_ref_is_not_matched(world, nothing_written):
    text = as_csv([BASIC, row_for(world, LAST_WEEK, ss_ref="ZZ999")])
    assert problems_of(text, world.carer) == [
        "Row 2, column C (SS Ref): No care package line item of yours matches service, "
        "service level and SS Ref for that week"
    ]


def test_another_providers_line_looks_exactly_like_no_match(world, nothing_written):
    (theirs,) = world.agree(world.line("9"), service=world.other_service)
    row = row_for(world, LAST_WEEK, "9", visits="0", service=world.other_service.name)
    unknown = row_for(
        world, LAST_WEEK, "9", visits="0", service=world.other_service.name, ss_ref="ZZ999"
    )
    assert problems_of(as_csv([BASIC, row, unknown]), world.carer) == [
        f"Row 2, column C (SS Ref): {csvio.NO_MATCH}",
        f"Row 3, column C (SS Ref): {csvio.NO_MATCH}",
    ]
    assert not Actual.objects.filter(cpli=theirs).exists()


def test_a_bad_number_in_one_row_saves_none_of_the_others(world, nothing_written):
    (second,) = world.agree(world.line("7", level=world.nights))
    rows = [
        BASIC,
        row_for(world, weeks_ago(2), "14"),
        row_for(world, LAST_WEEK, "14"),
        row_for(world, LAST_WEEK, "seven", level=world.nights.name, visits="0"),
    ]
    assert problems_of(as_csv(rows), world.carer) == [
        "Row 4, column E (Weekly Actual Quantity): Enter the weekly actual quantity as a "
        "number, like 3.5"
    ]
    assert not Actual.objects.filter(cpli=second).exists()


def test_reading_problems_and_rule_problems_are_reported_together(world, nothing_written):
    world.agree(world.line("7", level=world.nights))
    rows = [
        BASIC,
        row_for(world, weeks_ago(2), "3.5.1"),
        row_for(world, LAST_WEEK, "0"),  # nothing delivered and no comment
        row_for(world, LAST_WEEK, "7.5", level=world.nights.name, visits="0", comments="x"),
        row_for(world, weeks_ago(3), "14", visits="-1"),
    ]
    assert problems_of(as_csv(rows), world.carer) == [
        "Row 2, column E (Weekly Actual Quantity): Enter the weekly actual quantity as a "
        "number, like 3.5",
        "Row 3, column J (Comments): The actual for the week is 0: leave a comment saying why "
        "no service was delivered",
        "Row 4, column E (Weekly Actual Quantity): Enter Actual as a whole number of nights",
        "Row 5, column I (Weekly Number Of Visits): The weekly number of visits cannot be less "
        "than 0",
    ]


def test_two_lines_that_both_match_are_not_guessed_between(world, nothing_written):
    world.agree(world.line("7"))
    text = as_csv([BASIC, row_for(world, LAST_WEEK, "14")])
    assert problems_of(text, world.carer) == [f"Row 2, column C (SS Ref): {csvio.SEVERAL}"]


def test_a_week_in_progress_is_refused(world, nothing_written):
    text = as_csv([BASIC, row_for(world, THIS_WEEK, "14")])
    assert problems_of(text, world.carer) == [
        "Row 2, column D (Date): Actuals cannot be entered while the week is in progress: "
        "enter them from the day after it ends"
    ]


def test_a_date_that_is_not_the_first_day_of_the_week_is_refused(world, nothing_written):
    text = as_csv([BASIC, row_for(world, LAST_WEEK + timedelta(days=2), "14")])
    assert problems_of(text, world.carer) == [
        "Row 2, column D (Date): The date must be the first day of the week, a Monday: "
        "2026/11/11 is a Wednesday"
    ]


def test_dates_the_import_cannot_read(world, nothing_written):
    rows = [BASIC, row_for(world, LAST_WEEK), row_for(world, LAST_WEEK), row_for(world, LAST_WEEK)]
    rows[1][3], rows[2][3], rows[3][3] = "9 Nov 2026", "2026/02/30", ""
    assert problems_of(as_csv(rows), world.carer) == [
        "Row 2, column D (Date): Enter the date as year/month/day, like 2026/11/09, or "
        "day/month/year, like 09/11/2026",
        "Row 3, column D (Date): The date must be a real date",
        "Row 4, column D (Date): Enter the date of the week's first day, like 2026/11/09",
    ]


@pytest.mark.parametrize("tampered", ["9999/12/31", "0001/01/01", "31/12/9999"])
def test_it_refuses_a_date_outside_the_bounds_against_its_row_and_column(
    world, tampered, nothing_written
):
    rows = [BASIC, row_for(world, LAST_WEEK)]
    rows[1][3] = tampered
    assert problems_of(as_csv(rows), world.carer) == [
        "Row 2, column D (Date): Enter a date between 1900 and 2100"
    ]


def test_it_refuses_an_aborted_visit_date_outside_the_bounds(world, nothing_written):
    with_reasons(world)
    reasons = ["Aborted visit", "31/12/9999", ""]
    rows = [WITH_REASONS, row_for(world, LAST_WEEK, "13", frustrated="1", reasons=reasons)]
    assert problems_of(as_csv(rows), world.carer) == [
        "Row 2, column L (Aborted Visit Dates): Aborted visit dates: enter a date between 1900 "
        "and 2100"
    ]


def test_it_refuses_control_characters_in_every_text_cell_against_its_column(
    world, nothing_written
):
    with_reasons(world)
    rows = [WITH_REASONS]
    rows.append(row_for(world, LAST_WEEK, comments="Ann\x00Smith", reasons=["", "", ""]))
    rows.append(row_for(world, LAST_WEEK, ss_ref="MG123\x01", reasons=["", "", ""]))
    rows.append(row_for(world, LAST_WEEK, reasons=["", "", "V\x1b1"]))
    rows.append(
        row_for(world, LAST_WEEK, service=f"{world.service.name}\x7f", reasons=["", "", ""])
    )
    message = (
        "Remove the hidden control characters from this cell: retype it, or paste it as plain text"
    )
    assert problems_of(as_csv(rows), world.carer) == [
        f"Row 2, column J (Comments): {message}",
        f"Row 3, column C (SS Ref): {message}",
        f"Row 4, column M (Variation Code): {message}",
        f"Row 5, column A (Service): {message}",
    ]


def test_a_tab_or_a_line_break_in_comments_is_kept(world):
    text = as_csv(
        [BASIC, row_for(world, LAST_WEEK, "13", missed="1", comments="Refused\tone\nhour")]
    )
    csvio.import_rows(world.carer, text)
    assert (
        Actual.objects.get(cpli=world.cpli, week_start=LAST_WEEK).comments == "Refused\tone\nhour"
    )


def excel_opens(data: bytes) -> list[list[str]]:
    """The cells Excel (English, UK) shows for a downloaded CSV file: UTF-8 only when the file
    starts with a byte order mark, else Windows-1252; year/month/day dates as day/month/year."""
    bom = b"\xef\xbb\xbf"
    text = data[3:].decode("utf-8") if data.startswith(bom) else data.decode("cp1252", "replace")
    rows = table(text)
    for row in rows[1:]:
        year, month, day = row[3].split("/")
        row[3] = f"{day}/{month}/{year}"
    return rows


def excel_saves(rows: list[list[str]], encoding: str) -> bytes:
    """What Excel writes: CRLF line ends, and "CSV UTF-8" (with a byte order mark) or
    "CSV (Comma delimited)" (Windows-1252)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    return ("\ufeff" + text).encode("utf-8") if encoding == "utf-8" else text.encode(encoding)


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


def test_the_same_line_and_week_twice_is_refused(world, nothing_written):
    text = as_csv([BASIC, row_for(world, LAST_WEEK), row_for(world, LAST_WEEK)])
    assert problems_of(text, world.carer) == [
        "Row 3, column C (SS Ref): This line and week appear more than once"
    ]


def test_rows_are_numbered_as_a_spreadsheet_numbers_them(world, nothing_written):
    rows = [
        BASIC,
        row_for(world, weeks_ago(2), comments="two\nlines"),
        ["", "", ""],
        row_for(world, LAST_WEEK, "x"),
    ]
    (message,) = problems_of(as_csv(rows), world.carer)
    assert message.startswith("Row 4, column E")


def test_a_row_with_more_cells_than_columns_is_refused(world, nothing_written):
    text = as_csv([BASIC, [*row_for(world, LAST_WEEK), "Monica Geller"]])
    assert problems_of(text, world.carer) == [
        "Row 2: The row has 11 cells but the file has 10 columns"
    ]


def test_more_than_fifty_thousand_rows_are_refused(world, nothing_written):
    row = as_csv([row_for(world, LAST_WEEK)])
    text = as_csv([BASIC]) + row * (csvio.MAX_ROWS + 1)
    assert problems_of(text, world.carer) == [
        "The file has more than 50,000 rows of actuals: split it into files of 50,000 rows or fewer"
    ]


def test_the_page_lists_two_hundred_problems_and_counts_the_rest(world, nothing_written):
    rows = [BASIC] + [row_for(world, LAST_WEEK, "x")] * 250
    page = upload(world.carer, as_csv(rows).encode()).content.decode()
    assert "The file has 250 problems: nothing has been saved" in page
    assert "Row 201, column E" in page
    assert "Row 202, column E" not in page
    assert "And 50 more." in page


# --- Who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["payments_officer", "other_officer"])
def test_council_staff_can_neither_import_nor_export(world, who, nothing_written):
    user = getattr(world, who)
    client = client_for(user)
    assert client.get(reverse("actuals:bulk_import")).status_code == 403
    data = as_csv([BASIC, row_for(world, LAST_WEEK)]).encode()
    response = client.post(
        reverse("actuals:bulk_import"), {"file": SimpleUploadedFile("a.csv", data)}
    )
    assert response.status_code == 403
    assert client.get(reverse("actuals:bulk_export")).status_code == 403


def test_a_read_only_user_can_export_but_not_import(world, nothing_written):
    client = client_for(world.read_only)
    assert client.get(reverse("actuals:bulk_export")).status_code == 200
    assert client.get(reverse("actuals:bulk_import")).status_code == 403
    with pytest.raises(PermissionDenied):
        csvio.import_rows(world.read_only, as_csv([BASIC, row_for(world, LAST_WEEK)]))


def test_an_anonymous_visitor_is_sent_to_log_in():
    for name in ("actuals:bulk_export", "actuals:bulk_import"):
        response = Client().get(reverse(name))
        assert response.status_code == 302


def test_the_import_page_posts_a_file_with_its_csrf_token(world):
    page = client_for(world.carer).get(reverse("actuals:bulk_import")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "csrfmiddlewaretoken" in page
    assert 'type="file"' in page


# --- Size ---------------------------------------------------------------------------------------


def test_fifty_thousand_rows_import_in_one_go(world, clock):
    # 50 ended weeks of 1,000 lines at one service: 50 clients with 20 service levels each.
    clock.set(datetime(2027, 9, 20, 9, 0, tzinfo=UTC))
    open_periods()
    bulk = org.service_create(provider=world.provider, name="Diamond - Bulk", postcode="SK6 6AB")
    levels = [
        contracts.service_level_create(
            council=world.council, name=f"Level {n:02d}", unit=Unit.HOURS, by=world.broker
        )
        for n in range(20)
    ]
    for n in range(50):
        person = another_client(world, f"BK{n:05d}", "Bulk", f"Client {n}")
        world.agree(
            *(world.line("7", level=level) for level in levels), service=bulk, person=person
        )

    started = time.monotonic()
    text = "".join(
        csvio.export_csv(
            world.carer,
            council_id=world.council.pk,
            start=FIRST_PERIOD,
            end=date(2027, 9, 19),
            service_id=bulk.pk,
        )
    )
    exported = time.monotonic() - started
    assert text.count("\n") == 50_001

    started = time.monotonic()
    saved = csvio.import_rows(world.carer, text)
    imported = time.monotonic() - started
    assert saved == services.Saved(read=50_000, changed=50_000, unchanged=0)
    assert Actual.objects.filter(service=bulk).count() == 50_000
    print(f"\n50,000 rows: export {exported:.1f}s, import {imported:.1f}s")
