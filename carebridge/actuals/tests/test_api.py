"""The provider API for actuals, as a provider's rostering system uses it for a provider working
for two councils with different rulebooks (weekly in the ten-column CSV layout, 4-weekly with
the reason columns and no extras): a week's rows read, a week posted as JSON and as CSV, each
file under its own reference, and every refusal the pages make."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals.csvio import BASIC_COLUMNS, REASON_COLUMNS
from carebridge.actuals.models import Actual, ActualsFile
from carebridge.actuals.periods import WEEK
from carebridge.actuals.tests.api_support import client_with, council_key, provider_key
from carebridge.audit.models import Event
from carebridge.core.calendar import today
from tests.provpay_support import more_clients
from tests.support import DOUBLE_ASSIST, TwoCouncilProvider, make_contract, make_provider, make_user

pytestmark = pytest.mark.django_db

WEEK_URL = "/api/v1/provider/actuals/"
CSV_URL = "/api/v1/provider/actuals/csv/"


@pytest.fixture
def two(clock, two_council_provider) -> TwoCouncilProvider:
    return two_council_provider


@pytest.fixture
def key(two) -> str:
    return provider_key(two.carer)


@pytest.fixture
def system(key):
    return client_with(key)


def last_week() -> str:
    return (today() - WEEK).isoformat()


def row(cpli, week, actual=9, **fields):
    fields.setdefault("comments", "Carer called away")
    return {"cpli": cpli.pk, "week": week, "actual": actual, **fields}


def post(system, council, reference, rows):
    return system.post(
        WEEK_URL,
        {"council": council.slug, "reference": reference, "rows": rows},
        format="json",
    )


def csv_text(columns, *rows) -> str:
    lines = [",".join(columns)]
    lines += [",".join(str(cell) for cell in each) for each in rows]
    return "\r\n".join(lines) + "\r\n"


def post_csv(system, text: str, **query) -> object:
    params = "&".join(f"{name}={value}" for name, value in query.items())
    return system.generic("POST", f"{CSV_URL}?{params}", text.encode(), content_type="text/csv")


def weekly_week(two) -> str:
    """The last week that has ended: open at both councils."""
    return (two.open_period.start_date + WEEK * 5).isoformat()


# --- URLs ---------------------------------------------------------------------------------------


def test_the_urls_are_named_for_the_provider_api():
    assert reverse("provider_api_actuals") == WEEK_URL
    assert reverse("provider_api_actuals_csv") == CSV_URL


# --- Reading a week -------------------------------------------------------------------------------


def test_a_week_is_read_in_each_councils_own_period_planned_and_posted(two, system):
    weekly = system.get(WEEK_URL, {"council": two.weekly.slug, "week": two.week.isoformat()})
    assert weekly.status_code == 200, weekly.json()
    body = weekly.json()
    assert body["council"] == {"slug": two.weekly.slug, "name": two.weekly.name}
    assert body["period"]["kind"] == "weekly"
    assert body["period"]["payment_processed"] is False
    assert body["changes_refused"] == ""
    assert body["count"] == 1
    (line,) = body["results"]
    assert line["cpli"] == two.weekly_cpli.pk
    assert line["client"]["ss_ref"] == "AS1001"
    assert line["service_level"] == DOUBLE_ASSIST
    assert line["planned"] == "10.00" and line["planned_cost"] == "185.00"
    assert line["posted"] is None

    four = system.get(WEEK_URL, {"council": two.four_weekly.slug, "week": two.week.isoformat()})
    body = four.json()
    assert body["council"]["slug"] == two.four_weekly.slug
    assert body["period"]["kind"] == "four_weekly"
    assert body["period"]["start_date"] == two.paid_period.start_date.isoformat()
    assert body["period"]["payment_processed"] is True
    assert "payment for this period has been processed" in body["changes_refused"]
    (line,) = body["results"]
    assert line["cpli"] == two.four_weekly_cpli.pk
    assert line["posted"]["actual"] == "10.00" and line["posted"]["cost"] == "185.00"


def test_any_day_of_the_week_reads_the_councils_week_holding_it(two, system):
    wednesday = two.week + timedelta(days=2)
    body = system.get(WEEK_URL, {"council": two.weekly.slug, "week": wednesday.isoformat()}).json()
    assert body["week"] == two.week.isoformat()
    assert body["week_end"] == (two.week + timedelta(days=6)).isoformat()


def test_reading_a_week_is_audited_in_the_councils_log(two, system):
    system.get(WEEK_URL, {"council": two.weekly.slug, "week": two.week.isoformat()})
    event = Event.objects.get(action="actuals.listed")
    assert event.council_id == two.weekly.pk and event.provider_id == two.provider.pk
    assert event.actor_id == two.carer.pk
    assert event.detail["count"] == 1 and event.detail["via"] == "Roster (API)"


def test_another_providers_key_never_sees_these_lines(two):
    other = make_provider("Hollowmere Care")
    make_contract(two.weekly, other)
    stranger = make_user(provider=other, role="super_user_actuals")
    theirs = client_with(provider_key(stranger))
    body = theirs.get(WEEK_URL, {"council": two.weekly.slug, "week": two.week.isoformat()}).json()
    assert body["count"] == 0 and body["results"] == []
    # A council it holds no contract with is not one it can name.
    refused = theirs.get(WEEK_URL, {"council": two.four_weekly.slug, "week": two.week.isoformat()})
    assert refused.status_code == 400
    assert "council" in refused.json()["error"]["fields"]


def test_a_councils_key_is_refused(two):
    council = client_with(council_key(two.weekly))
    response = council.get(WEEK_URL, {"council": two.weekly.slug, "week": two.week.isoformat()})
    assert response.status_code == 403
    assert (
        post(council, two.weekly, "F1", [row(two.weekly_cpli, weekly_week(two))]).status_code == 403
    )


def test_a_key_whose_maker_lost_the_role_is_refused(two, system):
    two.carer.role = "read_only"
    two.carer.save(update_fields=["role"])
    response = system.get(WEEK_URL, {"council": two.weekly.slug, "week": two.week.isoformat()})
    assert response.status_code == 403


def test_a_query_with_an_unknown_or_bad_parameter_is_400(two, system):
    response = system.get(WEEK_URL, {"council": two.weekly.slug, "week": "2026-13-40"})
    assert response.status_code == 400 and "week" in response.json()["error"]["fields"]
    response = system.get(
        WEEK_URL, {"council": two.weekly.slug, "week": two.week.isoformat(), "serivce": "1"}
    )
    assert response.status_code == 400 and "serivce" in response.json()["error"]["fields"]


# --- Posting JSON ---------------------------------------------------------------------------------


def test_a_week_posted_as_json_is_saved_through_the_pages_service(two, system):
    week = weekly_week(two)
    response = post(
        system,
        two.weekly,
        "ROSTER-2026-0001",
        [row(two.weekly_cpli, week, 9, missed=1, missed_reason="short_notice", visits=9)],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["read"] == 1 and body["changed"] == 1 and body["unchanged"] == 0
    assert body["file"]["reference"] == "ROSTER-2026-0001" and body["file"]["format"] == "json"
    saved = Actual.objects.get(cpli=two.weekly_cpli, week_start=week)
    assert saved.actual == Decimal("9") and saved.missed == Decimal("1")
    assert saved.missed_reason == "short_notice" and saved.changed_by == two.carer
    kept = ActualsFile.objects.get()
    assert (kept.provider, kept.council, kept.rows) == (two.provider, two.weekly, 1)
    assert kept.by_label == "Roster (API)"
    assert Event.objects.filter(action="actuals.saved.api").count() == 1
    assert Event.objects.filter(action="actuals.file_received", council=two.weekly).count() == 1
    # Read back as the week page shows it.
    read = system.get(WEEK_URL, {"council": two.weekly.slug, "week": week}).json()
    assert read["results"][0]["posted"]["missed_reason"] == "short_notice"


def test_a_reference_sent_again_is_409_with_when_it_was_received(two, system, clock):
    week = weekly_week(two)
    assert post(system, two.weekly, "R-1", [row(two.weekly_cpli, week, 9)]).status_code == 201
    clock.move(minutes=5)
    again = post(system, two.weekly, "R-1", [row(two.weekly_cpli, week, 7)])
    assert again.status_code == 409
    message = again.json()["error"]["message"]
    assert "R-1" in message and "10:00am" in message
    assert Actual.objects.get(cpli=two.weekly_cpli, week_start=week).actual == Decimal("9")
    assert ActualsFile.objects.count() == 1
    # The same reference at the other council is another file.
    other = post(system, two.four_weekly, "R-1", [row(two.four_weekly_cpli, week, 10)])
    assert other.status_code == 201, other.json()


def test_a_bad_row_is_400_with_its_row_and_field_and_nothing_is_written(
    two, system, nothing_written
):
    week = weekly_week(two)
    response = post(
        system,
        two.weekly,
        "R-BAD",
        [
            row(two.weekly_cpli, week, 9),
            # Missed without a reason: the rules' error, as the page gives it.
            row(two.weekly_cpli, (two.open_period.start_date + WEEK * 4).isoformat(), 9, missed=1),
        ],
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields["rows"]) == ["1"]
    assert "missed_reason" in fields["rows"]["1"]
    assert not ActualsFile.objects.exists()


def test_typing_errors_name_each_row_and_field(two, system, nothing_written):
    week = weekly_week(two)
    response = post(
        system,
        two.weekly,
        "R-TYPES",
        [
            row(two.weekly_cpli, week, "9"),
            row(two.weekly_cpli, week, 9.125, colour="blue"),
            row(two.weekly_cpli, week, -1),
        ],
    )
    assert response.status_code == 400
    rows = response.json()["error"]["fields"]["rows"]
    assert set(rows) == {"0", "1", "2"}
    assert "actual" in rows["0"] and "actual" in rows["1"] and "colour" in rows["1"]
    assert "actual" in rows["2"]
    assert not ActualsFile.objects.exists()


def test_a_line_of_the_other_council_is_refused_with_the_rest_checked(two, system, nothing_written):
    week = weekly_week(two)
    response = post(
        system,
        two.weekly,
        "R-MIX",
        [row(two.weekly_cpli, week, 9, missed=2), row(two.four_weekly_cpli, week, 10)],
    )
    assert response.status_code == 400
    rows = response.json()["error"]["fields"]["rows"]
    assert "missed_reason" in rows["0"]
    assert two.weekly.name in rows["1"]["cpli"][0]


def test_the_four_weekly_councils_rules_are_its_own(two, system, nothing_written):
    """The 4-weekly council allows no extras; its paid period refuses changes, as the page."""
    open_week = weekly_week(two)
    no_extras = post(
        system,
        two.four_weekly,
        "R-XTR",
        [row(two.four_weekly_cpli, open_week, 11, extra=1, variation_code="V1")],
    )
    assert no_extras.status_code == 400
    assert "extra" in no_extras.json()["error"]["fields"]["rows"]["0"]
    paid = post(
        system, two.four_weekly, "R-PAID", [row(two.four_weekly_cpli, two.week.isoformat(), 8)]
    )
    assert paid.status_code == 400
    assert (
        "payment has already been processed"
        in paid.json()["error"]["fields"]["rows"]["0"]["week"][0]
    )
    # The weekly council's extras are allowed (with a variation code) the same week.
    assert not ActualsFile.objects.exists()


def test_a_week_in_progress_is_refused(two, system, nothing_written):
    this_week = (two.open_period.start_date + WEEK * 6).isoformat()
    response = post(system, two.weekly, "R-NOW", [row(two.weekly_cpli, this_week, 9)])
    assert response.status_code == 400
    assert "in progress" in response.json()["error"]["fields"]["rows"]["0"]["week"][0]


def test_an_empty_file_or_a_missing_reference_is_400(two, system):
    response = system.post(WEEK_URL, {"council": two.weekly.slug, "rows": []}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "reference" in fields and "rows" in fields


# --- Posting CSV ----------------------------------------------------------------------------------


def basic_row(two, week: str, actual="9"):
    return [
        two.service.name,
        DOUBLE_ASSIST,
        "AS1001",
        week.replace("-", "/"),
        actual,
        0,
        0,
        0,
        9,
        "Short visit",
    ]


def test_a_csv_file_in_the_weekly_councils_layout_is_saved(two, system):
    week = weekly_week(two)
    text = csv_text(BASIC_COLUMNS, basic_row(two, week))
    response = post_csv(system, text, reference="CM-77", council=two.weekly.slug)
    assert response.status_code == 201, response.json()
    assert response.json()["file"]["format"] == "csv" and response.json()["read"] == 1
    assert Actual.objects.get(cpli=two.weekly_cpli, week_start=week).actual == Decimal("9")
    assert Event.objects.filter(action="actuals.saved.csv").count() == 1
    kept = ActualsFile.objects.get()
    assert (kept.council, kept.format, kept.rows) == (two.weekly, "csv", 1)
    again = post_csv(system, text, reference="CM-77", council=two.weekly.slug)
    assert again.status_code == 409 and "CM-77" in again.json()["error"]["message"]


def test_a_csv_file_in_the_four_weekly_councils_layout_with_reasons_is_saved(two, system):
    week = weekly_week(two)
    cells = [two.service.name, DOUBLE_ASSIST, "FM2002", week.replace("-", "/")]
    cells += [8, 2, 0, 0, 8, "In hospital", "Hospital", "", ""]
    text = csv_text(REASON_COLUMNS, cells)
    response = post_csv(system, text, reference="CM-78", council=two.four_weekly.slug)
    assert response.status_code == 201, response.json()
    saved = Actual.objects.get(cpli=two.four_weekly_cpli, week_start=week)
    assert saved.frustrated == Decimal("2") and saved.frustrated_reason == "hospital"


def test_a_csv_file_with_a_bad_row_is_400_with_the_rows_problems_and_nothing_written(
    two, system, nothing_written
):
    week = weekly_week(two)
    text = csv_text(BASIC_COLUMNS, basic_row(two, week), basic_row(two, week, actual="lots"))
    response = post_csv(system, text, reference="CM-BAD", council=two.weekly.slug)
    assert response.status_code == 400
    rows = response.json()["error"]["fields"]["rows"]
    assert list(rows) == ["3"]
    assert rows["3"][0].startswith("Row 3, column E")
    assert not ActualsFile.objects.exists()


def test_a_csv_file_matches_one_named_council_only(two, system, nothing_written):
    week = weekly_week(two)
    text = csv_text(BASIC_COLUMNS, basic_row(two, week))
    # Two councils: the file must say whose it is.
    response = post_csv(system, text, reference="CM-1")
    assert response.status_code == 400 and "council" in response.json()["error"]["fields"]
    # The weekly council's client is not one of the four-weekly council's lines.
    response = post_csv(system, text, reference="CM-1", council=two.four_weekly.slug)
    assert response.status_code == 400 and "2" in response.json()["error"]["fields"]["rows"]


def test_a_csv_body_must_be_sent_as_text_csv(two, system):
    response = system.generic(
        "POST",
        f"{CSV_URL}?reference=CM-2&council={two.weekly.slug}",
        b"Service,Service level",
        content_type="application/json",
    )
    assert response.status_code == 415
    assert "text/csv" in response.json()["error"]["message"]


# --- Races ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_reference_sent_twice_at_once_is_saved_once(two_council_provider):
    """Two requests with one reference at the same moment: the unique constraint decides."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: no two transactions overlap")
    two = two_council_provider
    key = provider_key(two.carer)
    week = (two.open_period.start_date + WEEK * 5).isoformat()
    answers: list[int] = []
    barrier = threading.Barrier(2)

    def send(actual: int) -> None:
        try:
            barrier.wait()
            answers.append(
                post(
                    client_with(key), two.weekly, "RACE-1", [row(two.weekly_cpli, week, actual)]
                ).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in (8, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 409]
    assert ActualsFile.objects.count() == 1
    assert Actual.objects.filter(cpli=two.weekly_cpli, week_start=week).count() == 1


# --- Queries ----------------------------------------------------------------------------------------


def test_reading_a_week_asks_the_database_the_same_number_of_times_for_more_clients(two, system):
    """A page of a week is a fixed number of queries, however many lines it holds."""
    query = {"council": two.weekly.slug, "week": last_week()}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert system.get(WEEK_URL, query).status_code == 200
        return len(captured)

    queries()  # the key's first use is written once (last_used_at): not a read's query
    one = queries()
    more_clients(two, 4)
    assert system.get(WEEK_URL, query).json()["count"] == 5
    assert queries() == one


# --- Bounds -----------------------------------------------------------------------------------------


def test_a_csv_file_over_the_upload_pages_limit_is_refused_unread(two, system, nothing_written):
    header = ",".join(BASIC_COLUMNS) + "\r\n"
    text = header + "x" * (10 * 1024 * 1024)
    response = post_csv(system, text, reference="CM-HUGE", council=two.weekly.slug)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"] == ["The file must be smaller than 10 MB."]
    assert not ActualsFile.objects.exists()


def test_a_reference_with_control_characters_or_rows_not_a_list_are_400(two, system):
    response = post(system, two.weekly, "R\x07-1", [row(two.weekly_cpli, weekly_week(two))])
    assert response.status_code == 400 and "reference" in response.json()["error"]["fields"]
    response = system.post(
        WEEK_URL,
        {"council": two.weekly.slug, "reference": "R-2", "rows": {"cpli": 1}},
        format="json",
    )
    assert response.status_code == 400 and "rows" in response.json()["error"]["fields"]
    assert not ActualsFile.objects.exists()
