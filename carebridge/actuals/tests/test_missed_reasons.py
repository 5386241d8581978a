"""Missed reasons: why a planned quantity was missed, and what the council's payment rule pays
of it (Bradford: the person's non-engagement or short-notice cancellation paid, a planned
absence with notice or the provider's own failure not). Actual = Pl - Frstd - Msd + Xtr still
decides the warning triangle, whatever the reason."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from carebridge.actions.models import Action
from carebridge.actuals import csvio
from carebridge.actuals.models import Actual, PackageReview
from carebridge.actuals.rules import Entry, assess, check, payable_missed
from carebridge.actuals.tests.conftest import FIRST_PERIOD, item, make_payment_rule, weeks_ago
from carebridge.actuals.tests.csv_support import BASIC, as_csv, row_for
from carebridge.actuals.tests.services_support import LAST_WEEK, D, generate, row, save
from carebridge.actuals.tests.test_rules import HOURS, context
from carebridge.audit.models import Event
from carebridge.core.formats import round_money
from carebridge.organisations import services as org
from carebridge.organisations.choices import ContractType
from carebridge.organisations.choices import MissedReason as MR
from carebridge.organisations.models import PaymentRule
from carebridge.payments.selectors import pre_invoice
from tests.support import client_for

QUARTERS = st.integers(min_value=0, max_value=40 * 4).map(lambda n: Decimal(n) / 4)
PERCENTS = st.integers(min_value=0, max_value=100)


def test_the_payment_rule_pays_the_persons_own_cancellations_and_not_the_others():
    assert PaymentRule().missed_paid_percents() == {
        MR.PLANNED_ABSENCE: 0,
        MR.NON_ENGAGEMENT: 100,
        MR.SHORT_NOTICE: 100,
        MR.PROVIDER_FAILURE: 0,
    }


@given(
    planned=QUARTERS,
    actual=QUARTERS,
    missed=QUARTERS,
    extra=QUARTERS,
    reason=st.sampled_from(["", *MR.values]),
    percents=st.fixed_dictionaries(dict.fromkeys(MR.values, PERCENTS)),
)
def test_the_paid_amount_follows_the_rulebook_and_the_triangle_is_unchanged(
    planned, actual, missed, extra, reason, percents
):
    rules = replace(HOURS, missed_percents=percents)
    entered = Entry(actual=actual, missed=missed, extra=extra, missed_reason=reason)
    found = assess(entered, rules, planned)
    # The triangle is the guides' sum alone: the reason never changes it.
    without_reason = assess(replace(entered, missed_reason=""), rules, planned)
    assert found.does_not_add_up == (actual != planned - missed + extra)
    assert found.does_not_add_up == without_reason.does_not_add_up
    # Paid: the reason's percentage of the missed hours Actual leaves out of the plan, once.
    share = Decimal(percents[reason]) / 100 if reason and missed > 0 else Decimal(0)
    left_out = min(missed, max(planned + extra - actual, Decimal(0)))
    assert found.cost == round_money((actual + left_out * share) * rules.rate)
    assert found.payable_missed == left_out * share
    if not found.does_not_add_up:
        # A row that adds up is paid its Actual and the paid share of all its Msd.
        assert found.cost == round_money((actual + missed * share) * rules.rate)
    # Never more than the plan and the extras, nor less than what was delivered.
    assert found.cost >= without_reason.cost
    assert actual + found.payable_missed <= max(actual, planned + extra)


@pytest.mark.parametrize(
    ("reason", "cost"),
    [
        (MR.NON_ENGAGEMENT, "193.92"),
        (MR.SHORT_NOTICE, "193.92"),
        (MR.PLANNED_ABSENCE, "161.60"),
        (MR.PROVIDER_FAILURE, "161.60"),
    ],
)
def test_bradfords_twelve_planned_two_missed_costs_as_its_reason_says(reason, cost):
    entered = Entry(actual=D(10), missed=D(2), missed_reason=reason, comments="x")
    assert assess(entered, HOURS, D(12)).cost == D(cost)


def test_actual_left_at_the_plan_is_not_paid_the_missed_hours_twice():
    # Bradford: "leave the actual amount as the full planned 12 hours" when the person refused.
    entered = Entry(actual=D(12), missed=D(2), missed_reason=MR.NON_ENGAGEMENT, comments="x")
    found = assess(entered, HOURS, D(12))
    assert found.does_not_add_up
    assert found.cost == D("193.92")
    assert payable_missed(entered, HOURS, D(12)) == 0


def test_a_missed_quantity_needs_its_reason():
    entered = Entry(actual=D(13), missed=D(1), comments="Refused a call")
    assert check(entered, HOURS, context("14")) == {
        "missed_reason": "Choose why the quantity was missed"
    }
    made_up = replace(entered, missed_reason="carer_on_strike")
    assert "missed_reason" in check(made_up, HOURS, context("14"))
    assert check(replace(entered, missed_reason=MR.SHORT_NOTICE), HOURS, context("14")) == {}


def test_the_reason_goes_when_nothing_is_missed():
    entered = Entry(actual=D(14), missed_reason=MR.NON_ENGAGEMENT)
    assert entered.normalised().missed_reason == ""


def test_the_cost_sum_names_the_paid_missed_hours():
    entered = Entry(actual=D(10), missed=D(2), missed_reason=MR.NON_ENGAGEMENT, comments="x")
    assert assess(entered, HOURS, D(12)).cost_sum == "12 (Actual + Msd) Hours x £16.16"


@pytest.mark.django_db
def test_a_saved_row_costs_what_its_contract_types_rule_pays(world):
    make_payment_rule(
        world.council, ContractType.SPOT, missed_paid_percents={MR.NON_ENGAGEMENT: 50}
    )
    generate(world)
    save(
        world,
        item(
            world.cpli,
            LAST_WEEK,
            "12",
            missed="2",
            missed_reason=MR.NON_ENGAGEMENT,
            comments="Did not engage for two hours",
        ),
    )
    stored = row(world.cpli)
    assert stored.missed_reason == MR.NON_ENGAGEMENT
    # 12 delivered and half of the 2 missed, at £16.16.
    assert stored.cost == D("210.08")
    assert not stored.does_not_add_up


@pytest.mark.django_db
def test_the_page_asks_for_the_reason_and_saves_it(world):
    generate(world)
    data = {
        "service": world.service.pk,
        "week": LAST_WEEK.isoformat(),
        "rows": [world.cpli.pk],
        f"line{world.cpli.pk}-actual": "12",
        f"line{world.cpli.pk}-missed": "2",
        f"line{world.cpli.pk}-visits": "14",
        f"line{world.cpli.pk}-comments": "Cancelled on the day by the family",
    }
    client = client_for(world.carer)
    refused = client.post(reverse("actuals:week"), data)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Choose why the quantity was missed" in page
    assert f'id="line{world.cpli.pk}-missed_reason"' in page
    assert "Short-notice cancellation by the person" in page
    assert row(world.cpli).missed == 0

    data[f"line{world.cpli.pk}-missed_reason"] = MR.SHORT_NOTICE
    assert client.post(reverse("actuals:week"), data).status_code == 302
    stored = row(world.cpli)
    assert (stored.missed, stored.missed_reason, stored.cost) == (2, MR.SHORT_NOTICE, D("226.24"))


@pytest.mark.django_db
def test_a_csv_file_keeps_the_reason_entered_on_the_page(world):
    generate(world)
    save(
        world,
        item(world.cpli, LAST_WEEK, "12", missed="2", missed_reason=MR.SHORT_NOTICE, comments="x"),
    )
    text = as_csv([BASIC, row_for(world, LAST_WEEK, "11", missed="3", comments="Cancelled")])
    csvio.import_rows(world.carer, text)
    stored = row(world.cpli)
    assert (stored.missed, stored.missed_reason, stored.cost) == (3, MR.SHORT_NOTICE, D("226.24"))


@pytest.mark.django_db
def test_a_csv_file_without_a_reason_column_saves_a_new_missed_quantity_as_before(world):
    # No layout has a Missed Reason column: the file cannot say why, so none of Msd is paid
    # (what every missed quantity cost before reasons) until the reason is given on the page.
    text = as_csv([BASIC, row_for(world, LAST_WEEK, "13", missed="1", comments="Refused")])
    csvio.import_rows(world.carer, text)
    stored = row(world.cpli)
    assert (stored.missed, stored.missed_reason, stored.cost) == (1, "", D("210.08"))


@pytest.mark.django_db
def test_a_row_saved_before_reasons_keeps_its_cost_until_it_is_changed(world):
    text = as_csv([BASIC, row_for(world, LAST_WEEK, "13", missed="1", comments="Refused")])
    csvio.import_rows(world.carer, text)
    before = row(world.cpli)
    # The same file again changes nothing, so asks nothing.
    assert csvio.import_rows(world.carer, text).unchanged == 1
    assert row(world.cpli).cost == before.cost
    assert Actual.objects.filter(cpli=world.cpli, week_start=LAST_WEEK).count() == 1


# --- Three weeks running of non-engagement ask for a package review --------------------------


def refused(world, week, cpli=None):
    return item(
        cpli or world.cpli,
        week,
        "12",
        missed="2",
        missed_reason=MR.NON_ENGAGEMENT,
        comments="Did not engage for two hours",
    )


@pytest.fixture
def operational(world):
    return org.team_create(council=world.council, name="North Locality Team", kind="district")


def review_actions(world):
    return Action.objects.filter(council=world.council, action_type__name="Package Review")


@pytest.mark.django_db
def test_a_third_week_running_of_non_engagement_asks_the_operational_team_once(world, operational):
    generate(world, weeks_ago(4), weeks_ago(3), weeks_ago(2), weeks_ago(1))
    save(world, refused(world, weeks_ago(4)))
    save(world, refused(world, weeks_ago(3)))
    # Two weeks are not yet a run.
    assert not review_actions(world).exists()
    assert not PackageReview.objects.exists()

    save(world, refused(world, weeks_ago(2)))
    (action,) = review_actions(world)
    assert action.assigned_team == operational
    assert action.service_user == world.person
    assert action.created_by == world.carer
    assert "3 consecutive weeks" in action.posts.get().text
    review = PackageReview.objects.get()
    assert (review.first_week, review.last_week, review.action_id) == (
        weeks_ago(4),
        weeks_ago(2),
        action.pk,
    )
    assert Event.objects.filter(action="actuals.package_review_asked").count() == 1

    # A fourth week of the same run, and saving the third again, ask nothing more.
    save(world, refused(world, weeks_ago(1)))
    save(
        world,
        replace(
            refused(world, weeks_ago(2)),
            entry=replace(refused(world, weeks_ago(2)).entry, comments="Did not engage, again"),
        ),
    )
    assert review_actions(world).count() == 1
    assert PackageReview.objects.count() == 1


@pytest.mark.django_db
def test_a_late_week_that_joins_a_reviewed_run_asks_nothing_more(world, operational):
    generate(world, weeks_ago(5), weeks_ago(4), weeks_ago(3), weeks_ago(2))
    save(world, refused(world, weeks_ago(4)), refused(world, weeks_ago(3)))
    save(world, refused(world, weeks_ago(2)))
    save(world, refused(world, weeks_ago(5)))
    assert review_actions(world).count() == 1


@pytest.mark.django_db
def test_weeks_that_are_not_running_or_not_non_engagement_ask_nothing(world, operational):
    generate(world, weeks_ago(4), weeks_ago(3), weeks_ago(2))
    save(world, refused(world, weeks_ago(4)))
    save(
        world,
        item(
            world.cpli,
            weeks_ago(3),
            "12",
            missed="2",
            missed_reason=MR.SHORT_NOTICE,
            comments="Cancelled on the day",
        ),
    )
    save(world, refused(world, weeks_ago(2)))
    assert not review_actions(world).exists()


@pytest.mark.django_db
def test_a_new_run_after_a_break_asks_again(world, operational, clock):
    # Seven ended weeks from the first period: a run of three, a week of engagement, and three.
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    weeks = [FIRST_PERIOD + timedelta(weeks=n) for n in range(7)]
    generate(world, *weeks)
    save(world, *(refused(world, week) for week in weeks[:3]))
    save(world, *(refused(world, week) for week in weeks[4:]))
    assert review_actions(world).count() == 2


@pytest.mark.django_db
def test_a_council_without_an_operational_team_gets_the_review_recorded_without_an_action(world):
    generate(world, weeks_ago(3), weeks_ago(2), weeks_ago(1))
    save(world, *(refused(world, weeks_ago(n)) for n in (3, 2, 1)))
    assert PackageReview.objects.get().action_id is None
    assert not review_actions(world).exists()
    assert Event.objects.filter(action="actuals.package_review_unrouted").count() == 1


@pytest.mark.django_db
def test_the_pre_invoice_quantity_follows_the_same_rule(world):
    make_payment_rule(world.council, ContractType.SPOT, payment_method="on_invoice")
    generate(world)
    save(
        world,
        item(
            world.cpli, LAST_WEEK, "10", missed="4", missed_reason=MR.NON_ENGAGEMENT, comments="x"
        ),
    )
    (line,) = pre_invoice(world.carer, world.service, row(world.cpli).period)
    # 10 delivered and the 4 hours the person did not engage for, paid in full.
    assert (line.quantity, line.amount) == (D("14"), D("226.24"))
