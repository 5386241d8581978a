"""The payments team's payment-run pages: the list, preparing a run, a run's page, and its
decisions (approve by a second officer, finalise, discard, prepare again) on confirmation pages,
tried by the council's officers, another council's, a provider's user and roles without the
payments team's function; a double click makes one change."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Period
from carebridge.audit.models import Event
from carebridge.payments import services
from carebridge.payments.choices import RunStatus
from carebridge.payments.models import PaymentLine, PaymentRun
from carebridge.payments.services import RUN_CHANGED_SINCE_SEEN, SAME_OFFICER
from carebridge.payments.tests.conftest import (
    LAST_WEEK,
    clients,
    enter,
    item,
    period_of,
    weeks_ago,
)
from carebridge.payments.tests.runs_support import (
    approved_run,
    confirmed,
    confirmed_week,
    finalised_run,
    prepared_run,
    second_officer,
    self_billing,
)
from carebridge.payments.views.runs import NOT_PREPARED, seen_token
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db
LIST = reverse("payments:run_list")
PREPARE = reverse("payments:run_prepare")


def detail(run: PaymentRun) -> str:
    return reverse("payments:run_detail", args=[run.pk])


def decide(run: PaymentRun, decision: str) -> str:
    return reverse("payments:run_decide", args=[run.pk, decision])


def post(client, run: PaymentRun, decision: str, **data):
    """A decision's form as its page sends it: with what the page showed of the run."""
    seen = seen_token(PaymentRun.objects.get(pk=run.pk))
    return client.post(decide(run, decision), {"seen": seen, **data}, follow=True)


def body(response) -> str:
    return response.content.decode()


def date_fields(day: date, name: str = "payment_date") -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def events(action: str) -> int:
    return Event.objects.filter(action=action).count()


@pytest.fixture
def billing(world, clock):
    """The world's council self-bills its provider; last week's 14 hours are confirmed."""
    self_billing(world)
    confirmed(world)
    world.clock = clock
    return world


@pytest.fixture
def run(billing) -> PaymentRun:
    return prepared_run(billing)


def test_the_list_shows_the_councils_runs_newest_first_with_totals(billing):
    older = finalised_run(billing, period_of(billing, weeks_ago(2)))
    newer = prepared_run(billing)
    response = client_for(billing.payments_officer).get(LIST)
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"].object_list] == [newer.pk, older.pk]
    page = body(response)
    assert "Prepare a payment run" in page and "£226.24" in page
    assert newer.reference in page and older.reference in page
    filtered = client_for(billing.payments_officer).get(LIST, {"status": "finalised"})
    assert [r.pk for r in filtered.context["page"].object_list] == [older.pk]
    by_period = client_for(billing.payments_officer).get(LIST, {"period": newer.period_id})
    assert [r.pk for r in by_period.context["page"].object_list] == [newer.pk]


def test_another_council_sees_none_of_our_runs(billing, run):
    other = client_for(billing.other_officer)
    assert list(other.get(LIST).context["page"].object_list) == []
    for url in (detail(run), decide(run, "discard"), reverse("payments:run_export", args=[run.pk])):
        assert other.get(url).status_code == 404
    assert other.post(decide(run, "discard"), {"seen": seen_token(run)}).status_code == 404
    assert PaymentRun.objects.get(pk=run.pk).status == RunStatus.PREPARED


