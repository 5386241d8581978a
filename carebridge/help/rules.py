"""The rules that apply at a council, in plain English, drawn from its settings: what a help
topic shows under "The rules at <council>". One function of the council per area; a topic names
the areas it shows (`Topic.areas`). Nothing here is written per council: every sentence is a
setting of the council (its rulebook, its payment rules per contract type, its front door, its
catalogues) put into words, so a council that changes a setting changes its help.

Each area asks the database at most once beyond the rulebook, so a topic's rules cost a fixed
number of queries per council."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from carebridge.contracts.models import ServiceLevel
from carebridge.core.formats import clock_time, guide_date
from carebridge.disputes.choices import DEFAULT_REASONS
from carebridge.disputes.selectors import dispute_reasons_for
from carebridge.frontdoor.models import FrontDoorSettings
from carebridge.organisations.choices import (
    NIGHT_REASONS,
    ConfirmationRule,
    ContractType,
    CsvLayout,
    FrustratedReason,
    MissedReason,
    PaymentMethod,
    Weekday,
)
from carebridge.organisations.models import Council, PaymentRule, Rulebook
from carebridge.payments.prompt_payment import PROMPT_PAYMENT_DAYS


@dataclass(frozen=True)
class Rule:
    label: str
    text: str


def _referrals(council: Council) -> list[Rule]:
    book = council.rulebook
    closed = " and not on bank holidays" if book.referral_service_closed_on_bank_holidays else ""
    delays = book.referral_max_delays
    return [
        Rule(
            "Reply window",
            f"Accept or refuse a referral within {_duration(book.referral_response_minutes)} "
            f"of service time. Service time runs from {clock_time(book.referral_service_start)} "
            f"to {clock_time(book.referral_service_end)}, {_days(book.referral_service_days)}"
            f"{closed}: time outside it does not count.",
        ),
        Rule(
            "Amber warning",
            f"A referral turns amber when {_duration(book.referral_amber_minutes)} of its reply "
            "window are left, and red when the window has passed.",
        ),
        Rule(
            "First visit",
            "If you accept with a first visit more than "
            f"{_plural(book.referral_first_visit_warning_hours, 'hour')} after you accept, you "
            "are warned and asked to check the date.",
        ),
        Rule(
            "Delays",
            f"You may delay the start of a service up to {_times(delays)}."
            if delays
            else "You may not delay the start of a service.",
        ),
        Rule(
            "Provider update",
            "Send the provider update within "
            f"{_plural(book.referral_update_hours, 'hour')} of the first visit as it is now "
            "planned. It turns amber when "
            f"{_plural(book.referral_update_amber_hours, 'hour')} are left.",
        ),
    ]


def _actuals(council: Council) -> list[Rule]:
    book = council.rulebook
    return [
        Rule("Period", _period(book)),
        Rule("Confirmation deadline", _confirmation(book)),
        Rule(
            "Hours",
            f"Enter hours in steps of {_number(book.actuals_hours_step)} hours "
            f"({_step_minutes(book.actuals_hours_step)}). Sessions and nights are whole numbers.",
        ),
        Rule(
            "Extras",
            "Extra quantities (Xtr) may be claimed, each with a variation code from the social "
            "worker."
            if book.actuals_extras_allowed
            else "Extra quantities (Xtr) are not paid: record only what was planned.",
        ),
        Rule("Frustrated reasons", _frustrated_reasons(book)),
        Rule(
            "Over plan",
            f"An actual more than {book.actuals_over_plan_percent}% over its plan is an "
            "exception the council checks before paying.",
        ),
        Rule(
            "CSV files",
            f"Actuals CSV files use the layout “{CsvLayout(book.actuals_csv_layout).label}”.",
        ),
        *_hospital_weeks(council),
    ]


def _period(book: Rulebook) -> str:
    start = Weekday(book.actuals_week_start).label
    if book.actuals_period == "weekly":
        length = "Actuals are recorded and confirmed week by week"
    else:
        length = f"Actuals are recorded by week and confirmed in {book.get_actuals_period_display()} periods"
    return (
        f"{length}. Each week starts on a {start}; the first period began on "
        f"{guide_date(book.actuals_periods_from)}."
    )


def _confirmation(book: Rulebook) -> str:
    close = clock_time(book.close_of_business)
    if book.actuals_confirmation_rule == ConfirmationRule.WORKING_DAYS_AFTER:
        days = book.actuals_confirmation_working_days
        return (
            f"Confirm a period's actuals by close of business ({close}) on the "
            f"{_ordinal(max(days, 1))} working day after the period ends."
        )
    weekday = Weekday(book.actuals_confirmation_weekday).label
    return (
        f"Confirm a period's actuals by close of business ({close}) on the {weekday} after the "
        "period ends, or the next working day if that is a bank holiday."
    )


def _frustrated_reasons(book: Rulebook) -> str:
    accepted = set(book.frustrated_reasons())
    if accepted & NIGHT_REASONS:
        accepted |= NIGHT_REASONS
    labels = [str(reason.label) for reason in FrustratedReason if reason in accepted]
    if not labels:
        return "No frustrated quantities (Frstd) are accepted."
    return "A frustrated quantity (Frstd) is accepted for: " + _listed(labels) + "."


def _hospital_weeks(council: Council) -> list[Rule]:
    """The hospital retainer of each service level in the council's catalogue, grouped by weeks."""
    by_weeks: dict[int, list[str]] = {}
    levels = ServiceLevel.objects.filter(council=council, is_active=True).order_by("name")
    for name, weeks in levels.values_list("name", "hospital_retainer_weeks"):
        by_weeks.setdefault(weeks, []).append(name)
    if not by_weeks:
        return []
    if len(by_weeks) == 1:
        (weeks,) = by_weeks
        limit = f"for up to {_plural(weeks, 'week')} running"
    else:
        limit = "for up to " + "; ".join(
            f"{_plural(weeks, 'week')} running for {_listed(names)}"
            for weeks, names in sorted(by_weeks.items())
        )
    return [
        Rule(
            "Hospital admissions",
            f"While the person is in hospital, planned care is paid as frustrated {limit}. "
            "After that, the council's team decides.",
        )
    ]


