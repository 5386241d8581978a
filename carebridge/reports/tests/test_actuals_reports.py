"""The council's Actuals and payments reports: Confirmations on time, Exceptions by kind and
Disputes by reason. The two-council provider (Larchfield Home Care) works for Ashcombe (weekly
periods from 21 September 2026, confirmed by 5pm on the Tuesday after) and for Fenmarsh
(4-weekly periods from 21 September 2026, confirmed 5 working days after), with the clock frozen at
Monday 16 November 2026, 10:00 GMT. Every expected figure is worked out by hand in the comments."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from carebridge.actuals.rules import Entry
from carebridge.actuals.tests import conftest as actuals_world
from carebridge.audit.models import Event
from carebridge.disputes import services as disputes
from carebridge.disputes.models import DisputeReason
from carebridge.organisations.choices import FrustratedReason, MissedReason
from carebridge.reports.base import REGISTRY, Row, Table
from carebridge.reports.catalogue import confirmations
from carebridge.reports.catalogue.confirmations import working_days, working_days_late
from carebridge.reports.tests.actrep_support import (
    confirm_at,
    enter,
    moment,
    planned,
    provider_with_line,
)
from tests.support import TwoCouncilProvider, client_for, make_two_council_provider

pytestmark = pytest.mark.django_db
clock = actuals_world.clock  # the actuals tests' frozen clock, at NOW

NC, ND = "Not confirmed", "Not yet due"
LARCHFIELD = "Larchfield Home Care"
DEFAULTS: dict[str, Any] = {"starts": date(2026, 8, 24), "ends": date(2026, 11, 16)}


@pytest.fixture
def two(clock) -> TwoCouncilProvider:
    """Made at NOW: Fenmarsh's first period (21/09 to 18/10) confirmed now and paid."""
    return make_two_council_provider()


def cells(table: Table) -> list[tuple[Any, ...]]:
    return [row.cells for row in table.rows]


def build(slug: str, user: Any, **filters: Any) -> Table:
    table = REGISTRY[slug].build(user, {**DEFAULTS, "provider": None, **filters})
    table.rows = list(table.rows)
    return table


def d(day: int, month: int) -> date:
    return date(2026, month, day)


# --- Working days --------------------------------------------------------------------------


def test_working_days_leave_out_weekends_and_bank_holidays():
    # Mon 21 Dec 2026 to Fri 1 Jan 2027: ten weekdays, less Christmas Day (Fri 25), Boxing Day
    # (Mon 28, substitute) and New Year's Day (Fri 1 Jan).
    assert working_days(date(2026, 12, 21), date(2027, 1, 1)) == 7
    assert working_days(date(2026, 11, 14), date(2026, 11, 15)) == 0  # a weekend
    assert working_days(date(2026, 11, 17), date(2026, 11, 16)) == 0


def test_an_open_ended_line_takes_in_every_later_line_of_its_provider():
    # Found by the bench: a line with no end, then one starting later, overflowed date.max.
    spans = [
        (date(2026, 1, 5), date.max),
        (date(2026, 3, 2), date(2026, 4, 26)),
        (date(2025, 6, 2), date(2025, 6, 29)),
    ]
    assert list(confirmations._merged(spans)) == [
        (date(2025, 6, 2), date(2025, 6, 29)),
        (date(2026, 1, 5), date.max),
    ]


def test_a_confirmation_after_close_of_business_is_a_working_day_late():
    deadline = moment(10, 11, 17)  # 5pm on Tuesday 10 November (GMT)
    close = confirmations.Rulebook().close_of_business
    assert working_days_late(deadline, moment(10, 11, 17), close) == 0
    assert working_days_late(deadline, moment(10, 11, 17, 1), close) == 1
    assert working_days_late(deadline, moment(11, 11, 16, 59), close) == 1
    assert working_days_late(deadline, moment(11, 11, 17, 1), close) == 2
    # Friday's close missed, then the weekend: still two on Monday morning.
    assert working_days_late(moment(13, 11, 17), moment(16, 11, 9), close) == 1


# --- Confirmations on time -----------------------------------------------------------------


