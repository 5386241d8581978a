"""The demo's actuals: each council's actuals rules (Westbrook weekly and strict, Northshire
4-weekly with every frustrated reason and extras), Northshire's payment rules per contract type,
how long each service level is paid through a hospital admission, a short break and a shared
support package for each council, and then the last few periods of actuals: generated from the
CPLIs, a handful of rows changed as the guides' examples do, the periods still within their
confirmation deadline left to the providers, and those past it confirmed (their payment runs
are runs_demo's). All of it through the services, counted back from today, and told once: a
database that has any actuals of the demo councils already keeps them as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Protocol

from django.db.models import F

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.periods import WEEK, week_of
from carebridge.actuals.rules import Entry
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis, Unit
from carebridge.contracts.models import ContractDocument, Cpli, ServiceLevel
from carebridge.core.calendar import now, today
from carebridge.core.permissions import Role
from carebridge.demo.common import Tally
from carebridge.demo.credentials import DEMO_PASSWORD
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import (
    ActualsPeriod,
    ContractType,
    CsvLayout,
    FrustratedReason,
    MissedReason,
    PaymentMethod,
)
from carebridge.organisations.deadlines import actuals_confirm_by
from carebridge.organisations.models import Council, PaymentRule, Provider, Service
from carebridge.organisations.selectors import providers_of_council
from carebridge.people.models import ServiceUser

FR = FrustratedReason
QUARTER = Decimal("0.25")


class CouncilPlan(Protocol):
    """A demo council as `demo.DemoCouncil` plans it."""

    @property
    def slug(self) -> str: ...
    @property
    def ss_ref_prefix(self) -> str: ...


# Each council's actuals rules; the period length is the one demo.py gives each council.
ACTUALS_RULES: dict[str, dict[str, Any]] = {
    # Like Bradford: weekly, frustrated for a hospital admission only, extras never claimed.
    "westbrook": {
        "actuals_period": ActualsPeriod.WEEKLY,
        "actuals_frustrated_reasons": FR.HOSPITAL.value,
        "actuals_extras_allowed": False,
        "actuals_csv_layout": CsvLayout.BASIC,
    },
    # Like Norfolk: 4-weekly, every reason, extras with the social worker's variation code.
    "northshire": {
        "actuals_period": ActualsPeriod.FOUR_WEEKLY,
        "actuals_frustrated_reasons": ",".join(FR.values),
        "actuals_extras_allowed": True,
        "actuals_csv_layout": CsvLayout.WITH_REASONS,
    },
}

# Norfolk's guide: (most minutes paid for an aborted visit, % of it paid, % of a night cancelled
# within 24 hours paid). Older contracts cap a visit at 30 minutes and pay it in full; the 2015
# block and the framework pay half of it, uncapped.
PAYMENT_RULES: dict[str, dict[ContractType, tuple[int | None, int, int]]] = {
    "northshire": {
        ContractType.SPOT: (30, 100, 25),
        ContractType.BLOCK_OLD: (30, 100, 25),
        ContractType.BLOCK_2013: (30, 100, 25),
        ContractType.BLOCK_2015: (None, 50, 25),
        ContractType.FRAMEWORK: (None, 50, 25),
    },
}
# How each council pays under a contract type, where it is not the default (self-billing from
# confirmed actuals): Northshire's framework home support is paid on invoice, and its 2015 block
# contracts on schedule, in 4-week blocks (runs_demo's scheduled payments).
PAYMENT_METHODS: dict[str, dict[ContractType, PaymentMethod]] = {
    "northshire": {
        ContractType.FRAMEWORK: PaymentMethod.ON_INVOICE,
        ContractType.BLOCK_2015: PaymentMethod.ON_SCHEDULE,
    },
}

# Bradford's guide: shared support is paid through a hospital admission for up to 6 weeks,
# community and personal support for 2.
SHARED_SUPPORT = ("Supported Living - Shared Support (Hour)", Unit.HOURS, Decimal("18.40"))
SHARED_SUPPORT_WEEKS = 6
OTHER_WEEKS = 2
SHORT_BREAK = "Short Break - Nightly"
SHORT_BREAK_RATE = Decimal("112.40")
SHORT_BREAK_NIGHTS = Decimal("28")
SHARED_SUPPORT_HOURS = Decimal("26.25")

# How many ended periods past their confirmation deadline the demo's actuals go back to, each
# confirmed (older ones are paid by runs_demo's payment runs).
PAST_DEADLINE = 2


@dataclass(frozen=True)
class _Package:
    """A demo client's order beyond the usual home care: whose, from which service, what."""

    index: int  # among the council's demo clients, ordered by SS Ref
    provider: str
    town: str
    short_break: bool