def _payments(council: Council) -> list[Rule]:
    # Contract types paid alike share one sentence.
    kinds_of: dict[str, list[str]] = {}
    for kind, rule in _payment_rules(council):
        kinds_of.setdefault(_payment_rule(rule), []).append(str(ContractType(kind).label))
    every = len(kinds_of) == 1
    return [
        *(
            Rule("Every contract type" if every else f"{_listed(kinds)} contracts", text)
            for text, kinds in kinds_of.items()
        ),
        Rule(
            "Prompt payment",
            f"The council aims to pay a valid, undisputed invoice within {PROMPT_PAYMENT_DAYS} "
            "days of receiving it.",
        ),
    ]


_METHODS = {
    PaymentMethod.ON_INVOICE: "Paid on invoice: you raise an invoice from your actuals.",
    PaymentMethod.SELF_BILLING: "Paid on actuals: the council pays from your confirmed actuals, "
    "with no invoice.",
    PaymentMethod.ON_SCHEDULE: "Paid on schedule: scheduled payments pay the plan in blocks.",
}


def _payment_rule(rule: PaymentRule) -> str:
    missed = "; ".join(
        [
            f"{str(MissedReason(reason).label).lower()}: {percent}%"
            for reason, percent in (
                (MissedReason.PLANNED_ABSENCE, rule.missed_planned_absence_paid_percent),
                (MissedReason.NON_ENGAGEMENT, rule.missed_non_engagement_paid_percent),
                (MissedReason.SHORT_NOTICE, rule.missed_short_notice_paid_percent),
                (MissedReason.PROVIDER_FAILURE, rule.missed_provider_failure_paid_percent),
            )
        ]
    )
    cap = rule.aborted_visit_max_minutes
    aborted = f"{rule.aborted_visit_paid_percent}%" + (
        f", up to {_plural(cap, 'minute')} a visit" if cap is not None else ""
    )
    return (
        f"{_METHODS[PaymentMethod(rule.payment_method)]} Missed (Msd) is paid by its reason: "
        f"{missed}. Frustrated (Frstd) is paid in full for a hospital admission; an aborted "
        f"visit at {aborted}; a night cancelled within 24 hours at "
        f"{rule.night_cancellation_paid_percent}%. One-off claims are "
        + ("allowed." if rule.one_off_claims_allowed else "not allowed.")
    )


def _payment_rules(council: Council) -> list[tuple[str, PaymentRule]]:
    """Each contract type's rule, the model's defaults where the council has saved none (as
    actuals and payments read them)."""
    saved = {rule.contract_type: rule for rule in PaymentRule.objects.filter(council=council)}
    return [
        (kind, saved.get(kind) or PaymentRule(council=council, contract_type=kind))
        for kind in ContractType.values
    ]


def _scheduled_payments(council: Council) -> list[Rule]:
    book = council.rulebook
    weeks, ahead = book.scheduled_payment_weeks, book.scheduled_weeks_in_advance
    on_schedule = [
        str(ContractType(kind).label)
        for kind, rule in _payment_rules(council)
        if rule.payment_method == PaymentMethod.ON_SCHEDULE
    ]
    return [
        Rule(
            "Blocks",
            f"Each scheduled payment covers {_plural(weeks, 'week')}: "
            f"{_plural(ahead, 'week')} paid in advance and {_plural(weeks - ahead, 'week')} in "
            "arrears. It is Current until paid, then Finalised.",
        ),
        Rule(
            "Contracts paid on schedule",
            f"{_listed(on_schedule)} contracts." if on_schedule else "None at present.",
        ),
    ]


def _disputes(council: Council) -> list[Rule]:
    labels = [reason.label for reason in dispute_reasons_for(council)] or list(DEFAULT_REASONS)
    return [
        Rule(
            "Dispute reasons",
            "The council disputes an actual for one of these reasons: " + "; ".join(labels) + ".",
        )
    ]


