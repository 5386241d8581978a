"""Actuals imported from a CSV file in the Bradford layout, who may export or import, and a file
of fifty thousand rows."""

import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from carebridge.actuals import csvio, services
from carebridge.actuals.models import Actual
from carebridge.actuals.tests.conftest import (
    FIRST_PERIOD,
    open_periods,
    set_level,
    weeks_ago,
)
from carebridge.actuals.tests.csv_support import (
    BASIC,
    LAST_WEEK,
    WITH_REASONS,
    another_client,
    as_csv,
    export_text,
    problems_of,
    row_for,
    table,
    upload,
    with_reasons,
)
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import Unit
from carebridge.organisations import services as org
from tests.support import client_for

pytestmark = pytest.mark.django_db


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
