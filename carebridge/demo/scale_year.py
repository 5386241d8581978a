"""The benchmark's year: a year of actuals for every provider with a log-in, confirmed week by
week, the newest ended week generated and waiting to be confirmed (the load test's weekly
journey), invoices of the providers the council pays on invoice, and the council's weekly
payment runs, finalised, with their lines and remittance advice."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.periods import WEEK, RuleSource, planned_for, week_of
from carebridge.actuals.rules import Entry, assess
from carebridge.actuals.services.common import BATCH, ActualsRefused, new_actual, running_in
from carebridge.actuals.services.periods import periods_of, week_refusal
from carebridge.audit.services import record
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import add_working_days, now, today
from carebridge.demo.common import Tally
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.organisations.models import Council, PaymentRule, Rulebook, Service
from carebridge.payments import services as payments
from carebridge.payments.choices import InvoiceStatus
from carebridge.payments.models import Invoice, PaymentRun
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.selectors.invoices import payment_method_on
from carebridge.payments.selectors.run_sources import due

# A year of weeks.
YEAR_WEEKS = 52
# The contract type the council pays on invoice when invoices are asked for (a third of the
# scale providers hold one: scale_council deals the types in turn); the rest self-bill.
ON_INVOICE = ContractType.FRAMEWORK
# When a provider generates a week: the morning after it ends; it confirms it after checking,
# well before its deadline. Confirmed after its rows last changed, or a run would leave them out
# as changed since they were confirmed.
GENERATED_AT = time(8, 30)
CONFIRMING = timedelta(hours=1)


def ended_weeks(council: Council, weeks: int) -> list[date]:
    """The last `weeks` weeks that have ended, oldest first."""
    rulebook = Rulebook.objects.get(council=council)
    this_week = week_of(today(), rulebook.actuals_week_start)
    return [this_week - WEEK * n for n in range(weeks, 0, -1)]


def generated_rows(
    cplis: Sequence[Cpli],
    period: Period,
    week: date,
    *,
    source: RuleSource,
    by_provider: Mapping[int, User],
    at: datetime,
) -> list[Actual]:
    """The rows `actuals_generate` writes for these CPLIs' week, field for field, not saved:
    each line running in the week at its plan (part weeks pro rata), assessed by its rules,
    changed `at` by its provider's log-in. The caller leaves out the lines that have a row."""
    end = week + WEEK - timedelta(days=1)
    rows = []
    for cpli in cplis:
        if cpli.start_date > end or (cpli.end_date is not None and cpli.end_date < week):
            continue
        rules = source.rules(cpli, week)
        planned, visits = planned_for(cpli, week, rules.step)
        row = new_actual(
            cpli,
            period,
            week,
            planned,
            actual=planned,
            visits=visits,
            changed_at=at,
            changed_by=by_provider[cpli.provider_id],
        )
        row.take(assess(Entry(actual=planned, visits=visits), rules, planned))
        rows.append(row)
    return rows


def generated_at(week: date) -> datetime:
    """When a provider generated (and checked) a week: the morning after it ended, before
    confirming it; never later than now, so the newest week's rows are not from the future."""
    return min(datetime.combine(week + WEEK, GENERATED_AT, UTC), now())


def year_cplis(
    council: Council, provider_ids: Collection[int], weeks: Sequence[date]
) -> list[Cpli]:
    """The log-ins' providers' lines that `actuals_generate` fills in some of the weeks (a
    short break is not planned weekly)."""
    return list(
        Cpli.objects.filter(
            council=council, provider_id__in=provider_ids, yearly_allocation__isnull=True
        )
        .filter(running_in(weeks[0], weeks[-1] + WEEK - timedelta(days=1)))
        .select_related("service_level")
        .order_by("pk")
    )


