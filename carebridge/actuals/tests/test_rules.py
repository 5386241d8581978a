"""The arithmetic and the checks of one actual, against the councils' own worked examples, and
their properties for any quantities a provider could enter."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebridge.actuals.rules import (
    QUANTITY_FIELDS,
    Context,
    Entry,
    Rules,
    assess,
    check,
    entry_from,
    payable_frustrated,
    pro_rata,
    shown,
)
from carebridge.core.formats import round_money
from carebridge.organisations.choices import FrustratedReason as FR
from carebridge.organisations.choices import MissedReason as MR

WEEK = date(2020, 1, 13)  # Stockport's "Week Beginning 13 Jan 2020"

HOURS = Rules(
    unit="Hours",
    step=Decimal("0.25"),
    rate=Decimal("16.16"),
    level="Home Care - Single Assist Fixed Rate",
    hospital_weeks=2,
    extras_allowed=True,
    reasons=frozenset({FR.HOSPITAL, FR.ABORTED_VISIT, FR.NIGHT_CANCELLED}),
    over_percent=20,
    aborted_max_minutes=30,
    aborted_percent=100,
    night_percent=25,
)
# Bradford: frustrated for hospital admission only, no extras, shared support paid 6 weeks.
BRADFORD = replace(
    HOURS, extras_allowed=False, reasons=frozenset({FR.HOSPITAL}), level="Shared Support"
)
# Norfolk's 2015 block and framework contracts: aborted visits paid at 50 %, no cap.
NORFOLK_2015 = replace(HOURS, aborted_max_minutes=None, aborted_percent=50)
# Norfolk's spot and old block contracts: an aborted visit paid for at most 30 minutes.
NORFOLK_SPOT = replace(HOURS, aborted_max_minutes=30, aborted_percent=100)
NIGHTS = replace(HOURS, unit="Nights", step=Decimal("1"), rate=Decimal("80.00"), level="Night Sits")
SHORT_BREAK = replace(NIGHTS, level="Short Break - Nightly", is_allocation=True)


def d(value: str | int) -> Decimal:
    return Decimal(str(value))


def entry(actual, **fields) -> Entry:
    for name in ("frustrated", "missed", "extra"):
        if name in fields:
            fields[name] = d(fields[name])
    return Entry(actual=d(actual), **fields)


def context(planned, **fields) -> Context:
    return Context(planned=d(planned), week_start=fields.pop("week_start", WEEK), **fields)


ABORTED = {"frustrated_reason": FR.ABORTED_VISIT, "aborted_visit_dates": (WEEK,)}
TWO_ABORTED = {
    "frustrated_reason": FR.ABORTED_VISIT,
    "aborted_visit_dates": (WEEK, WEEK + timedelta(days=3)),
}


# --- The guides' worked examples ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "planned", "row", "cost", "adds_up", "cost_sum"),
    [
        pytest.param(
            HOURS, "14", entry("14"), "226.24", True, "14 (Actual + Frstd) Hours x £16.16",
            id="stockport-generated-as-planned",
        ),
        pytest.param(
            HOURS, "3.5", entry("3.5"), "56.56", True, "3.5 (Actual + Frstd) Hours x £16.16",
            id="stockport-3.5-hours",
        ),
        pytest.param(
            HOURS, "14", entry("14", missed=1, missed_reason=MR.PROVIDER_FAILURE,
                              comments="Carer unwell on Tuesday"), "226.24",
            False, "14 (Actual + Frstd) Hours x £16.16",
            id="stockport-missed-1-but-actual-left-at-14-gets-the-triangle",
        ),
        pytest.param(
            HOURS, "14", entry("13", missed=1, missed_reason=MR.PROVIDER_FAILURE,
                              comments="Carer unwell on Tuesday"), "210.08",
            True, "13 (Actual + Frstd) Hours x £16.16",
            id="stockport-corrected-to-13",
        ),
        pytest.param(
            BRADFORD, "10",
            entry("2", frustrated=8, frustrated_reason=FR.HOSPITAL, comments="Week 1 hospital"),
            "161.60", True, "10 (Actual + Frstd) Hours x £16.16",
            id="bradford-hospital-after-2-of-10-hours",
        ),
        pytest.param(
            BRADFORD, "26.25",
            entry("0", frustrated="26.25", frustrated_reason=FR.HOSPITAL,
                  comments="Week 1 hospital"),
            "424.20", True, "26.25 (Actual + Frstd) Hours x £16.16",
            id="bradford-shared-support-in-hospital-part-way-through-the-week",
        ),
        pytest.param(
            BRADFORD, "20", entry("16", missed=4, missed_reason=MR.PLANNED_ABSENCE,
                            comments="On holiday, notice given"),
            "258.56", True, "16 (Actual + Frstd) Hours x £16.16",
            id="bradford-advance-notice-of-4-hours",
        ),
        pytest.param(
            BRADFORD, "12", entry("12", missed=2, missed_reason=MR.NON_ENGAGEMENT,
                            comments="Refused to engage for 2 hours"),
            "193.92", False, "12 (Actual + Frstd) Hours x £16.16",
            id="bradford-client-refused-is-paid-in-full-but-does-not-add-up",
        ),
        pytest.param(
            BRADFORD, "10", entry("4", missed=6, missed_reason=MR.PLANNED_ABSENCE,
                            comments="Calls cancelled with notice"), "64.64", True,
            "4 (Actual + Frstd) Hours x £16.16",
            id="bradford-csv-4-provided-6-missed",
        ),
        pytest.param(
            NORFOLK_2015, "7", entry("6", frustrated=1, comments="Aborted", **ABORTED),
            "105.04", True, "6.5 (Actual + payable Frstd) Hours x £16.16",
            id="norfolk-2015-block-aborted-visit-at-50-percent",
        ),
        pytest.param(
            NORFOLK_SPOT, "7", entry("6", frustrated=1, comments="Aborted", **TWO_ABORTED),
            "113.12", True, "7 (Actual + Frstd) Hours x £16.16",
            id="norfolk-spot-two-aborted-visits-of-30-minutes",
        ),
        pytest.param(
            NIGHTS, "7",
            entry("6", frustrated=1, frustrated_reason=FR.NIGHT_CANCELLED,
                  comments="Cancelled on the day"),
            "500.00", True, "6.25 (Actual + payable Frstd) Nights x £80.00",
            id="norfolk-night-cancelled-within-24-hours-at-25-percent",
        ),
        pytest.param(
            NIGHTS, "7",
            entry("6", frustrated=1, frustrated_reason=FR.NIGHT_ENDED,
                  comments="Admitted to hospital overnight"),
            "560.00", True, "7 (Actual + Frstd) Nights x £80.00",
            id="norfolk-night-ended-by-hospital-admission-in-full",
        ),
        pytest.param(
            replace(HOURS, rate=d("16.18")), "0.25", entry("0.25"), "4.05", True,
            "0.25 (Actual + Frstd) Hours x £16.18",
            id="4.045-rounds-half-up-once",
        ),
    ],
)  # fmt: skip
def test_it_costs_the_guides_examples_to_the_penny(rules, planned, row, cost, adds_up, cost_sum):
    found = assess(row, rules, d(planned))
    assert found.cost == d(cost)
    assert found.does_not_add_up is not adds_up
    assert found.cost_sum == cost_sum
    assert check(row, rules, context(planned)) == {}


def test_it_explains_why_a_row_does_not_add_up():
    found = assess(entry("14", missed=1), HOURS, d(14))
    assert found.difference == (
        "Actual should be Pl - Frstd - Msd + Xtr = 14 - 0 - 1 + 0 = 13, but it is 14."
    )
    assert found.expected_actual == 13
    assert found.has_exception


def test_the_planned_cost_is_the_plan_times_the_rate():
    assert assess(entry("13", missed=1), HOURS, d(14)).planned_cost == d("226.24")


@pytest.mark.parametrize(("actual", "direction"), [("16", "under"), ("20", ""), ("21", "over")])
def test_it_colours_rows_over_or_under_the_plan(actual, direction):
    assert assess(entry(actual), HOURS, d(20)).direction == direction


@pytest.mark.parametrize(("actual", "over"), [("16.75", False), ("16.8", False), ("17", True)])
def test_it_flags_more_than_20_percent_over_the_plan(actual, over):
    found = assess(entry(actual, extra=d(actual) - 14, variation_code="V1"), HOURS, d(14))
    assert found.over_threshold is over
    assert ("More than 20% over the planned 14." in found.notes) is over


def test_the_over_plan_percent_is_the_councils():
    found = assess(
        entry("15.5", extra="1.5", variation_code="V1"), replace(HOURS, over_percent=10), d(14)
    )
    assert found.over_threshold


def test_a_zero_without_a_comment_is_an_exception_and_with_one_is_not():
    assert assess(entry("0"), HOURS, d(14)).zero_without_comment
    assert not assess(entry("0", missed=14, comments="Away"), HOURS, d(14)).zero_without_comment


def test_a_short_break_has_no_weekly_plan_to_add_up_to():
    found = assess(entry("3"), SHORT_BREAK, d(0))
    assert not found.has_exception
    assert found.direction == ""
    assert found.cost == d("240.00")


# --- The checks, in the guides' words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "planned", "row", "ctx", "errors"),
    [
        pytest.param(
            HOURS, "14", entry("13.1", missed="0.9", comments="x"), {},
            {"actual": "Enter Actual in units of 0.25 hours, like 3.25",
             "missed": "Enter Msd in units of 0.25 hours, like 3.25"},
            id="hours-in-quarter-hours",
        ),
        pytest.param(
            NIGHTS, "7", entry("6.5", missed="0.5", comments="x"), {},
            {"actual": "Enter Actual as a whole number of nights",
             "missed": "Enter Msd as a whole number of nights"},
            id="nights-whole",
        ),
        pytest.param(
            HOURS, "14", entry("-1", comments="x"), {},
            {"actual": "Actual cannot be less than 0"}, id="not-negative",
        ),
        pytest.param(
            HOURS, "14", entry("14", visits=-1), {}, {"visits": "Vst cannot be less than 0"},
            id="visits-not-negative",
        ),
        pytest.param(
            BRADFORD, "14", entry("15", extra=1, variation_code="V1", comments="x"), {},
            {"extra": "Extras cannot be claimed: any increase in service must be requested "
                      "from the operational team"},
            id="bradford-no-extras",
        ),
        pytest.param(
            HOURS, "14", entry("15", extra=1, comments="Extra visit"), {},
            {"variation_code": "Enter the variation code the social worker gave for the extra "
                               "hours"},
            id="extra-needs-a-variation-code",
        ),
        pytest.param(
            HOURS, "14", entry("13", frustrated=1, comments="x"), {},
            {"frustrated_reason": "Choose why the quantity was frustrated"},
            id="frustrated-needs-a-reason",
        ),
        pytest.param(
            BRADFORD, "14", entry("13", frustrated=1, comments="x", **ABORTED), {},
            {"frustrated_reason": "Frustrated can only be claimed for hospital admission"},
            id="bradford-frustrated-for-hospital-only",
        ),
        pytest.param(
            replace(HOURS, reasons=frozenset()), "14",
            entry("13", frustrated=1, frustrated_reason=FR.HOSPITAL, comments="x"), {},
            {"frustrated_reason": "Frustrated can only be claimed for nothing"},
            id="no-reasons-at-all",
        ),
        pytest.param(
            HOURS, "14",
            entry("0", frustrated=14, frustrated_reason=FR.HOSPITAL, comments="Week 3"),
            {"hospital_weeks_before": 2},
            {"frustrated": "Home Care - Single Assist Fixed Rate is paid during a hospital "
                           "admission for up to 2 weeks and this would be week 3. The "
                           "operational team must agree any funding beyond that"},
            id="hospital-week-3-of-2",
        ),
        pytest.param(
            HOURS, "14",
            entry("13", frustrated=1, frustrated_reason=FR.ABORTED_VISIT, comments="x"), {},
            {"aborted_visit_dates": "Enter the date of each aborted visit"},
            id="aborted-needs-dates",
        ),
        pytest.param(
            HOURS, "14",
            entry("13", frustrated=1, frustrated_reason=FR.ABORTED_VISIT,
                  aborted_visit_dates=(WEEK + timedelta(days=7),), comments="x"), {},
            {"aborted_visit_dates": "Aborted visit dates must be in the week beginning "
                                    "13/01/2020"},
            id="aborted-dates-in-the-week",
        ),
        pytest.param(
            NORFOLK_SPOT, "14", entry("13", frustrated="0.75", comments="x", **ABORTED), {},
            {"frustrated": "An aborted visit is paid for at most 30 minutes: 1 visit can claim "
                           "up to 0.5 hours"},
            id="norfolk-spot-30-minutes-a-visit",
        ),
        pytest.param(
            NORFOLK_SPOT, "14", entry("12.75", frustrated="1.25", comments="x", **TWO_ABORTED),
            {},
            {"frustrated": "An aborted visit is paid for at most 30 minutes: 2 visits can claim "
                           "up to 1 hours"},
            id="norfolk-spot-two-visits",
        ),
        pytest.param(
            HOURS, "14", entry("13", missed=1, missed_reason=MR.SHORT_NOTICE), {},
            {"comments": "Comments must be completed if anything other than the planned "
                         "service has been provided"},
            id="comment-when-it-differs-from-plan",
        ),
        pytest.param(
            HOURS, "14", entry("0", missed=14, missed_reason=MR.PLANNED_ABSENCE), {},
            {"comments": "The actual for the week is 0: leave a comment saying why no service "
                         "was delivered"},
            id="comment-for-a-zero",
        ),
        pytest.param(
            SHORT_BREAK, "0", entry("3"), {"allocation_used": d(12), "allocation": d(14)},
            {"actual": "This would take the client to 15 nights this year, over the allocation "
                       "of 14. Any increase must be agreed with the client's social worker"},
            id="short-break-over-the-allocation",
        ),
    ],
)  # fmt: skip
def test_it_refuses_what_the_guides_refuse(rules, planned, row, ctx, errors):
    assert check(row, rules, context(planned, **ctx)) == errors


@pytest.mark.parametrize(
    ("rules", "planned", "row", "ctx"),
    [
        pytest.param(HOURS, "14", entry("14"), {}, id="as-planned-needs-no-comment"),
        pytest.param(
            HOURS, "14", entry("15", extra=1, variation_code="VC-2291", comments="Extra call"),
            {}, id="extra-with-a-variation-code",
        ),
        pytest.param(
            HOURS, "14",
            entry("0", frustrated=14, frustrated_reason=FR.HOSPITAL, comments="Week 2 hospital"),
            {"hospital_weeks_before": 1}, id="hospital-week-2-of-2",
        ),
        pytest.param(
            replace(BRADFORD, hospital_weeks=6), "26.25",
            entry("0", frustrated="26.25", frustrated_reason=FR.HOSPITAL,
                  comments="Week 6 hospital"),
            {"hospital_weeks_before": 5}, id="bradford-shared-support-week-6",
        ),
        pytest.param(
            NIGHTS, "7",
            entry("6", frustrated=1, frustrated_reason=FR.NIGHT_ENDED, comments="Died"), {},
            id="allowing-night-cancellations-allows-nights-ended",
        ),
        pytest.param(
            SHORT_BREAK, "0", entry("2"), {"allocation_used": d(12), "allocation": d(14)},
            id="short-break-up-to-the-allocation",
        ),
        pytest.param(SHORT_BREAK, "0", entry("0"), {}, id="short-break-nothing-taken"),
    ],
)  # fmt: skip
def test_it_accepts_what_the_guides_allow(rules, planned, row, ctx):
    assert check(row, rules, context(planned, **ctx)) == {}


def test_it_clears_reasons_dates_and_codes_that_say_nothing():
    messy = entry(
        "14",
        frustrated_reason=FR.ABORTED_VISIT,
        aborted_visit_dates=(WEEK,),
        variation_code=" VC-1 ",
        comments="  Fine  ",
    )
    clean = messy.normalised()
    assert (clean.frustrated_reason, clean.aborted_visit_dates, clean.variation_code) == (
        "",
        (),
        "",
    )
    assert clean.comments == "Fine"
    hospital = entry("0", frustrated=14, frustrated_reason=FR.HOSPITAL, aborted_visit_dates=(WEEK,))
    assert hospital.normalised().aborted_visit_dates == ()
    assert entry("15", extra=1, variation_code=" VC-1 ").normalised().variation_code == "VC-1"


def test_it_reads_an_entry_from_a_forms_cleaned_data():
    made = entry_from(
        {
            "actual": Decimal("13"),
            "missed": "1",
            "frustrated": None,
            "visits": "14",
            "comments": "x",
        }
    )
    assert made == Entry(actual=d(13), missed=d(1), visits=14, comments="x")


@pytest.mark.parametrize(
    ("value", "text"),
    [("14.00", "14"), ("3.50", "3.5"), ("0.25", "0.25"), ("0", "0"), ("1E+1", "10")],
)
def test_it_shows_quantities_as_the_guides_write_them(value, text):
    assert shown(d(value)) == text


@pytest.mark.parametrize(
    ("quantity", "days", "step", "planned"),
    [
        ("14", 7, "0.25", "14"),
        ("3.5", 4, "0.25", "2"),  # starts on a Thursday: 3.5 x 4 / 7
        ("14", 2, "0.25", "4"),  # ends on a Tuesday
        ("10", 3, "0.25", "4.25"),  # 4.2857 to the nearest quarter
        ("7", 1, "1", "1"),  # nights are whole
        ("3", 1, "1", "0"),  # 0.43 of a night rounds down
        ("14", 0, "0.25", "0"),
    ],
)
def test_a_part_week_is_planned_pro_rata_by_days_active(quantity, days, step, planned):
    assert pro_rata(d(quantity), days, d(step)) == d(planned)


# --- Properties, for any quantities in quarter-hours ---------------------------------------------

quarters = st.integers(min_value=0, max_value=4 * 80).map(lambda n: Decimal(n) / 4)
wholes = st.integers(min_value=0, max_value=80).map(Decimal)
rates = st.integers(min_value=0, max_value=50_000).map(lambda p: Decimal(p) / 100)
percents = st.integers(min_value=0, max_value=100)
reasons = st.sampled_from(["", *FR.values])
hour_rules = st.builds(
    replace,
    st.just(HOURS),
    rate=rates,
    aborted_percent=percents,
    night_percent=percents,
    aborted_max_minutes=st.none() | st.integers(min_value=0, max_value=120),
    hospital_weeks=st.integers(min_value=0, max_value=8),
    extras_allowed=st.booleans(),
    reasons=st.frozensets(st.sampled_from(FR.values)),
    over_percent=st.integers(min_value=0, max_value=100),
    is_allocation=st.booleans(),
)
days_in_week = st.integers(min_value=0, max_value=6).map(lambda n: WEEK + timedelta(days=n))
entries = st.builds(
    Entry,
    actual=quarters,
    frustrated=quarters,
    missed=quarters,
    extra=quarters,
    visits=st.integers(min_value=0, max_value=50),
    frustrated_reason=reasons,
    aborted_visit_dates=st.lists(days_in_week, max_size=4).map(tuple),
    variation_code=st.sampled_from(["", "VC-1"]),
    comments=st.sampled_from(["", "  ", "Carer unwell"]),
)
contexts = st.builds(
    Context,
    planned=quarters,
    week_start=st.just(WEEK),
    hospital_weeks_before=st.integers(min_value=0, max_value=10),
    allocation_used=quarters,
    allocation=st.none() | quarters,
)

PAID_IN_FULL = {FR.HOSPITAL, FR.NIGHT_ENDED}


@settings(max_examples=300, deadline=None)
@given(entries, hour_rules, quarters)
def test_the_cost_is_actual_plus_payable_frustrated_times_the_rate_rounded_once(
    row, rules, planned
):
    reason = row.frustrated_reason
    percent = (
        100
        if reason in PAID_IN_FULL
        else rules.aborted_percent
        if reason == FR.ABORTED_VISIT
        else rules.night_percent
        if reason == FR.NIGHT_CANCELLED
        else 0
    )
    payable = row.frustrated * percent / 100
    found = assess(row, rules, planned)
    assert found.payable_frustrated == payable_frustrated(row, rules) == payable
    assert found.cost == round_money((row.actual + payable) * rules.rate)
    assert found.planned_cost == round_money(planned * rules.rate)


@settings(max_examples=300, deadline=None)
@given(entries, hour_rules, quarters)
def test_a_row_does_not_add_up_exactly_when_actual_is_not_pl_minus_frstd_minus_msd_plus_xtr(
    row, rules, planned
):
    rules = replace(rules, is_allocation=False)
    found = assess(row, rules, planned)
    expected = planned - row.frustrated - row.missed + row.extra
    assert found.does_not_add_up is (row.actual != expected)
    assert found.expected_actual == expected
    assert bool(found.difference) is found.does_not_add_up


def _is_step_message(message: str | None) -> bool:
    return message is not None and ("in units of" in message or "whole number" in message)


@settings(max_examples=300, deadline=None)
@given(entries, hour_rules, contexts)
def test_check_never_crashes_and_quarter_hours_are_never_the_wrong_granularity(row, rules, ctx):
    errors = check(row, rules, ctx)
    assert all(not _is_step_message(errors.get(name)) for name in QUANTITY_FIELDS)
    assert all(isinstance(message, str) and message for message in errors.values())


@settings(max_examples=100, deadline=None)
@given(entries, hour_rules, contexts, st.text(max_size=20))
def test_check_refuses_an_unknown_reason_rather_than_crashing(row, rules, ctx, reason):
    row = replace(row, frustrated=row.frustrated + 1, frustrated_reason=reason)
    errors = check(row, rules, ctx)
    if reason not in FR.values:
        assert "frustrated_reason" in errors


@settings(max_examples=300, deadline=None)
@given(
    entries,
    st.sampled_from([(HOURS, Decimal("0.25")), (NIGHTS, Decimal("1"))]),
    st.sampled_from(QUANTITY_FIELDS),
    st.integers(min_value=1, max_value=99).map(lambda n: Decimal(n) / 100),
    contexts,
)
def test_a_value_off_the_units_step_always_gets_the_granularity_error(
    row, rules_and_step, name, offset, ctx
):
    rules, step = rules_and_step
    # Every other quantity on the step (whole nights or quarter-hours), this one off it.
    on_step = {q: (getattr(row, q) // step) * step for q in QUANTITY_FIELDS}
    on_step[name] += offset * step
    errors = check(replace(row, **on_step), rules, ctx)
    assert set(errors) == {name}
    assert _is_step_message(errors[name])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([(quarters, Decimal("0.25")), (wholes, Decimal("1"))]).flatmap(
        lambda pair: st.tuples(pair[0], st.just(pair[1]))
    ),
    st.integers(min_value=0, max_value=7),
)
def test_pro_rata_never_exceeds_the_week_and_is_a_multiple_of_the_step(quantity_and_step, days):
    quantity, step = quantity_and_step
    planned = pro_rata(quantity, days, step)
    assert 0 <= planned <= quantity
    assert planned % step == 0
    if days < 7:
        assert planned <= pro_rata(quantity, days + 1, step)
    if days == 7:
        assert planned == quantity
    if days == 0:
        assert planned == 0