# Clients the contracts demo leaves without care (every tenth): one short break at Larkspur and
# one shared support package at the council's other provider.
PACKAGES: dict[str, tuple[_Package, ...]] = {
    "northshire": (
        _Package(9, "Larkspur Home Care", "Hollowmere", short_break=True),
        _Package(19, "Meadowbank Care Services", "Kettleby Moor", short_break=False),
    ),
    "westbrook": (
        _Package(9, "Larkspur Home Care", "Fairholt", short_break=True),
        _Package(19, "Riverside Support at Home", "Sallowfield", short_break=False),
    ),
}


def demo_actuals(tally: Tally, plans: Sequence[CouncilPlan]) -> None:
    """Everything of actuals the demo shows."""
    councils: list[tuple[Council, User, str]] = []
    for plan in plans:
        council = Council.objects.filter(slug=plan.slug).first()
        broker = User.objects.filter(council=council, role=Role.BROKER).first()
        if council is None or broker is None:
            continue
        councils.append((council, broker, plan.ss_ref_prefix))
        _actuals_rules(tally, council)
        _payment_rules(tally, council)
        _hospital_weeks(tally, council, broker)
    # What the scheduled task does each day; it catches up on every period since the first.
    opened = actuals.periods_open()
    if opened:
        tally.made("actuals periods", opened)
    if not councils:
        return
    told = [_periods_told(council) for council, _broker, _prefix in councils]
    first = min(
        (periods[-1].start_date for periods in told if periods),
        default=_last_ended_week(councils[0][0]),
    )
    for council, broker, prefix in councils:
        # Started a month before the first week told, so every week of it runs.
        _packages(tally, council, broker, prefix, start=first - 4 * WEEK)
    if Actual.objects.filter(council__in=[c for c, _b, _p in councils]).exists():
        tally.found("actuals stories")
        return
    _actuals_story(tally, [c for c, _b, _p in councils], first)
    tally.made("actuals stories")


# --- The councils' rules ------------------------------------------------------------------------


def _actuals_rules(tally: Tally, council: Council) -> None:
    wanted = ACTUALS_RULES.get(council.slug, {})
    book = council.rulebook
    changes = {name: value for name, value in wanted.items() if getattr(book, name) != value}
    if changes:
        organisations.rulebook_update(council=council, by=None, **changes)
        tally.made("actuals rules")
    elif wanted:
        tally.found("actuals rules")


def _payment_rules(tally: Tally, council: Council) -> None:
    existing = {rule.contract_type: rule for rule in PaymentRule.objects.filter(council=council)}
    methods = PAYMENT_METHODS.get(council.slug, {})
    for contract_type, (minutes, aborted, night) in PAYMENT_RULES.get(council.slug, {}).items():
        rule = existing.get(contract_type)
        method = methods.get(contract_type, PaymentMethod.SELF_BILLING)
        if rule is not None and (
            rule.aborted_visit_max_minutes,
            rule.aborted_visit_paid_percent,
            rule.night_cancellation_paid_percent,
            rule.payment_method,
        ) == (minutes, aborted, night, method):
            tally.found("payment rules")
            continue
        organisations.payment_rule_set(
            council=council,
            contract_type=contract_type,
            by=None,
            aborted_visit_max_minutes=minutes,
            aborted_visit_paid_percent=aborted,
            night_cancellation_paid_percent=night,
            payment_method=method,
        )
        tally.made("payment rules")