def confirm_three(clock, two: TwoCouncilProvider) -> None:
    """At Ashcombe: 19/10 confirmed at 5:30pm on its deadline's day (Tue 27/10, GMT after the
    clocks went back on 25/10); 26/10 at 9am the day after its deadline (Tue 03/11); 02/11 at
    4:30pm on its deadline's day (Tue 10/11), on time."""
    confirm_at(clock, two, d(19, 10), moment(27, 10, 17, 30))
    confirm_at(clock, two, d(26, 10), moment(4, 11, 9))
    confirm_at(clock, two, d(2, 11), moment(10, 11, 16, 30))


def test_confirmations_at_the_weekly_council_follow_its_weekly_deadlines(clock, two):
    confirm_three(clock, two)
    table = build("confirmations-on-time", two.weekly_officer)
    # Late by counts closes of business missed up to now (Mon 16/11 10:00, so the last is
    # Fri 13/11): from Tue 29/09, 2 in September, 22 in October, 10 in November = 34; from
    # Tue 06/10, 19 + 10 = 29; from 13/10, 14 + 10 = 24; from 20/10, 9 + 10 = 19.
    assert cells(table) == [
        (d(21, 9), d(27, 9), LARCHFIELD, "5:00pm 29/09/2026", NC, NC, 34, 0),
        (d(28, 9), d(4, 10), LARCHFIELD, "5:00pm 06/10/2026", NC, NC, 29, 0),
        (d(5, 10), d(11, 10), LARCHFIELD, "5:00pm 13/10/2026", NC, NC, 24, 0),
        (d(12, 10), d(18, 10), LARCHFIELD, "5:00pm 20/10/2026", NC, NC, 19, 0),
        (d(19, 10), d(25, 10), LARCHFIELD, "5:00pm 27/10/2026", "5:30pm 27/10/2026", "No", 1, 1),
        (d(26, 10), d(1, 11), LARCHFIELD, "5:00pm 03/11/2026", "9:00am 04/11/2026", "No", 1, 1),
        (d(2, 11), d(8, 11), LARCHFIELD, "5:00pm 10/11/2026", "4:30pm 10/11/2026", "Yes", None, 1),
        (d(9, 11), d(15, 11), LARCHFIELD, "5:00pm 17/11/2026", NC, ND, None, 0),
    ]
    # 8 periods; 7 past their deadline, 1 of them on time: 14.3%.
    assert table.totals == (
        "Total",
        None,
        "8 periods, 8 by provider",
        None,
        "3 confirmed",
        "1 of 7 (14.3%)",
        None,
        3,
    )
    assert table.notes[0] == (
        "The figures follow Ashcombe Borough Council's rules: weekly periods, each to be "
        "confirmed by close of business (5:00pm) on the Tuesday after it ends (the next working "
        "day if that is a bank holiday)."
    )
    assert table.notes[-1] == (
        "Of 7 provider periods past their deadline, 1 were confirmed on time: 14.3%."
    )
    assert {row.council_id for row in table.rows} == {two.weekly.pk}


def test_confirmations_at_the_four_weekly_council_follow_its_working_day_deadlines(clock, two):
    confirm_three(clock, two)  # Ashcombe's: not Fenmarsh's business
    table = build("confirmations-on-time", two.four_weekly_officer)
    # 21/09 to 18/10: 5 working days counted from Mon 19/10 end on Fri 23/10 (5pm BST); it was
    # confirmed now, Mon 16/11 10am: Fri 23/10 + 5 + 5 + 5 closes missed = 16. 19/10 to 15/11
    # is due by Fri 20/11.
    assert cells(table) == [
        (d(21, 9), d(18, 10), LARCHFIELD, "5:00pm 23/10/2026", "10:00am 16/11/2026", "No", 16, 1),
        (d(19, 10), d(15, 11), LARCHFIELD, "5:00pm 20/11/2026", NC, ND, None, 0),
    ]
    assert table.totals is not None and table.totals[5] == "0 of 1 (0.0%)"
    assert "Fenmarsh County Council's rules: 4-weekly periods" in table.notes[0]
    assert "5 working days after it ends" in table.notes[0]
    assert {row.council_id for row in table.rows} == {two.four_weekly.pk}