@pytest.mark.parametrize("who", ["carer", "read_only", "broker", "admin"])
def test_a_provider_and_roles_without_the_payments_function_get_403(billing, run, who):
    user = (
        make_user(council=billing.council, role="council_administrator")
        if who == "admin"
        else getattr(billing, who)
    )
    client = client_for(user)
    urls = [
        LIST,
        PREPARE,
        detail(run),
        decide(run, "approve"),
        reverse("payments:run_export", args=[run.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(PREPARE, {"period": run.period_id}).status_code == 403


def test_the_prepare_page_offers_ended_periods_without_a_run_and_the_next_working_day(billing):
    finalised_run(billing, period_of(billing, weeks_ago(2)))
    response = client_for(billing.payments_officer).get(PREPARE)
    assert response.status_code == 200
    offered = [choice for choice, _label in response.context["form"].fields["period"].choices]
    assert period_of(billing).pk in offered
    assert period_of(billing, weeks_ago(2)).pk not in offered  # it has a run
    assert period_of(billing, weeks_ago(0)).pk not in offered  # it has not ended
    page = body(response)
    assert "govuk-date-input" in page
    # Monday 16 November 2026: the next working day is Tuesday 17th.
    assert 'value="17"' in page and 'value="11"' in page and 'value="2026"' in page


def test_preparing_a_run_makes_it_and_a_double_click_makes_one(billing):
    officer = client_for(billing.payments_officer)
    data = {"period": period_of(billing).pk, **date_fields(date(2026, 11, 17))}
    first = officer.post(PREPARE, data, follow=True)
    second = officer.post(PREPARE, data, follow=True)
    (run,) = PaymentRun.objects.all()
    assert run.payment_date == date(2026, 11, 17)
    assert events("payment_run.prepare") == 1
    for response in (first, second):
        assert response.redirect_chain[-1][0] == detail(run)
        assert f"Payment run {run.reference} prepared" in body(response)


def test_the_prepare_pages_errors_show_in_the_error_summary_writing_nothing(billing):
    officer = client_for(billing.payments_officer)
    saturday = date(2026, 11, 21)
    response = officer.post(PREPARE, {"period": period_of(billing).pk, **date_fields(saturday)})
    assert response.status_code == 200
    page = body(response)
    assert "govuk-error-summary" in page and "The payment date must be a working day" in page
    response = officer.post(PREPARE, date_fields(date(2026, 11, 17)))
    assert "Select the billing period to pay" in body(response)
    assert not PaymentRun.objects.exists()


def test_the_prepare_page_names_the_open_run(billing, run):
    page = body(client_for(billing.payments_officer).get(PREPARE))
    assert f"{run.reference}</a> is prepared: finalise or discard it" in page


def test_the_run_page_shows_who_totals_lines_sources_and_what_is_left_out(billing, run):
    response = client_for(billing.payments_officer).get(detail(run))
    assert response.status_code == 200
    page = body(response)
    officer = billing.payments_officer
    assert f"{officer.full_name}, 10:00am 16/11/2026" in page
    assert "Prepared" in page and "£226.24" in page
    assert "Diamond Home Care" in page and "Monica Geller" in page
    week_page = reverse("actuals:council_review", args=[period_of(billing).pk, billing.provider.pk])
    assert week_page in page
    assert "Left out of this run" in page and "Nothing due is left out." in page
    # The officer who prepared it is not offered Approve; Prepare again and Discard are.
    assert decide(run, "approve") not in page
    assert decide(run, "prepare-again") in page and decide(run, "discard") in page
    event = Event.objects.get(action="payment_run.viewed")
    assert (event.actor, event.detail["count"]) == (officer, 1)


def test_the_run_page_lists_an_unconfirmed_period_as_left_out(billing):
    (extra,) = clients(billing, 1)
    run = prepared_run(billing)
    # The provider changes a row after confirming: the period is no longer as confirmed.
    billing.clock.move(minutes=5)
    enter(billing, (extra, "10"))
    page = body(client_for(second_officer(billing)).get(detail(run)))
    assert "Nothing due is left out." not in page
    assert "Period not confirmed" in page


def test_the_officer_who_prepared_a_run_cannot_approve_it(billing, run):
    officer = client_for(billing.payments_officer)
    page = body(officer.get(decide(run, "approve")))
    assert SAME_OFFICER in page and "Approve run</button>" not in page
    assert "govuk-error-summary" not in page
    response = post(officer, run, "approve")
    assert SAME_OFFICER in body(response)
    # Submitted anyway (a page left open, a hand-made request): the error summary says why.
    assert "govuk-error-summary" in body(response)
    assert body(response).count(SAME_OFFICER) >= 2
    assert PaymentRun.objects.get(pk=run.pk).status == RunStatus.PREPARED
    assert events("payment_run.approve") == 0


def test_a_second_officer_approves_and_a_double_click_approves_once(billing, run):
    approver = second_officer(billing)
    client = client_for(approver)
    page = body(client.get(decide(run, "approve")))
    assert "Approve run</button>" in page and 'name="seen"' in page
    seen = seen_token(run)
    first = client.post(decide(run, "approve"), {"seen": seen}, follow=True)
    second = client.post(decide(run, "approve"), {"seen": seen}, follow=True)
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (RunStatus.APPROVED, approver)
    assert events("payment_run.approve") == 1
    for response in (first, second):
        assert "Payment run approved" in body(response)


def test_a_decision_on_a_run_changed_since_its_page_is_refused(billing, run):
    client = client_for(second_officer(billing))
    stale = seen_token(run)
    billing.clock.move(minutes=1)
    prepared_run(billing)  # prepared again meanwhile
    response = client.post(decide(run, "approve"), {"seen": stale}, follow=True)
    assert RUN_CHANGED_SINCE_SEEN in body(response)
    assert PaymentRun.objects.get(pk=run.pk).status == RunStatus.PREPARED


def test_finalising_pays_the_run_and_processes_its_period(billing):
    run = approved_run(billing)
    officer = client_for(billing.payments_officer)
    page = body(officer.get(decide(run, "finalise")))
    assert "Finalise run</button>" in page and "£226.24" in page
    response = post(officer, run, "finalise")
    assert "Payment run finalised" in body(response)
    run.refresh_from_db()
    assert run.status == RunStatus.FINALISED and run.finalised_by == billing.payments_officer
    assert Period.objects.get(pk=run.period_id).is_paid
    page = body(officer.get(detail(run)))
    assert reverse("payments:run_export", args=[run.pk]) in page
    assert "it is not recorded once the run is finalised" in page
    assert decide(run, "discard") not in page
    # A repeat refuses on the page and changes nothing.
    assert "Only an approved run can be finalised." in body(officer.get(decide(run, "finalise")))
    assert events("payment_run.finalise") == 1


def test_discarding_lets_go_of_the_lines_and_frees_the_period(billing, run):
    officer = client_for(billing.payments_officer)
    response = post(officer, run, "discard")
    assert "Payment run discarded" in body(response)
    assert PaymentRun.objects.get(pk=run.pk).status == RunStatus.DISCARDED
    assert not PaymentLine.objects.filter(run=run).exists()
    offered = client_for(billing.payments_officer).get(PREPARE).context["periods"]
    assert run.period in offered
    post(officer, run, "discard")
    assert events("payment_run.discard") == 1


def test_preparing_again_rebuilds_the_lines_with_a_new_date_once_for_a_double_click(billing, run):
    officer = client_for(billing.payments_officer)
    page = body(officer.get(decide(run, "prepare-again")))
    assert "govuk-date-input" in page
    seen = seen_token(run)
    data = {"seen": seen, **date_fields(date(2026, 11, 18))}
    billing.clock.move(minutes=1)
    first = officer.post(decide(run, "prepare-again"), data, follow=True)
    billing.clock.move(seconds=1)
    second = officer.post(decide(run, "prepare-again"), data, follow=True)
    run.refresh_from_db()
    assert run.payment_date == date(2026, 11, 18)
    assert events("payment_run.prepare") == 2  # the first prepare, and once again
    for response in (first, second):
        assert "Payment run prepared again" in body(response)
    assert PaymentLine.objects.filter(run=run).count() == 1


def test_preparing_again_refuses_a_bad_date_in_the_error_summary(billing, run):
    officer = client_for(billing.payments_officer)
    response = officer.post(
        decide(run, "prepare-again"),
        {"seen": seen_token(run), **date_fields(date(2026, 11, 21))},
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in body(response)
    assert "The payment date must be a working day" in body(response)
    assert PaymentRun.objects.get(pk=run.pk).payment_date == run.payment_date


def test_an_unknown_decision_is_404(billing, run):
    assert client_for(billing.payments_officer).get(decide(run, "pay")).status_code == 404


def test_the_lines_are_paged_by_provider(billing):
    stranger_cplis = billing.agree(billing.line("7"), service=billing.other_service)
    actuals.actuals_save(billing.stranger, [item(stranger_cplis[0], LAST_WEEK, "7")])
    actuals.actuals_confirm(billing.stranger, period_of(billing))
    run = prepared_run(billing)
    client = client_for(billing.payments_officer)
    everyone = client.get(detail(run))
    assert {row["provider"] for row in everyone.context["lines"]} == {
        "Diamond Home Care",
        "Zephyrine Domiciliary Services",
    }
    one = client.get(detail(run), {"provider": billing.other_provider.pk})
    assert {row["provider"] for row in one.context["lines"]} == {"Zephyrine Domiciliary Services"}
    # A provider not in the run shows every line, never an error.
    other = client.get(detail(run), {"provider": "99999999"})
    assert len(other.context["lines"]) == 2


def page_queries(user, url: str) -> int:
    client = client_for(user)
    client.get(url)  # the session's first read
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def measured(world, period: Period) -> tuple[PaymentRun, int, int]:
    """A run for the period, and its page's queries while prepared and once finalised."""
    run = prepared_run(world, period)
    prepared = page_queries(world.payments_officer, detail(run))
    run = services.run_approve(by=second_officer(world), run=run)
    run = services.run_finalise(by=world.payments_officer, run=run)
    return run, prepared, page_queries(world.payments_officer, detail(run))


def test_the_run_page_takes_the_same_queries_for_more_lines(billing):
    small, small_open, small_final = measured(billing, confirmed_week(billing, week=weeks_ago(2)))
    confirmed_week(billing, *((cpli, "10") for cpli in clients(billing, 6)))
    large, large_open, large_final = measured(billing, period_of(billing))
    assert PaymentLine.objects.filter(run=small).count() == 1
    assert PaymentLine.objects.filter(run=large).count() == 7
    assert (large_open, large_final) == (small_open, small_final)


def test_a_discarded_run_cannot_be_prepared_again_from_its_page(billing, run):
    run = services.run_discard(by=billing.payments_officer, run=run)
    officer = client_for(billing.payments_officer)
    assert NOT_PREPARED in body(officer.get(decide(run, "prepare-again")))
    response = officer.post(
        decide(run, "prepare-again"), {"seen": seen_token(run), **date_fields(date(2026, 11, 17))}
    )
    assert NOT_PREPARED in body(response)
    assert list(PaymentRun.objects.values_list("status", flat=True)) == [RunStatus.DISCARDED]


def test_the_list_takes_the_same_queries_for_more_runs(billing):
    finalised_run(billing, confirmed_week(billing, week=weeks_ago(3)))
    one = page_queries(billing.payments_officer, LIST)
    finalised_run(billing, confirmed_week(billing, week=weeks_ago(2)))
    prepared_run(billing)
    assert page_queries(billing.payments_officer, LIST) == one