def _generate_year(
    council: Council, by_provider: Mapping[int, User], weeks: Sequence[date]
) -> dict[int, int]:
    """Each log-in's provider's rows for the weeks, as `actuals_generate` would write them,
    built here and bulk-loaded a week at a time (one call of it per provider and week asks the
    database about ten times: 20,000 calls at county size), with its one audit event per
    provider. Lines that already have a week's row keep it. Returns rows added per provider."""
    added: dict[int, int] = dict.fromkeys(by_provider, 0)
    if not weeks:
        return added
    cplis = year_cplis(council, by_provider, weeks)
    source = RuleSource.load([council.pk])
    periods = periods_of([council.pk], weeks)
    for week in weeks:
        period = periods.get((council.pk, week))
        refusal = week_refusal(period, week)
        if refusal or period is None:
            raise ActualsRefused(refusal or "no period")
        have = set(
            # Unordered: the model's order by service user joins two tables for nothing.
            Actual.objects.filter(week_start=week, provider_id__in=by_provider)
            .order_by()
            .values_list("cpli_id", flat=True)
        )
        rows = generated_rows(
            [cpli for cpli in cplis if cpli.pk not in have],
            period,
            week,
            source=source,
            by_provider=by_provider,
            at=generated_at(week),
        )
        Actual.objects.bulk_create(rows, batch_size=BATCH)
        for row in rows:
            added[row.provider_id] += 1
    for provider_id, rows_added in added.items():
        if rows_added:
            record(
                action="actuals.generated",
                by=by_provider[provider_id],
                council=council.pk,
                provider=provider_id,
                detail={
                    "weeks": [w.isoformat() for w in weeks],
                    "service": None,
                    "rows": rows_added,
                },
            )
    return added


def scale_actuals_year(
    tally: Tally, council: Council, logins: Sequence[User], *, weeks: int = YEAR_WEEKS
) -> dict[str, int]:
    """Each log-in's provider's actuals for the last `weeks` ended weeks, as `actuals_generate`
    writes them (bulk-loaded: see `_generate_year`), and every week but the newest confirmed.
    The confirmations are bulk-loaded, as the provider would have made them the morning after
    each week, on time, after generating it; no audit events, since nobody confirmed them.
    Running it again adds nothing."""
    if weeks <= 0 or not logins:
        return {"actuals": 0, "confirmations": 0}
    tally.made("actuals periods", actuals.periods_open())
    ended = ended_weeks(council, weeks)
    # A paid week is closed for good (a top-up's new lines are not generated into it).
    paid = set(
        Period.objects.filter(
            council=council, start_date__in=ended, payment_processed_at__isnull=False
        ).values_list("start_date", flat=True)
    )
    by_provider = {user.provider_id: user for user in logins if user.provider_id is not None}
    added = _generate_year(council, by_provider, [week for week in ended if week not in paid])
    tally.made("actuals", sum(added.values()))
    periods = Period.objects.filter(
        council=council, start_date__gte=ended[0], start_date__lt=ended[-1]
    )
    confirmed = set(
        Confirmation.objects.filter(period__in=periods).values_list("period_id", "provider_id")
    )
    with_rows = set(
        Actual.objects.filter(period__in=periods, provider_id__in=by_provider)
        .order_by()
        .values_list("period_id", "provider_id")
        .distinct()
    )
    starts = {period.pk: period.start_date for period in periods}
    rows = [
        Confirmation(
            period_id=period_id,
            provider_id=provider_id,
            confirmed_at=generated_at(starts[period_id]) + CONFIRMING,
            confirmed_by=by_provider[provider_id],
            late=False,
        )
        for period_id, provider_id in sorted(with_rows - confirmed)
    ]
    Confirmation.objects.bulk_create(rows, batch_size=2000)
    tally.made("actuals confirmations", len(rows))
    return {
        "actuals": Actual.objects.filter(council=council, week_start__in=ended).count(),
        "confirmations": Confirmation.objects.filter(period__in=periods).count(),
    }


def _on_invoice_rule(tally: Tally, council: Council) -> None:
    """The council pays its framework contracts on invoice (its other rules as they were)."""
    rule = PaymentRule.objects.filter(council=council, contract_type=ON_INVOICE).first()
    if rule is not None and rule.payment_method == PaymentMethod.ON_INVOICE:
        tally.found("payment rules")
        return
    defaults = rule or PaymentRule()
    organisations.payment_rule_set(
        council=council,
        contract_type=ON_INVOICE,
        by=None,
        aborted_visit_max_minutes=defaults.aborted_visit_max_minutes,
        aborted_visit_paid_percent=defaults.aborted_visit_paid_percent,
        night_cancellation_paid_percent=defaults.night_cancellation_paid_percent,
        payment_method=PaymentMethod.ON_INVOICE,
    )
    tally.made("payment rules")