def _hospital_weeks(tally: Tally, council: Council, broker: User) -> None:
    """Shared support is paid through 6 weeks in hospital, every other level through 2."""
    name, unit, _rate = SHARED_SUPPORT
    if not ServiceLevel.objects.filter(council=council, name=name).exists():
        contracts.service_level_create(
            council=council,
            name=name,
            unit=unit,
            by=broker,
            hospital_retainer_weeks=SHARED_SUPPORT_WEEKS,
        )
        tally.made("service levels")
    else:
        tally.found("service levels")
    for level in ServiceLevel.objects.filter(council=council).order_by("name"):
        weeks = SHARED_SUPPORT_WEEKS if "shared support" in level.name.lower() else OTHER_WEEKS
        if level.hospital_retainer_weeks != weeks:
            contracts.service_level_update(level=level, by=broker, hospital_retainer_weeks=weeks)
            tally.made("hospital retainer weeks")


# --- A short break and a shared support package -------------------------------------------------


def _last_ended_week(council: Council) -> date:
    return week_of(today(), council.rulebook.actuals_week_start) - WEEK


def _periods_told(council: Council) -> list[Period]:
    """The council's ended periods the demo has actuals for, newest first: those still within
    their confirmation deadline, then PAST_DEADLINE more."""
    book = council.rulebook
    moment = now()
    told: list[Period] = []
    past = 0
    for period in Period.objects.filter(council=council, end_date__lt=today()).order_by(
        "-start_date"
    ):
        told.append(period)
        if actuals_confirm_by(book, period.end_date) < moment:
            past += 1
            if past == PAST_DEADLINE:
                break
    return told


def _packages(
    tally: Tally, council: Council, broker: User, ss_ref_prefix: str, *, start: date
) -> None:
    people = list(
        ServiceUser.objects.filter(council=council, ss_ref__startswith=ss_ref_prefix).order_by(
            "ss_ref"
        )
    )
    providers = set(providers_of_council(council.pk).values_list("name", flat=True))
    for package in PACKAGES.get(council.slug, ()):
        if package.index >= len(people) or package.provider not in providers:
            continue
        person = people[package.index]
        reference = f"CP-{person.ss_ref}"
        if ContractDocument.objects.filter(
            council=council, care_package_reference=reference
        ).exists():
            tally.found("contract documents")
            continue
        site = (
            Service.objects.filter(provider__name=package.provider, town=package.town)
            .order_by("name")
            .first()
        )
        signer = User.objects.filter(
            provider__name=package.provider, role=Role.SUPER_USER_SCHEDULED
        ).first()
        if site is None or signer is None:
            continue
        if package.short_break:
            level = ServiceLevel.objects.get(council=council, name=SHORT_BREAK)
            line = contracts.Line(
                service_level=level,
                quantity=Decimal("0"),
                rate=SHORT_BREAK_RATE,
                pricing_basis=PricingBasis.SPOT,
                start_date=start,
                yearly_allocation=SHORT_BREAK_NIGHTS,
            )
        else:
            level = ServiceLevel.objects.get(council=council, name=SHARED_SUPPORT[0])
            line = contracts.Line(
                service_level=level,
                quantity=SHARED_SUPPORT_HOURS,
                rate=SHARED_SUPPORT[2],
                pricing_basis=PricingBasis.BLOCK,
                start_date=start,
                visits=7,
            )
        document = contracts.contract_document_publish(
            council=council,
            service=site,
            service_user=person,
            care_package_reference=reference,
            lines=[line],
            by=broker,
        )
        contracts.contract_document_agree(document=document, by=signer, password=DEMO_PASSWORD)
        tally.made("contract documents")
        tally.made("CPLIs")