def test_confirmations_list_only_providers_with_a_line_in_the_period(clock, two):
    # A provider whose line starts on Mon 09/11 is due only for 09/11 to 15/11; one with a
    # contract and no line at all is not listed.
    late_starter = provider_with_line(two, two.weekly, start_date=d(9, 11))
    provider_with_line(two, two.four_weekly)
    table = build("confirmations-on-time", two.weekly_officer, starts=d(2, 11))
    assert [(row.cells[0], row.cells[2]) for row in table.rows] == [
        (d(2, 11), LARCHFIELD),
        (d(9, 11), LARCHFIELD),
        (d(9, 11), late_starter.name),
    ]
    only = build("confirmations-on-time", two.weekly_officer, provider=late_starter.pk)
    assert [(row.cells[0], row.cells[2]) for row in only.rows] == [(d(9, 11), late_starter.name)]


def test_the_confirmations_chart_draws_each_periods_share_on_time(clock, two):
    confirm_three(clock, two)
    table = build("confirmations-on-time", two.weekly_officer, starts=d(1, 11))
    # 26/10 (late) and 02/11 (on time) are due, 09/11 is not: bars of 0% and 100%, none for 09/11.
    chart = confirmations.chart(table)
    assert chart is not None
    assert [bar.title for bar in chart.bars] == [
        "Period from 26/10/2026 to 01/11/2026: confirmed on time 0 per cent",
        "Period from 02/11/2026 to 08/11/2026: confirmed on time 100 per cent",
    ]


# --- Fixed queries -------------------------------------------------------------------------


def rows_of(slug: str, user: Any) -> list[Row]:
    return list(REGISTRY[slug].build(user, {**DEFAULTS, "provider": None}).rows)


@pytest.mark.parametrize(
    ("slug", "queries"),
    [("confirmations-on-time", 4), ("actuals-exceptions", 6), ("disputes-by-reason", 1)],
)
def test_each_report_reads_a_fixed_number_of_queries_at_two_sizes(
    clock, two, slug, queries, django_assert_num_queries
):
    exceptions_and_disputes(two)
    with django_assert_num_queries(queries):
        small = rows_of(slug, two.weekly_officer)
    for _ in range(3):
        provider = provider_with_line(two, two.weekly)
        disputes.dispute_raise(
            by=two.weekly_officer,
            reason=reason(two.weekly, "Client query"),
            details="Checking",
            actual_ids=[
                enter_as(provider, two, d(12, 10), Entry(actual=Decimal("9"), comments="Short"))
            ],
        )
    with django_assert_num_queries(queries):
        large = rows_of(slug, two.weekly_officer)
    assert len(large) > len(small)


def enter_as(provider: Any, two: TwoCouncilProvider, week: date, entry: Entry) -> int:
    """Another provider's actual for its one line at Ashcombe in the week, saved by its user."""
    from carebridge.accounts.models import User
    from carebridge.actuals import services as actuals
    from carebridge.actuals.models import Actual
    from carebridge.contracts.models import Cpli

    user = User.objects.get(provider=provider)
    line = Cpli.objects.get(provider=provider)
    actuals.actuals_save(user, [actuals.Item(line.pk, week, entry, week)])
    return Actual.objects.get(cpli=line, week_start=week).pk


# --- Exceptions by kind --------------------------------------------------------------------


def reason(council: Any, label: str) -> DisputeReason:
    disputes.dispute_reasons_ensure(council)
    return DisputeReason.objects.get(council=council, label=label)