def scale_invoices(
    tally: Tally, council: Council, logins: Sequence[User], payer: User, *, invoices: int
) -> int:
    """Top the council's invoices up to `invoices`: each on-invoice provider with a log-in
    invoices each service's whole pre-invoice of its confirmed weeks, newest first, submits it
    and the payments officer authorises it (the runs after pay them), through the services."""
    have = Invoice.objects.filter(council=council).count()
    if have:
        tally.found("invoices", have)
    if invoices <= have:
        return have
    _on_invoice_rule(tally, council)
    by_provider = {user.provider_id: user for user in logins}
    services = list(Service.objects.filter(provider_id__in=by_provider).order_by("pk"))
    periods = Period.objects.filter(
        council=council, end_date__lt=today(), payment_processed_at__isnull=True
    ).order_by("-start_date")
    # The rules loaded once, not by `payment_method_of` for every service and week.
    source = RuleSource.load([council.pk])
    made = 0
    for period in periods:
        if have + made >= invoices:
            break
        confirmed = set(
            Confirmation.objects.filter(period=period).values_list("provider_id", flat=True)
        )
        for service in services:
            if have + made >= invoices:
                break
            if service.provider_id not in confirmed:
                continue
            method = payment_method_on(source, council.pk, service.provider_id, period.start_date)
            if method != PaymentMethod.ON_INVOICE:
                continue
            user = by_provider[service.provider_id]
            lines = [line for line in pre_invoice(user, service, period) if not line.over_exception]
            if not lines:
                continue
            invoice = payments.invoice_create(
                by=user,
                service=service,
                period=period,
                reference=f"SC-{service.pk:05d}-{period.start_date:%Y%m%d}",
                invoice_date=min(period.end_date + timedelta(days=3), today()),
                actual_ids=[line.actual_id for line in lines],
            )
            invoice = payments.invoice_submit(by=user, invoice=invoice)
            payments.invoice_authorise(by=payer, invoice=invoice)
            made += 1
    tally.made("invoices", made)
    return have + made


def scale_payment_runs(
    tally: Tally, council: Council, preparer: User, approver: User, *, runs: int
) -> dict[str, int]:
    """Finalised runs for the council's newest `runs` confirmed weeks (every ended week but
    the newest, which the providers have still to confirm), oldest first as the payments team
    pays them, prepared by one officer and approved and finalised by the other; the weeks
    before them recorded as paid by the approver. Each through the services, so the runs' lines,
    the invoices paid and the remittance advice are the product's own. A run cannot be paid on
    a day gone, so every run is paid on today's next working day."""
    if runs <= 0:
        return {"runs": PaymentRun.objects.filter(council=council).count()}
    newest = week_of(today(), council.rulebook.actuals_week_start) - WEEK
    unpaid = list(
        Period.objects.filter(
            council=council, start_date__lt=newest, payment_processed_at__isnull=True
        ).order_by("start_date")
    )
    have = PaymentRun.objects.filter(council=council).count()
    if have:
        tally.found("payment runs", have)
    to_run = unpaid[-max(runs - have, 0) :] if runs > have else []
    for period in unpaid[: len(unpaid) - len(to_run)]:
        actuals.period_mark_paid(approver, period)
    payment_date = add_working_days(today(), 0)
    made = 0
    for period in to_run:
        if not due(period).lines:
            actuals.period_mark_paid(approver, period)
            continue
        run = payments.run_prepare(by=preparer, period=period, payment_date=payment_date)
        run = payments.run_approve(by=approver, run=run)
        payments.run_finalise(by=approver, run=run)
        made += 1
    tally.made("payment runs finalised", made)
    return {
        "runs": PaymentRun.objects.filter(council=council).count(),
        "invoices paid": Invoice.objects.filter(council=council, status=InvoiceStatus.PAID).count(),
    }
