"""The county-sized data set's parts (`seed_scale --county`), at a small size: the providers'
log-ins, their weeks of actuals as in life (old weeks confirmed and paid, the newest ended one
waiting to be confirmed), the invoices and the payment runs that paid them."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from carebridge.accounts import services as accounts
from carebridge.accounts.models import User
from carebridge.accounts.services import Outcome
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.periods import RuleSource
from carebridge.core.calendar import now
from carebridge.core.permissions import Role
from carebridge.demo.credentials import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.demo.scale import seed_scale
from carebridge.demo.scale_council import scale_provider_email, scale_provider_name
from carebridge.demo.scale_year import ended_weeks, generated_rows, year_cplis
from carebridge.organisations.models import Council
from carebridge.payments.choices import InvoiceStatus, RunStatus
from carebridge.payments.models import Invoice, PaymentLine, PaymentRun

pytestmark = pytest.mark.django_db

LOGINS = 3
WEEKS = 4
RUNS = 3


def seed() -> dict:
    return seed_scale(
        clients=200,
        providers=12,
        provider_logins=LOGINS,
        contract_documents=60,
        actuals_year=True,
        year_weeks=WEEKS,
        invoices=4,
        payment_runs=RUNS,
    )


def logins() -> list[User]:
    emails = [scale_provider_email(n) for n in range(1, LOGINS + 1)]
    return list(User.objects.filter(email__in=emails).select_related("provider").order_by("email"))


def test_it_makes_the_providers_and_a_super_user_at_each_of_the_first_ones():
    made = seed()
    users = logins()

    assert made["providers"] == 12
    assert [user.email for user in users] == [
        "provider0001@scale.example",
        "provider0002@scale.example",
        "provider0003@scale.example",
    ]
    assert [user.provider.name for user in users] == [
        scale_provider_name(n) for n in range(1, LOGINS + 1)
    ]
    assert {user.role for user in users} == {Role.SUPER_USER_SCHEDULED}
    assert not any(user.must_change_password for user in users)
    for email in ("payments@scale.example", "frontdoor@scale.example"):
        assert User.objects.get(email=email).council.slug == "scale"


def test_each_log_in_logs_in_with_the_personas_password_and_passcode():
    seed()
    for user in logins():
        first = accounts.login_check_password(email=user.email, password=DEMO_PASSWORD)
        assert first.outcome is Outcome.OK
        second = accounts.login_check_second_step(user=user, answer=DEMO_PASSCODE)
        assert second.outcome is Outcome.OK


def test_the_newest_ended_week_has_rows_waiting_to_be_confirmed_and_older_weeks_are_paid():
    seed()
    council = Council.objects.get(slug="scale")
    weeks = ended_weeks(council, WEEKS)
    newest = Period.objects.get(council=council, start_date=weeks[-1])
    for user in logins():
        rows = Actual.objects.filter(provider=user.provider, period=newest)
        assert rows.count() >= 5
        assert not Confirmation.objects.filter(period=newest, provider=user.provider).exists()
        for week in weeks[:-1]:
            period = Period.objects.get(council=council, start_date=week)
            assert Confirmation.objects.filter(period=period, provider=user.provider).exists()
    assert newest.payment_processed_at is None
    older = Period.objects.filter(council=council, start_date__lt=weeks[-1])
    assert not older.filter(payment_processed_at__isnull=True).exists()


def test_the_runs_are_finalised_and_pay_each_actual_its_cost_to_the_penny():
    seed()
    runs = list(PaymentRun.objects.order_by("period__start_date"))

    # One run for each confirmed week: the year's rows were generated the morning after their
    # week and confirmed after that, so none is left out as changed since it was confirmed.
    council = Council.objects.get(slug="scale")
    assert [run.period.start_date for run in runs] == ended_weeks(council, WEEKS)[:-1]
    assert {run.status for run in runs} == {RunStatus.FINALISED}
    for run in runs:
        assert run.period.payment_processed_at is not None
        lines = PaymentLine.objects.filter(run=run, actual__isnull=False)
        assert lines.exists()
        paid = lines.aggregate(total=Sum("excl_vat"))["total"]
        costs = Actual.objects.filter(pk__in=lines.values("actual_id")).aggregate(
            total=Sum("cost")
        )["total"]
        assert isinstance(paid, Decimal)
        assert paid == costs


def test_the_invoices_are_paid_by_the_runs_for_exactly_their_lines():
    seed()
    invoices = list(Invoice.objects.all())

    assert len(invoices) == 4
    for invoice in invoices:
        assert invoice.status == InvoiceStatus.PAID
        invoiced = invoice.lines.aggregate(total=Sum("amount"))["total"]
        paid = PaymentLine.objects.filter(invoice=invoice).aggregate(total=Sum("excl_vat"))
        assert isinstance(invoiced, Decimal)
        assert paid["total"] == invoiced


def test_the_bulk_rows_are_what_generating_actuals_writes():
    seed_scale(clients=200, providers=12, provider_logins=2, contract_documents=60)
    council = Council.objects.get(slug="scale")
    actuals.periods_open()
    weeks = ended_weeks(council, WEEKS)
    users = logins()[:2]
    by_provider = {user.provider_id: user for user in users}
    periods = {
        p.start_date: p for p in Period.objects.filter(council=council, start_date__in=weeks)
    }
    cplis = year_cplis(council, by_provider, weeks)
    source = RuleSource.load([council.pk])
    built = [
        row
        for week in weeks
        for row in generated_rows(
            cplis, periods[week], week, source=source, by_provider=by_provider, at=now()
        )
    ]
    for user in users:
        actuals.actuals_generate(user, weeks=weeks, council_id=council.pk)
    written = Actual.objects.filter(provider_id__in=by_provider, week_start__in=weeks)

    # When a row was changed is the one field apart: the seed's is the morning after its week.
    fields = [f.attname for f in Actual._meta.concrete_fields if f.name not in {"id", "changed_at"}]
    assert len(built) == written.count() > 20
    assert {row.provider_id for row in built} == set(by_provider)
    assert sorted(tuple(getattr(row, f) for f in fields) for row in built) == sorted(
        written.values_list(*fields)
    )


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (User, Actual, Confirmation, Invoice, PaymentRun, PaymentLine)
    )


def test_running_it_twice_adds_nothing():
    seed()
    before = counts()
    seed()
    assert counts() == before
