"""The arithmetic and the checks of one actual, as pure functions of what was entered and the
council's rules, so that the page, the CSV import and the tests all agree to the penny.

- Actual = Pl - Frstd - Msd + Xtr is the check; a row that fails it is still saved, with a
  warning triangle that explains the difference (the guides want that exception on purpose).
- Cost = (Actual + payable Frstd + payable Msd) x rate, rounded half-up to the penny once.
- Payable Frstd and payable Msd depend on why the quantity was frustrated or missed and on the
  contract type's payment rule. A missed quantity saved before reasons were asked for has none,
  and is not paid, as before. Bradford asks providers to leave Actual at the plan when the
  person refused (the triangle is wanted): missed hours already counted in Actual are not paid
  a second time, so payable Msd is the paid share of the missed hours Actual leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from carebridge.core.formats import guide_date, money, round_money
from carebridge.organisations.choices import NIGHT_REASONS, FrustratedReason, MissedReason

ZERO = Decimal("0")
HUNDRED = Decimal("100")
FR = FrustratedReason
MR = MissedReason
# What PaymentRule pays of each missed reason unless the council says otherwise.
DEFAULT_MISSED_PERCENTS: Mapping[str, int] = {
    MR.PLANNED_ABSENCE: 0,
    MR.NON_ENGAGEMENT: 100,
    MR.SHORT_NOTICE: 100,
    MR.PROVIDER_FAILURE: 0,
}

QUANTITY_FIELDS = ("actual", "frustrated", "missed", "extra")
LABELS = {"actual": "Actual", "frustrated": "Frstd", "missed": "Msd", "extra": "Xtr"}


@dataclass(frozen=True)
class Rules:
    """What decides one CPLI's actuals: its unit, rate and service level, and the council's
    rulebook and payment rule for the contract it is bought under."""

    unit: str  # "Hours", "Nights"...
    step: Decimal
    rate: Decimal
    level: str
    hospital_weeks: int
    extras_allowed: bool
    reasons: frozenset[str]
    over_percent: int
    aborted_max_minutes: int | None
    aborted_percent: int
    night_percent: int
    is_allocation: bool = False
    # The service level's own rules: no extras (supported living), and hours that should not
    # vary (core or shared hours).
    level_extras_allowed: bool = True
    fixed_hours: bool = False
    missed_percents: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_MISSED_PERCENTS), hash=False
    )


@dataclass(frozen=True)
class Entry:
    """What a provider enters for one CPLI and week."""

    actual: Decimal
    frustrated: Decimal = ZERO
    missed: Decimal = ZERO
    extra: Decimal = ZERO
    visits: int = 0
    frustrated_reason: str = ""
    missed_reason: str = ""
    aborted_visit_dates: tuple[date, ...] = ()
    variation_code: str = ""
    comments: str = ""

    def normalised(self) -> Entry:
        """Without a reason or dates when nothing is frustrated or missed, and without a variation code
        when nothing is extra: they would only confuse the next reader."""
        frustrated = self.frustrated > 0
        return replace(
            self,
            frustrated_reason=self.frustrated_reason if frustrated else "",
            missed_reason=self.missed_reason if self.missed > 0 else "",
            aborted_visit_dates=(
                self.aborted_visit_dates
                if frustrated and self.frustrated_reason == FR.ABORTED_VISIT
                else ()
            ),
            variation_code=self.variation_code.strip() if self.extra > 0 else "",
            comments=self.comments.strip(),
        )


# The names of what a provider enters, in the order of the guides' columns.
ENTERED = tuple(f.name for f in fields(Entry))


@dataclass(frozen=True)
class Context:
    """What the checks need beyond the row: its plan, its week, and its history."""

    planned: Decimal
    week_start: date
    # Consecutive weeks next to this one in which the CPLI claimed a hospital retainer: those
    # before it, and those saved after it (a week entered late joins their run).
    hospital_weeks_before: int = 0
    # For a short break: the nights already taken in the financial year, this week excluded.
    allocation_used: Decimal = ZERO
    allocation: Decimal | None = None
    # Whether the missed reason could be given (a CSV file has no column for it).
    missed_reason_asked: bool = True


@dataclass(frozen=True)
class Assessment:
    cost: Decimal
    planned_cost: Decimal
    payable_frustrated: Decimal
    expected_actual: Decimal
    does_not_add_up: bool
    over_threshold: bool
    zero_without_comment: bool
    payable_missed: Decimal = ZERO
    varies_from_fixed: bool = False
    difference: str = ""
    cost_sum: str = ""
    direction: str = ""  # "over", "under" or ""
    notes: list[str] = field(default_factory=list)

    @property
    def has_exception(self) -> bool:
        return (
            self.does_not_add_up
            or self.over_threshold
            or self.zero_without_comment
            or self.varies_from_fixed
        )


def shown(quantity: Decimal) -> str:
    """A quantity as the guides write it: 14, 3.5, 0.25."""
    text = f"{quantity.normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")


def pro_rata(quantity: Decimal, days: int, step: Decimal) -> Decimal:
    """A week's plan for the days a CPLI is active in it, rounded half-up to the unit's step so
    the generated row is one the provider could have entered."""
    if days >= 7:
        return quantity
    steps = (quantity * days / 7 / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return (steps * step).quantize(Decimal("0.01"))


def payable_frustrated(entry: Entry, rules: Rules) -> Decimal:
    """How much of the frustrated quantity is paid: hospital retainers and nights ended by
    hospital admission or death in full, aborted visits and night cancellations at the contract
    type's percentage."""
    reason = entry.frustrated_reason
    if entry.frustrated <= 0 or not reason:
        return ZERO
    percent = {
        FR.HOSPITAL: 100,
        FR.NIGHT_ENDED: 100,
        FR.ABORTED_VISIT: rules.aborted_percent,
        FR.NIGHT_CANCELLED: rules.night_percent,
    }.get(FR(reason), 0)
    return entry.frustrated * percent / HUNDRED