def _frontdoor(council: Council) -> list[Rule]:
    settings = FrontDoorSettings.objects.filter(council=council).first() or FrontDoorSettings(
        council=council
    )
    phone = settings.contact_phone
    if phone and settings.contact_hours:
        phone = f"{phone} ({settings.contact_hours})"
    return [
        Rule(
            "Open",
            "The front door is open: residents can ask for help online."
            if settings.is_open
            else "The front door is closed: its pages say it is not available yet.",
        ),
        Rule("Phone", phone or "No phone number given."),
        Rule(
            "Office hours",
            f"{clock_time(settings.office_opens)} to {clock_time(settings.office_closes)}, "
            f"{_days(settings.office_days)}, closed on bank holidays.",
        ),
        Rule("Out of hours", settings.out_of_hours_contact or "No out-of-hours contact given."),
    ]


def _log_in(council: Council) -> list[Rule]:
    book = council.rulebook
    needs = [
        _plural(count, word)
        for count, word in (
            (book.password_min_capitals, "capital letter"),
            (book.password_min_letters, "letter"),
            (book.password_min_digits, "number"),
        )
        if count
    ]
    password = f"At least {book.password_min_length} characters" + (
        f", with at least {_listed(needs)}." if needs else "."
    )
    expiry = book.password_expiry_days
    return [
        Rule("Password", password),
        Rule(
            "Password expiry",
            f"Change your password every {_plural(expiry, 'day')}."
            if expiry
            else "Passwords do not expire.",
        ),
        Rule(
            "Locking",
            "Your account locks after "
            f"{_plural(book.login_failures_before_lock, 'failed attempt')} to log in in a row.",
        ),
        Rule(
            "Suspension",
            f"An account not used for {_plural(book.suspend_after_days, 'day')} is suspended.",
        ),
        Rule("Council staff's second step", _staff_second_step(book)),
        Rule(
            "Single sign-on",
            "Council staff must log in through the council's single sign-on, not a password."
            if book.staff_single_sign_on_required
            else "Not required: council staff may log in with a password.",
        ),
        Rule(
            "Multi-factor at the single sign-on",
            "A single sign-on is refused unless the council's sign-on service asked for a "
            "second step (a code, an app or a security key)."
            if book.sso_requires_mfa
            else "Not required: the council relies on its sign-on service's own checks.",
        ),
    ]


def _integrations(council: Council) -> list[Rule]:
    seconds = council.rulebook.case_feed_poll_seconds
    return [
        Rule(
            "Case-management feed",
            "The council's case-management system is asked for new referrals every "
            f"{_duration_seconds(seconds)}.",
        )
    ]


# Each area's heading and rules, in the order a topic lists them.
AREAS: dict[str, tuple[str, Callable[[Council], list[Rule]]]] = {
    "referrals": ("Referrals", _referrals),
    "actuals": ("Actuals", _actuals),
    "payments": ("Payments", _payments),
    "scheduled_payments": ("Scheduled payments", _scheduled_payments),
    "disputes": ("Disputes", _disputes),
    "frontdoor": ("Front door", _frontdoor),
    "log_in": ("Logging in", _log_in),
    "integrations": ("Connections", _integrations),
}


def rules_for(council: Council, areas: tuple[str, ...]) -> list[tuple[str, list[Rule]]]:
    """The council's rules for each area named, as (the area's heading, its rules)."""
    return [(AREAS[area][0], AREAS[area][1](council)) for area in areas]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = [_plural(n, unit) for n, unit in ((hours, "hour"), (rest, "minute")) if n]
    return " and ".join(parts) or "0 minutes"


def _duration_seconds(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not rest:
        return _duration(minutes)
    return " and ".join(
        _plural(n, unit) for n, unit in ((minutes, "minute"), (rest, "second")) if n
    )


def _number(value: Decimal) -> str:
    """0.25 -> "0.25", 1.00 -> "1"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _step_minutes(step: Decimal) -> str:
    minutes = step * 60
    shown = _number(minutes)
    return f"{shown} minute" if minutes == 1 else f"{shown} minutes"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _listed(items: Iterable[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    names = list(items)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


_DAY_NAMES = [str(day.label) for day in Weekday]


def _days(days: str) -> str:
    """'01234' -> 'Monday to Friday'; other sets are listed."""
    numbers = sorted(int(d) for d in days)
    if numbers and numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{_DAY_NAMES[numbers[0]]} to {_DAY_NAMES[numbers[-1]]}"
    return _listed(_DAY_NAMES[n] for n in numbers)


def _staff_second_step(book: Rulebook) -> str:
    if book.staff_require_passkey:
        return (
            "Council staff must use a passkey (set up once after their passcode or app), "
            "not the passcode or an authenticator app."
        )
    if book.staff_require_authenticator:
        return "Council staff must use an authenticator app, or a passkey."
    return "Council staff may use a passkey, an authenticator app or their 6-digit passcode."