def exceptions_and_disputes(two: TwoCouncilProvider) -> dict[str, Any]:
    """Larchfield's weeks at Ashcombe (10 hours planned, over plan beyond 20%) and Fenmarsh,
    and disputes raised on them now (Mon 16/11 10am)."""
    rows = {
        # 9 + missed 1 for non-engagement: adds up, no flag.
        "missed": enter(
            two,
            two.weekly,
            d(12, 10),
            Entry(
                actual=Decimal("9"),
                missed=Decimal("1"),
                missed_reason=MissedReason.NON_ENGAGEMENT,
                comments="Refused one visit",
            ),
        ),
        # 13 = 10 + extra 3: adds up; 13 > 12, over the threshold.
        "extra": enter(
            two,
            two.weekly,
            d(19, 10),
            Entry(
                actual=Decimal("13"),
                extra=Decimal("3"),
                variation_code="V12",
                comments="Extra visits agreed",
            ),
        ),
        # 8 with 1 frustrated by two aborted visits: 10 - 1 = 9, not 8, so it does not add up.
        "aborted": enter(
            two,
            two.weekly,
            d(26, 10),
            Entry(
                actual=Decimal("8"),
                frustrated=Decimal("1"),
                frustrated_reason=FrustratedReason.ABORTED_VISIT,
                aborted_visit_dates=(d(27, 10), d(29, 10)),
                comments="Two aborted visits",
            ),
        ),
        "planned": planned(two, two.weekly, d(2, 11)),
        # At Fenmarsh, in its open period: 9 + missed 1 for a planned absence.
        "fenmarsh": enter(
            two,
            two.four_weekly,
            d(19, 10),
            Entry(
                actual=Decimal("9"),
                missed=Decimal("1"),
                missed_reason=MissedReason.PLANNED_ABSENCE,
                comments="Away for a day",
            ),
        ),
    }
    return rows


def test_exceptions_at_each_council_are_counted_by_kind_under_its_own_periods(clock, two):
    exceptions_and_disputes(two)
    weekly = build("actuals-exceptions", two.weekly_officer)
    assert cells(weekly) == [
        (d(12, 10), d(18, 10), LARCHFIELD, "Missed: Non-engagement by the person", 1, Decimal("1"), "Hours", None),
        (d(19, 10), d(25, 10), LARCHFIELD, "Over plan by more than 20%", 1, None, None, None),
        (d(19, 10), d(25, 10), LARCHFIELD, "Extra", 1, Decimal("3"), "Hours", None),
        (d(26, 10), d(1, 11), LARCHFIELD, "Does not add up", 1, None, None, None),
        (d(26, 10), d(1, 11), LARCHFIELD, "Frustrated: Aborted visit", 1, Decimal("1"), "Hours", 2),
    ]  # fmt: skip
    assert {row.council_id for row in weekly.rows} == {two.weekly.pk}
    assert "Ashcombe Borough Council's rules: weekly periods" in weekly.notes[0]
    # Fenmarsh's week of 19/10 is in its 4-weekly period 19/10 to 15/11; its paid period's
    # four weeks went as planned.
    four_weekly = build("actuals-exceptions", two.four_weekly_officer)
    assert cells(four_weekly) == [
        (d(19, 10), d(15, 11), LARCHFIELD, "Missed: Planned absence with notice", 1, Decimal("1"), "Hours", None),
    ]  # fmt: skip
    assert "Fenmarsh County Council's rules: 4-weekly periods" in four_weekly.notes[0]


def test_exceptions_sum_rows_and_visits_but_never_hours_with_other_units(clock, two):
    exceptions_and_disputes(two)
    response = client_for(two.weekly_officer).get(
        reverse("reports:download", args=["actuals-exceptions", "csv"]),
        {"starts_0": "24", "starts_1": "8", "starts_2": "2026", "ends_0": "16", "ends_1": "11"}
        | {"ends_2": "2026"},
    )
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # Five kinds' rows, 1 each; 2 aborted visits; the quantity column is not totalled.
    assert lines[-1] == ["Total", "", "", "", "5", "", "", "2"]


# --- Disputes by reason --------------------------------------------------------------------


def raise_and_resolve(clock, two: TwoCouncilProvider) -> None:
    rows = exceptions_and_disputes(two)
    officer = two.weekly_officer
    care = reason(two.weekly, "Care not delivered")
    clock.set(moment(2, 11, 10))
    first = disputes.dispute_raise(
        by=officer, reason=care, details="A", actual_ids=[rows["missed"].pk, rows["extra"].pk]
    )
    clock.set(moment(3, 11, 9))
    second = disputes.dispute_raise(
        by=officer, reason=care, details="B", actual_ids=[rows["aborted"].pk]
    )
    clock.set(moment(3, 11, 21))  # 12 hours after it was raised: 0.5 days
    disputes.dispute_resolve(by=officer, dispute=second)
    clock.set(moment(4, 11, 22))  # 2 days 12 hours after it was raised: 2.5 days
    disputes.dispute_request_resolution(by=two.carer, dispute=first, response="Amended")
    disputes.dispute_resolve(by=officer, dispute=first)
    clock.set(moment(10, 11, 12))
    disputes.dispute_raise(
        by=officer,
        reason=reason(two.weekly, "Variation code missing"),
        details="C",
        actual_ids=[rows["planned"].pk],
    )
    clock.set(moment(5, 11, 12))
    disputes.dispute_raise(
        by=two.four_weekly_officer,
        reason=reason(two.four_weekly, "Client query"),
        details="D",
        actual_ids=[rows["fenmarsh"].pk],
    )
    clock.set(moment(16, 11, 10))