def payable_missed(entry: Entry, rules: Rules, planned: Decimal) -> Decimal:
    """How much of the missed quantity is paid: the share the contract type's payment rule pays
    for its reason (none without a reason, as on rows saved before reasons were asked for), of
    the missed hours not already in Actual (Pl + Xtr - Frstd - Actual, at most Msd)."""
    reason = entry.missed_reason
    if entry.missed <= 0 or not reason:
        return ZERO
    left_out = min(entry.missed, max(planned + entry.extra - entry.frustrated - entry.actual, ZERO))
    return left_out * rules.missed_percents.get(reason, 0) / HUNDRED


def payable_quantity(entry: Entry, rules: Rules, planned: Decimal) -> Decimal:
    """What a row is paid for: Actual + payable Frstd + payable Msd."""
    return entry.actual + payable_frustrated(entry, rules) + payable_missed(entry, rules, planned)


def _cost_sum(entry: Entry, rules: Rules, payable: Decimal, missed: Decimal) -> str:
    """ "14 (Actual + Frstd) Hours x £16.16", as the guide shows the sum behind a cost."""
    parts = ["Actual"]
    if payable:
        parts.append("Frstd" if payable == entry.frustrated else "payable Frstd")
    if missed:
        parts.append("Msd" if missed == entry.missed else "payable Msd")
    if len(parts) == 1:
        # As before missed reasons: the sum names Frstd even when none of it is paid.
        parts.append("Frstd" if payable == entry.frustrated else "payable Frstd")
    what = "(" + " + ".join(parts) + ")"
    total = entry.actual + payable + missed
    return f"{shown(total)} {what} {rules.unit} x {money(rules.rate)}"


