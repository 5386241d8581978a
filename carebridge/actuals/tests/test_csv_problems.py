"""Every way an imported CSV file can be wrong: each problem reported where a spreadsheet shows
it, and nothing saved."""

import os
import random
import time
from datetime import timedelta

import pytest

from carebridge.actuals import csvio
from carebridge.actuals.models import Actual
from carebridge.actuals.tests.conftest import (
    THIS_WEEK,
    weeks_ago,
)
from carebridge.actuals.tests.csv_support import (
    BASIC,
    LAST_WEEK,
    WITH_REASONS,
    as_csv,
    problems_of,
    row_for,
    upload,
    with_reasons,
)

pytestmark = pytest.mark.django_db


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
