"""The provider's actuals pages and the council's overview: generate, edit in place, the
client's Add/Edit page, exceptions and confirmation, and who may do what."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from carebridge.actuals import services
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.periods import WEEK
from carebridge.actuals.rules import Entry
from carebridge.actuals.tests.conftest import THIS_WEEK, weeks_ago
from carebridge.audit.models import Event
from tests.support import client_for

pytestmark = pytest.mark.django_db


def week_url(world, week, **extra) -> str:
    query = "&".join(
        f"{k}={v}"
        for k, v in {"service": world.service.pk, "week": week.isoformat(), **extra}.items()
    )
    return f"{reverse('actuals:week')}?{query}"


def body(response) -> str:
    return response.content.decode()


def generate(world, week, client=None):
    return (client or client_for(world.carer)).post(
        reverse("actuals:generate"), {"service": world.service.pk, "week": week.isoformat()}
    )


def test_the_week_page_lists_clients_with_their_plan_and_offers_generate(world):
    page = body(client_for(world.carer).get(week_url(world, weeks_ago(1))))
    assert "Monica Geller" in page and "MG123" in page
    assert "Home Care - Single Assist Fixed Rate" in page
    assert "Generate actuals" in page
    assert "No actual yet" in page


def test_generate_fills_the_week_from_the_plan_and_shows_the_guides_cost(world):
    client = client_for(world.carer)
    response = generate(world, weeks_ago(1), client)
    assert response.status_code == 302
    row = Actual.objects.get(cpli=world.cpli, week_start=weeks_ago(1))
    assert row.actual == Decimal("14") and row.cost == Decimal("226.24")
    page = body(client.get(response["Location"]))
    assert "Actuals generated for 1 line" in page
    assert "£226.24" in page
    assert "14 (Actual + Frstd) Hours x £16.16" in page
    assert "Total: £226.24 of £226.24" in page
    assert "Generate actuals" not in page


def test_a_week_in_progress_cannot_be_generated_or_edited(world):
    page = body(client_for(world.carer).get(week_url(world, THIS_WEEK)))
    assert "still in progress" in page
    assert "Generate actuals" not in page
    client = client_for(world.carer)
    response = generate(world, THIS_WEEK, client)
    assert not Actual.objects.exists()
    page = body(client.get(response["Location"]))
    assert "while the week is in progress" in page


def _row_data(world, week, **values):
    data = {"service": world.service.pk, "week": week.isoformat(), "rows": [world.cpli.pk]}
    base = {"actual": "14", "frustrated": "0", "missed": "0", "extra": "0", "visits": "14"}
    base.update(values)
    if base["missed"] != "0":
        # A missed quantity needs a reason: the one paid nothing, unless the test names another.
        base.setdefault("missed_reason", "provider_failure")
    data.update({f"line{world.cpli.pk}-{name}": value for name, value in base.items()})
    return data


def test_editing_a_row_in_place_saves_it_with_its_warning(world):
    generate(world, weeks_ago(1))
    data = _row_data(world, weeks_ago(1), missed="1", comments="Carer unwell on Tuesday")
    client = client_for(world.carer)
    response = client.post(reverse("actuals:week"), data)
    assert response.status_code == 302
    row = Actual.objects.get(cpli=world.cpli, week_start=weeks_ago(1))
    assert row.missed == 1 and row.does_not_add_up
    page = body(client.get(response["Location"]))
    assert "1 actual saved" in page
    assert "Does not add up" in page
    assert "Pl - Frstd - Msd + Xtr = 14 - 0 - 1 + 0 = 13, but it is 14" in page


def test_a_change_without_a_comment_is_refused_against_its_row_and_nothing_is_saved(world):
    generate(world, weeks_ago(1))
    data = _row_data(world, weeks_ago(1), actual="13", missed="1")
    response = client_for(world.carer).post(reverse("actuals:week"), data)
    assert response.status_code == 400
    page = body(response)
    assert "There is a problem" in page
    assert "Comments must be completed if anything other than the planned service" in page
    assert f'href="#line{world.cpli.pk}-comments"' in page
    assert Actual.objects.get(cpli=world.cpli).actual == 14


def test_typing_errors_and_rule_errors_are_reported_together(world):
    generate(world, weeks_ago(1))
    data = _row_data(world, weeks_ago(1), actual="lots", comments="")
    response = client_for(world.carer).post(reverse("actuals:week"), data)
    assert response.status_code == 400
    assert "Enter Actual as a number" in body(response)


@pytest.mark.parametrize("tampered", ["9999-12-31", "0001-01-01", "2026-02-30", "20261109"])
def test_a_tampered_week_falls_back_to_the_last_ended_week(world, tampered):
    client = client_for(world.carer)
    for url in (
        f"{reverse('actuals:week')}?service={world.service.pk}&week={tampered}",
        reverse("actuals:client", args=[world.person.pk])
        + f"?service={world.service.pk}&week={tampered}",
    ):
        response = client.get(url)
        assert response.status_code == 200
    assert "Week beginning 09/11/2026" in body(
        client.get(f"{reverse('actuals:week')}?week={tampered}")
    )
    response = client.post(
        reverse("actuals:generate"), {"service": world.service.pk, "week": tampered}
    )
    assert response.status_code == 302
    assert Actual.objects.get().week_start == weeks_ago(1)


def test_it_refuses_control_characters_in_a_rows_text_against_the_field(world):
    generate(world, weeks_ago(1))
    data = _row_data(world, weeks_ago(1), actual="13", missed="1", comments="Ann\x00Smith")
    response = client_for(world.carer).post(reverse("actuals:week"), data)
    assert response.status_code == 400
    assert "Remove the hidden control characters" in body(response)
    assert f'href="#line{world.cpli.pk}-comments"' in body(response)
    assert Actual.objects.get(cpli=world.cpli).comments == ""


def test_it_refuses_an_aborted_visit_date_in_year_9999(world):
    generate(world, weeks_ago(1))
    data = _row_data(
        world,
        weeks_ago(1),
        actual="13",
        frustrated="1",
        frustrated_reason="aborted_visit",
        aborted_visit_dates="31/12/9999",
        comments="Door not answered",
    )
    response = client_for(world.carer).post(reverse("actuals:week"), data)
    assert response.status_code == 400
    assert "Aborted visit dates: enter a date between 1900 and 2100" in body(response)


def test_the_client_page_saves_undo_and_back(world):
    generate(world, weeks_ago(1))
    url = (
        reverse("actuals:client", args=[world.person.pk])
        + f"?service={world.service.pk}&week={weeks_ago(1).isoformat()}"
    )
    page = body(client_for(world.carer).get(url))
    assert "Monica Geller (MG123)" in page
    assert "Undo" in page and "Back" in page and "Week total: £226.24" in page
    data = _row_data(world, weeks_ago(1), actual="13", missed="1", comments="Cancelled a call")
    response = client_for(world.carer).post(url, data)
    assert response.status_code == 302
    page = body(client_for(world.carer).get(url))
    assert "£210.08" in page and "13 (Actual + Frstd) Hours x £16.16" in page
    assert "Under plan" in page


def test_read_only_users_see_actuals_but_cannot_change_them(world):
    generate(world, weeks_ago(1))
    reader = client_for(world.read_only)
    page = body(reader.get(week_url(world, weeks_ago(1))))
    assert "£226.24" in page and "Save changes" not in page
    assert reader.post(reverse("actuals:week"), _row_data(world, weeks_ago(1))).status_code == 403


def test_another_providers_client_page_is_not_found(world):
    response = client_for(world.stranger).get(
        reverse("actuals:client", args=[world.person.pk]) + f"?week={weeks_ago(1).isoformat()}"
    )
    assert response.status_code == 404


def test_confirming_a_period_after_reviewing_its_exceptions(world, clock):
    generate(world, weeks_ago(1))
    services.actuals_save(
        world.carer,
        [
            services.Item(
                world.cpli.pk,
                weeks_ago(1),
                Entry(
                    actual=Decimal("14"),
                    missed=Decimal("2"),
                    missed_reason="non_engagement",
                    comments="Client refused",
                ),
                "r",
            )
        ],
    )
    period = Actual.objects.get(cpli=world.cpli).period
    client = client_for(world.carer)
    listing = body(client.get(reverse("actuals:period_list")))
    assert "Not confirmed" in listing
    page = body(client.get(reverse("actuals:period", args=[period.pk])))
    assert "Does not add up" in page and "Monica Geller" in page
    assert "reviewed the exceptions" in page
    response = client.post(reverse("actuals:period", args=[period.pk]))
    assert response.status_code == 302
    assert Confirmation.objects.filter(period=period, provider=world.provider).exists()
    page = body(client.get(response["Location"]))
    assert "Actuals confirmed" in page and "Confirmed" in page
    assert Event.objects.filter(action="actuals.confirmed").count() == 1


def test_the_council_sees_who_has_not_confirmed_and_when_the_payment_was_processed(world, clock):
    generate(world, weeks_ago(1))
    period = Actual.objects.get(cpli=world.cpli).period
    officer = client_for(world.payments_officer)
    page = body(officer.get(reverse("actuals:council_overview") + f"?period={period.pk}"))
    assert "Diamond Home Care" in page and "Not confirmed" in page and "£226.24" in page
    # The page has no button of its own any more: the payment run processes the period.
    assert "Payment processed" not in page and "Record payment" not in page
    clock.move(days=2)
    services.period_mark_paid(world.payments_officer, period)
    officer = client_for(world.payments_officer)  # a new day, a new log-in
    page = body(officer.get(reverse("actuals:council_overview") + f"?period={period.pk}"))
    assert "Payment processed on 18/11/2026" in page
    assert "Record payment" not in page
    # The provider can no longer change the week.
    page = body(client_for(world.carer).get(week_url(world, weeks_ago(1))))
    assert "payment for this period has been processed" in page
    assert "Save changes" not in page


def test_council_users_do_not_get_the_provider_pages(world):
    assert client_for(world.payments_officer).get(reverse("actuals:week")).status_code == 403


def test_the_page_opens_on_the_last_week_that_has_ended(world, clock):
    clock.move(days=7)
    services.periods_open()
    page = body(client_for(world.carer).get(reverse("actuals:week")))
    assert "Week beginning 16/11/2026" in page


def test_the_nightly_task_opens_the_new_period(world, clock):
    from carebridge.actuals.models import Period
    from carebridge.actuals.tasks import open_actuals_periods

    clock.move(days=7)
    assert not Period.objects.filter(council=world.council, start_date=THIS_WEEK + WEEK).exists()
    open_actuals_periods.call_local()
    assert Period.objects.filter(council=world.council, start_date=THIS_WEEK + WEEK).exists()


def _queries_for_week_page(world, clients: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from carebridge.people import services as people

    for n in range(clients):
        person = people.service_user_create(
            council=world.council,
            by=world.broker,
            ss_ref=f"QC{clients}{n:04d}",
            first_name="Client",
            last_name=f"Number {clients}-{n}",
            date_of_birth=date(1950, 1, 1),
        )
        world.agree(world.line("7"), world.line("3.5"), person=person)
    client = client_for(world.carer)
    generate(world, weeks_ago(1), client)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(week_url(world, weeks_ago(1)))
    assert response.status_code == 200
    return len(queries)


def test_the_week_page_runs_the_same_queries_for_few_clients_or_many(world):
    few = _queries_for_week_page(world, 3)
    many = _queries_for_week_page(world, 40)
    assert many == few


def test_home_pages_point_to_actuals_waiting_for_confirmation(world):
    generate(world, weeks_ago(1))
    provider_home = body(client_for(world.carer).get(reverse("home:home")))
    assert "Actuals periods waiting for you to confirm" in provider_home
    council_home = body(client_for(world.payments_officer).get(reverse("home:home")))
    assert "Providers who have not confirmed actuals for 09/11/2026 to 15/11/2026" in council_home
    period = Actual.objects.get(cpli=world.cpli).period
    services.actuals_confirm(world.carer, period)
    assert "Providers who have not confirmed" not in body(
        client_for(world.payments_officer).get(reverse("home:home"))
    )
    # The line's earlier periods, past their deadlines, are still waiting until confirmed too.
    assert "Actuals periods waiting for you to confirm" in body(
        client_for(world.carer).get(reverse("home:home"))
    )
    services.actuals_generate(world.carer, weeks=[weeks_ago(n) for n in range(2, 7)])
    for earlier in Period.objects.filter(actuals__isnull=False).exclude(pk=period.pk).distinct():
        services.actuals_confirm(world.carer, earlier)
    assert "waiting for you to confirm" not in body(
        client_for(world.carer).get(reverse("home:home"))
    )
    assert "Providers who have not confirmed" not in body(
        client_for(world.payments_officer).get(reverse("home:home"))
    )


def test_a_short_break_is_entered_on_the_client_page_against_the_yearly_allocation(world):
    (short_break,) = world.agree(world.short_break_line("14"))
    url = (
        reverse("actuals:client", args=[world.person.pk])
        + f"?service={world.service.pk}&week={weeks_ago(1).isoformat()}"
    )
    client = client_for(world.carer)
    page = body(client.get(url))
    assert "Short Break - Nightly" in page and "0 of 14 nights used in 2026/27" in page
    data = {
        "service": world.service.pk,
        "week": weeks_ago(1).isoformat(),
        "rows": [short_break.pk],
        f"line{short_break.pk}-actual": "3",
    }
    assert client.post(url, data).status_code == 302
    assert "3 of 14 nights used in 2026/27" in body(client.get(url))
    data[f"line{short_break.pk}-actual"] = "15"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "over the allocation of 14" in body(response)


def test_a_four_weekly_council_generates_every_ended_week_of_the_period_at_once(world, clock):
    from carebridge.actuals.models import Period
    from carebridge.organisations import services as org

    # Periods of four weeks from 05/10/2026: 02/11 to 29/11 holds last week and this week.
    Period.objects.all().delete()
    org.rulebook_update(council=world.council, by=None, actuals_period="four_weekly")
    services.periods_open()
    client = client_for(world.carer)
    response = generate(world, weeks_ago(1), client)
    weeks = sorted(Actual.objects.values_list("week_start", flat=True))
    assert weeks == [weeks_ago(2), weeks_ago(1)]  # this week is still in progress
    assert "for the weeks beginning 02/11/2026 to 09/11/2026" in body(
        client.get(response["Location"])
    )


def test_the_variation_code_is_asked_for_only_where_extras_are_allowed(world):
    from carebridge.organisations import services as org

    generate(world, weeks_ago(1))
    page = body(client_for(world.carer).get(week_url(world, weeks_ago(1))))
    assert f'id="line{world.cpli.pk}-variation_code"' in page
    org.rulebook_update(council=world.council, by=None, actuals_extras_allowed=False)
    page = body(client_for(world.carer).get(week_url(world, weeks_ago(1))))
    assert f'id="line{world.cpli.pk}-variation_code"' not in page


def test_a_provider_with_no_care_packages_is_told_so_not_refused():
    from tests.support import client_for, make_provider, make_user

    user = make_user(provider=make_provider(), role="super_user_actuals")
    response = client_for(user).get("/actuals/")
    assert response.status_code == 200
    assert "None of your services has a care package line item yet" in response.content.decode()