def assess(entry: Entry, rules: Rules, planned: Decimal) -> Assessment:
    """The cost of a row, whether it adds up, and its exceptions."""
    payable = payable_frustrated(entry, rules)
    missed = payable_missed(entry, rules, planned)
    # Rounded once, at the line, whatever the quantity is made of.
    cost = round_money((entry.actual + payable + missed) * rules.rate)
    planned_cost = round_money(planned * rules.rate)
    expected = planned - entry.frustrated - entry.missed + entry.extra
    # A short break has no weekly plan: its nights are counted against the year instead.
    adds_up = rules.is_allocation or entry.actual == expected
    over = not rules.is_allocation and entry.actual > planned * (HUNDRED + rules.over_percent) / 100
    # Nothing delivered against a plan of nothing (a part week rounded to 0) needs no comment.
    zero = (
        not rules.is_allocation and entry.actual == 0 and planned > 0 and not entry.comments.strip()
    )
    varies = rules.fixed_hours and not rules.is_allocation and entry.actual != planned
    difference = ""
    if not adds_up:
        difference = (
            f"Actual should be Pl - Frstd - Msd + Xtr = {shown(planned)} - "
            f"{shown(entry.frustrated)} - {shown(entry.missed)} + {shown(entry.extra)} = "
            f"{shown(expected)}, but it is {shown(entry.actual)}."
        )
    direction = ""
    if not rules.is_allocation:
        direction = "over" if entry.actual > planned else "under" if entry.actual < planned else ""
    notes = []
    if over:
        notes.append(f"More than {rules.over_percent}% over the planned {shown(planned)}.")
    if zero:
        notes.append("Nothing delivered and no comment saying why.")
    if varies:
        notes.append(
            f"{rules.level} is core or shared hours, which should not vary from the planned "
            f"{shown(planned)}."
        )
    return Assessment(
        cost=cost,
        planned_cost=planned_cost,
        payable_frustrated=payable,
        expected_actual=expected,
        does_not_add_up=not adds_up,
        over_threshold=over,
        zero_without_comment=zero,
        payable_missed=missed,
        varies_from_fixed=varies,
        difference=difference,
        cost_sum=_cost_sum(entry, rules, payable, missed),
        direction=direction,
        notes=notes,
    )


def _step_message(label: str, rules: Rules) -> str:
    if rules.step == 1:
        return f"Enter {label} as a whole number of {rules.unit.lower()}"
    return f"Enter {label} in units of {shown(rules.step)} {rules.unit.lower()}, like 3.25"


def check(entry: Entry, rules: Rules, context: Context) -> dict[str, str]:
    """Every rule the row breaks, as field -> message in the guides' words where they give them.
    A row that breaks none can be saved (even if it does not add up: that is an exception)."""
    errors = _check_numbers(entry, rules)
    if errors:
        return errors

    errors.update(_check_extra(entry, rules))

    if entry.frustrated > 0:
        errors.update(_check_frustrated(entry, rules, context))

    if entry.missed > 0:
        errors.update(_check_missed(entry, context))

    if rules.is_allocation:
        errors.update(_check_allocation(entry, rules, context))
        return errors

    errors.update(_check_comments(entry, context))
    return errors


def _check_numbers(entry: Entry, rules: Rules) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in QUANTITY_FIELDS:
        value: Decimal = getattr(entry, name)
        if value < 0:
            errors[name] = f"{LABELS[name]} cannot be less than 0"
        elif value % rules.step != 0:
            errors[name] = _step_message(LABELS[name], rules)
    if entry.visits < 0:
        errors["visits"] = "Vst cannot be less than 0"
    return errors


def _check_extra(entry: Entry, rules: Rules) -> dict[str, str]:
    if entry.extra <= 0:
        return {}
    if not rules.level_extras_allowed:
        return {
            "extra": (
                f"Extras cannot be claimed for {rules.level}: the service is delivered on "
                "planned hours, and any increase must be requested from the operational team"
            )
        }
    if not rules.extras_allowed:
        return {
            "extra": (
                "Extras cannot be claimed: any increase in service must be requested from the "
                "operational team"
            )
        }
    if not entry.variation_code.strip():
        return {
            "variation_code": (
                "Enter the variation code the social worker gave for the extra "
                f"{rules.unit.lower()}"
            )
        }
    return {}


def _check_allocation(entry: Entry, rules: Rules, context: Context) -> dict[str, str]:
    if context.allocation is None:
        return {}
    total = context.allocation_used + entry.actual
    if total > context.allocation:
        return {
            "actual": (
                f"This would take the client to {shown(total)} {rules.unit.lower()} this "
                f"year, over the allocation of {shown(context.allocation)}. Any increase must "
                "be agreed with the client's social worker"
            )
        }
    return {}