# --- The actuals --------------------------------------------------------------------------------


def _actuals_user(provider: Provider) -> User | None:
    """Who enters the provider's actuals: its Super User (Actuals), or its Super User."""
    for role in (Role.SUPER_USER_ACTUALS, Role.SUPER_USER_SCHEDULED):
        user = User.objects.filter(provider=provider, role=role, is_active=True).first()
        if user is not None:
            return user
    return None


def _actuals_story(tally: Tally, councils: list[Council], first: date) -> None:
    """Every ended week from the first period told, generated for every provider; then, council
    by council, the rows the guides' examples change, and the confirmations."""
    last_ended = max(_last_ended_week(council) for council in councils)
    weeks = []
    week = first
    while week <= last_ended:
        weeks.append(week)
        week += WEEK
    providers = list(
        Provider.objects.filter(cplis__council__in=councils).distinct().order_by("name")
    )
    users = {p.pk: user for p in providers if (user := _actuals_user(p)) is not None}
    for user in users.values():
        added = actuals.actuals_generate(user, weeks=weeks)
        if added:
            tally.made("actuals", added)
    moment = now()
    for council in councils:
        # Every ended period from the first week told (for a weekly council, more than it needs
        # itself: its providers' other councils go further back).
        ended = list(
            Period.objects.filter(
                council=council, start_date__gte=first, end_date__lt=today()
            ).order_by("-start_date")
        )
        if not ended:
            continue
        _variations(tally, council, users, ended, last_ended)
        book = council.rulebook
        overdue = [p for p in ended if actuals_confirm_by(book, p.end_date) < moment]
        # Oldest first, as a provider works through them; those still within their deadline
        # are left to the providers.
        for period in reversed(overdue):
            for provider in providers_of_council(council.pk).order_by("name"):
                user = users.get(provider.pk)
                if user is not None:
                    actuals.actuals_confirm(user, period)
                    tally.made("actuals confirmations")


def _steps(value: Decimal, rounding: str = ROUND_FLOOR) -> Decimal:
    """A quantity in the hours step (0.25), rounded down unless asked otherwise."""
    return ((value / QUARTER).quantize(Decimal("1"), rounding=rounding) * QUARTER).quantize(
        Decimal("0.01")
    )


@dataclass
class _Picker:
    """Generated rows to change: full weeks of weekly lines, each CPLI told one story at most."""

    council: Council
    used: set[int]

    def row(
        self,
        week: date,
        *,
        unit: str = Unit.HOURS,
        at_least: Decimal = Decimal("3.5"),
        level: str = "",
    ) -> Actual | None:
        rows = Actual.objects.filter(
            council=self.council,
            week_start=week,
            cpli__unit=unit,
            cpli__yearly_allocation__isnull=True,
            cpli__quantity=F("planned"),
            planned__gte=at_least,
        ).exclude(cpli_id__in=self.used)
        rows = (
            rows.filter(cpli__service_level__name=level)
            if level
            else rows.exclude(cpli__service_level__name=SHARED_SUPPORT[0])
        )
        row = rows.select_related("cpli").order_by("service_user__ss_ref", "cpli_id").first()
        if row is not None:
            self.used.add(row.cpli_id)
        return row


def _save(tally: Tally, users: dict[int, User], row: Actual, entry: Entry, week: date) -> None:
    user = users[row.provider_id]
    item = actuals.Item(cpli_id=row.cpli_id, week_start=week, entry=entry, ref=row.cpli_id)
    actuals.actuals_save(user, [item])
    tally.made("actuals changed")