def test_disputes_are_counted_by_reason_with_the_median_days_to_resolve(clock, two):
    raise_and_resolve(clock, two)
    table = build("disputes-by-reason", two.weekly_officer)
    # Care not delivered: two raised, both resolved, in 2.5 and 0.5 days (median 1.5), 3 rows.
    assert cells(table) == [
        ("Care not delivered", LARCHFIELD, 2, 2, 0, Decimal("1.5"), 3),
        ("Variation code missing", LARCHFIELD, 1, 0, 1, None, 1),
    ]
    assert table.totals == ("Total", None, 3, 2, 1, Decimal("1.5"), 4)
    assert {row.council_id for row in table.rows} == {two.weekly.pk}
    fenmarsh = build("disputes-by-reason", two.four_weekly_officer)
    assert cells(fenmarsh) == [("Client query", LARCHFIELD, 1, 0, 1, None, 1)]


def test_disputes_count_under_the_london_day_they_were_raised(clock, two):
    raise_and_resolve(clock, two)
    # From Tue 03/11: only the second "Care not delivered" dispute and the Variation one.
    table = build("disputes-by-reason", two.weekly_officer, starts=d(3, 11))
    assert cells(table) == [
        ("Care not delivered", LARCHFIELD, 1, 1, 0, Decimal("0.5"), 1),
        ("Variation code missing", LARCHFIELD, 1, 0, 1, None, 1),
    ]


# --- Access and audit ----------------------------------------------------------------------

SLUGS = ("confirmations-on-time", "actuals-exceptions", "disputes-by-reason")


@pytest.mark.parametrize("slug", SLUGS)
def test_a_provider_user_is_refused_each_report_and_its_downloads(clock, two, slug):
    browser = client_for(two.carer)
    assert browser.get(reverse("reports:report", args=[slug])).status_code == 403
    for fmt in ("csv", "xlsx", "pdf"):
        assert browser.get(reverse("reports:download", args=[slug, fmt])).status_code == 403


@pytest.mark.parametrize("slug", SLUGS)
def test_each_report_page_and_download_is_audited_for_the_council_it_shows(clock, two, slug):
    raise_and_resolve(clock, two)
    confirm_three(clock, two)
    browser = client_for(two.weekly_officer)
    page = browser.get(reverse("reports:report", args=[slug]))
    assert page.status_code == 200
    for fmt in ("xlsx", "pdf"):
        assert browser.get(reverse("reports:download", args=[slug, fmt])).status_code == 200
    events = Event.objects.filter(action__startswith="reports.report_").order_by("pk")
    assert [(e.action, e.council_id, e.detail.get("format")) for e in events] == [
        ("reports.report_viewed", two.weekly.pk, None),
        ("reports.report_downloaded", two.weekly.pk, "xlsx"),
        ("reports.report_downloaded", two.weekly.pk, "pdf"),
    ]


def test_the_confirmations_page_shows_its_chart_above_the_table_with_the_same_figures(clock, two):
    confirm_three(clock, two)
    page = client_for(two.weekly_officer).get(
        reverse("reports:report", args=["confirmations-on-time"]),
        {"starts_0": "1", "starts_1": "11", "starts_2": "2026", "ends_0": "16", "ends_1": "11"}
        | {"ends_2": "2026"},
    )
    html = page.content.decode()
    assert 'id="confirmations-chart' in html
    assert "Period from 02/11/2026 to 08/11/2026: confirmed on time 100 per cent" in html
    assert html.index("confirmations-chart") < html.index("4:30pm 10/11/2026")