def _check_comments(entry: Entry, context: Context) -> dict[str, str]:
    if entry.comments.strip():
        return {}
    if entry.actual == 0 and context.planned > 0:
        return {
            "comments": (
                "The actual for the week is 0: leave a comment saying why no service was delivered"
            )
        }
    differs = (
        entry.actual != context.planned
        or entry.frustrated > 0
        or entry.missed > 0
        or entry.extra > 0
    )
    if differs:
        return {
            "comments": (
                "Comments must be completed if anything other than the planned service has "
                "been provided"
            )
        }
    return {}


def _check_missed(entry: Entry, context: Context) -> dict[str, str]:
    if not entry.missed_reason:
        if not context.missed_reason_asked:
            return {}
        return {"missed_reason": "Choose why the quantity was missed"}
    if entry.missed_reason not in MR.values:
        words = ", ".join(str(reason.label).lower() for reason in MR)
        return {"missed_reason": f"Missed can only be recorded for {words}"}
    return {}


def _check_frustrated(entry: Entry, rules: Rules, context: Context) -> dict[str, str]:
    reason = entry.frustrated_reason
    if not reason:
        return {"frustrated_reason": "Choose why the quantity was frustrated"}
    allowed = {FR(code) for code in rules.reasons}
    if FR.NIGHT_CANCELLED in allowed:
        allowed |= NIGHT_REASONS
    if reason not in allowed:
        words = ", ".join(str(FR(code).label).lower() for code in sorted(allowed)) or "nothing"
        return {"frustrated_reason": f"Frustrated can only be claimed for {words}"}
    if reason == FR.HOSPITAL:
        week = context.hospital_weeks_before + 1
        if week > rules.hospital_weeks:
            return {
                "frustrated": (
                    f"{rules.level} is paid during a hospital admission for up to "
                    f"{rules.hospital_weeks} weeks and this would be week {week}. The "
                    "operational team must agree any funding beyond that"
                )
            }
    if reason == FR.ABORTED_VISIT:
        return _check_aborted(entry, rules, context)
    return {}


def _check_aborted(entry: Entry, rules: Rules, context: Context) -> dict[str, str]:
    dates = entry.aborted_visit_dates
    if not dates:
        return {"aborted_visit_dates": "Enter the date of each aborted visit"}
    last = context.week_start + timedelta(days=6)
    outside = [d for d in dates if not context.week_start <= d <= last]
    if outside:
        return {
            "aborted_visit_dates": (
                f"Aborted visit dates must be in the week beginning {guide_date(context.week_start)}"
            )
        }
    if rules.aborted_max_minutes is not None:
        most = Decimal(rules.aborted_max_minutes * len(dates)) / 60
        if entry.frustrated > most:
            visits = "1 visit" if len(dates) == 1 else f"{len(dates)} visits"
            return {
                "frustrated": (
                    f"An aborted visit is paid for at most {rules.aborted_max_minutes} minutes: "
                    f"{visits} can claim up to {shown(most)} {rules.unit.lower()}"
                )
            }
    return {}


def entry_from(values: Mapping[str, object]) -> Entry:
    """An Entry from a mapping with the same names (a form's cleaned data or a CSV row)."""
    dates = values.get("aborted_visit_dates") or ()
    return Entry(
        actual=Decimal(str(values.get("actual") or 0)),
        frustrated=Decimal(str(values.get("frustrated") or 0)),
        missed=Decimal(str(values.get("missed") or 0)),
        extra=Decimal(str(values.get("extra") or 0)),
        visits=int(str(values.get("visits") or 0)),
        frustrated_reason=str(values.get("frustrated_reason") or ""),
        missed_reason=str(values.get("missed_reason") or ""),
        aborted_visit_dates=tuple(dates),  # type: ignore[arg-type]
        variation_code=str(values.get("variation_code") or ""),
        comments=str(values.get("comments") or ""),
    )