def _variations(
    tally: Tally, council: Council, users: dict[int, User], ended: list[Period], last_ended: date
) -> None:
    """The guides' examples, in the council's latest weeks: a hospital admission (and a shared
    support package in hospital for three weeks), calls missed, a client who refused calls
    (an actual that does not add up, on purpose), and where the council allows them extras over
    a fifth more than planned, an aborted visit and a night sit cancelled late; and a short
    break's nights."""
    pick = _Picker(council, set())
    latest = last_ended
    before = last_ended - WEEK
    older = ended[-1].start_date if ended else last_ended
    northshire = council.rulebook.actuals_period == ActualsPeriod.FOUR_WEEKLY

    shared = pick.row(older, level=SHARED_SUPPORT[0])
    if shared is not None:
        # In hospital for the last three weeks: paid in full, within the 6 weeks allowed.
        for number, week in enumerate((latest - 2 * WEEK, before, latest), start=1):
            planned = shared.planned
            entry = Entry(
                actual=Decimal("0"),
                frustrated=planned,
                frustrated_reason=FR.HOSPITAL,
                comments=f"Week {number} hospital",
            )
            _save(tally, users, shared, entry, week)

    row = pick.row(latest)
    if row is not None:
        frustrated = _steps(row.planned * Decimal("0.6"))
        entry = Entry(
            actual=row.planned - frustrated,
            frustrated=frustrated,
            frustrated_reason=FR.HOSPITAL,
            comments="Week 1 hospital: admitted on Thursday after a fall at home",
        )
        _save(tally, users, row, entry, latest)

    row = pick.row(latest)
    if row is not None:
        entry = Entry(
            actual=row.planned - Decimal("1.5"),
            missed=Decimal("1.5"),
            missed_reason=MissedReason.PLANNED_ABSENCE,
            comments="Lunch calls on Tuesday and Wednesday cancelled in advance: out with family",
        )
        _save(tally, users, row, entry, latest)

    row = pick.row(before)
    if row is not None:
        # Bradford's example: the actual stays at the plan and the refused hour is shown as
        # missed, so the row does not add up and the council sees it as an exception.
        entry = Entry(
            actual=row.planned,
            missed=Decimal("1"),
            missed_reason=MissedReason.NON_ENGAGEMENT,
            comments="Client refused the Friday morning and evening calls and would not let "
            "the carer in",
        )
        _save(tally, users, row, entry, before)

    if northshire:
        row = pick.row(before, at_least=Decimal("5"))
        if row is not None:
            extra = _steps(row.planned / 4, ROUND_CEILING)
            entry = Entry(
                actual=row.planned + extra,
                extra=extra,
                variation_code="VAR-20417",
                comments="Extra calls agreed with the social worker while her daughter is away",
            )
            _save(tally, users, row, entry, before)

        row = pick.row(latest)
        if row is not None:
            entry = Entry(
                actual=row.planned - Decimal("0.75"),
                frustrated=Decimal("0.75"),
                frustrated_reason=FR.ABORTED_VISIT,
                aborted_visit_dates=(latest + timedelta(days=1),),
                comments="No answer at the door for Tuesday's breakfast call; the client was "
                "found safe at a neighbour's",
            )
            _save(tally, users, row, entry, latest)

        row = pick.row(before, unit=Unit.NIGHTS, at_least=Decimal("2"))
        if row is not None:
            entry = Entry(
                actual=row.planned - 1,
                frustrated=Decimal("1"),
                frustrated_reason=FR.NIGHT_CANCELLED,
                comments="The family cancelled Saturday's night sit at 6 pm",
            )
            _save(tally, users, row, entry, before)

    short_break = (
        Cpli.objects.filter(council=council, yearly_allocation__isnull=False)
        .filter(actuals.running_in(older, latest))
        .order_by("pk")
        .first()
    )
    if short_break is not None:
        user = users.get(short_break.provider_id)
        if user is not None:
            stays = ((older, Decimal("3")), (before, Decimal("4")))
            items = [
                actuals.Item(
                    cpli_id=short_break.pk,
                    week_start=week,
                    entry=Entry(actual=nights, comments="Respite stay while her carer was away"),
                    ref=week,
                )
                for week, nights in stays
            ]
            actuals.actuals_save(user, items)
            tally.made("actuals changed", len(items))
