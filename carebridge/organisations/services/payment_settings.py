"""The council's payment settings, as its administrators change them on their pages: each
contract type's payment rule (how it is paid, one-off claims, what share of frustrated and missed
quantities is paid) and the rulebook's scheduled payments (weeks a block covers, weeks of it paid
in advance). One change is one call: the record locked, checked, saved with its audit event
(before and after); a call that changes nothing writes nothing, so a double submit is one change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.audit.services import changed_fields, record, snapshot
from carebridge.core.errors import Refused
from carebridge.core.permissions import COUNCIL_ROLES, Function, can_edit, can_view
from carebridge.organisations.choices import ContractType
from carebridge.organisations.models import Council, PaymentRule, Rulebook

if TYPE_CHECKING:
    from carebridge.accounts.models import User

# What the payment rule page changes, in the page's order.
PAYMENT_RULE_FIELDS = (
    "payment_method",
    "one_off_claims_allowed",
    "aborted_visit_max_minutes",
    "aborted_visit_paid_percent",
    "night_cancellation_paid_percent",
    "missed_planned_absence_paid_percent",
    "missed_non_engagement_paid_percent",
    "missed_short_notice_paid_percent",
    "missed_provider_failure_paid_percent",
)
SCHEDULE_FIELDS = ("scheduled_payment_weeks", "scheduled_weeks_in_advance")

NOT_AN_ADMINISTRATOR = "Only the council's administrators can change its payment settings."

# Checks an upper app (payments) registers from its AppConfig.ready: given a council's id, the
# reason its scheduled-payment weeks may not change now (a block already paid or on an open run
# would be cut differently and its days paid twice), or None. Organisations cannot import
# payments, so payments tells it.
SCHEDULE_LOCKS: list[Callable[[int], str | None]] = []


class PaymentSettingsRefused(Refused):
    """A payment setting the council may not change now; the message says why."""


def may_view_payment_settings(user: User, council_id: int) -> bool:
    """The council's own staff who see its organisation details (its administrators, brokers)."""
    return (
        user.role in COUNCIL_ROLES
        and user.council_id == council_id
        and can_view(user.role, Function.ORGANISATION_DETAILS)
    )


def may_change_payment_settings(user: User, council_id: int) -> bool:
    """The council's own staff who change its organisation details: its administrators."""
    return (
        user.role in COUNCIL_ROLES
        and user.council_id == council_id
        and can_edit(user.role, Function.ORGANISATION_DETAILS)
    )


def _require_administrator(by: User, council_id: int) -> None:
    if not may_change_payment_settings(by, council_id):
        raise PaymentSettingsRefused(NOT_AN_ADMINISTRATOR)


def payment_rule_of(council: Council, contract_type: str) -> PaymentRule:
    """The council's rule for the contract type, or (unsaved) the defaults that pay it until the
    council first saves one, as the actuals and payments code reads it."""
    return PaymentRule.objects.filter(
        council=council, contract_type=contract_type
    ).first() or PaymentRule(council=council, contract_type=contract_type)


def _locked_rule(council: Council, contract_type: str) -> tuple[PaymentRule, bool]:
    """The rule locked for the change, made with the defaults when the council has none yet
    (two first saves at once make one: the second waits for the first's row)."""
    rules = PaymentRule.objects.select_for_update()
    rule = rules.filter(council=council, contract_type=contract_type).first()
    if rule is not None:
        return rule, False
    try:
        with transaction.atomic():
            return PaymentRule.objects.create(council=council, contract_type=contract_type), True
    except IntegrityError:
        return rules.get(council=council, contract_type=contract_type), False


@transaction.atomic
def payment_rule_update(
    *, by: User, council: Council, contract_type: str, **fields: Any
) -> PaymentRule:
    """Change how the council pays under one contract type. `fields` are some of
    PAYMENT_RULE_FIELDS; a field not given keeps its value."""
    _require_administrator(by, council.pk)
    if contract_type not in ContractType.values:
        raise ValidationError({"contract_type": "Choose one of the contract types"})
    unknown = set(fields) - set(PAYMENT_RULE_FIELDS)
    if unknown:
        raise ValueError(f"Not a payment rule setting: {', '.join(sorted(unknown))}")
    rule, made = _locked_rule(council, contract_type)
    before = snapshot(rule, list(PAYMENT_RULE_FIELDS))
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    after = snapshot(rule, list(PAYMENT_RULE_FIELDS))
    changed = changed_fields(before, after)
    if not changed and not made:
        return rule
    rule.save()
    record(
        action="payment_rule.updated",
        by=by,
        obj=rule,
        council=council,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
        detail={"contract_type": contract_type},
    )
    return rule


def schedule_lock(council_id: int) -> str | None:
    """Why the council's scheduled-payment weeks may not change now, or None."""
    for check in SCHEDULE_LOCKS:
        reason = check(council_id)
        if reason:
            return reason
    return None


@transaction.atomic
def scheduled_payments_update(
    *,
    by: User,
    council: Council,
    scheduled_payment_weeks: int,
    scheduled_weeks_in_advance: int,
) -> Rulebook:
    """Change how the council's scheduled payments are cut: blocks of `scheduled_payment_weeks`,
    `scheduled_weeks_in_advance` of them paid in advance (fewer than the block's weeks)."""
    _require_administrator(by, council.pk)
    book = Rulebook.objects.select_for_update().get(council=council)
    before = snapshot(book, list(SCHEDULE_FIELDS))
    book.scheduled_payment_weeks = scheduled_payment_weeks
    book.scheduled_weeks_in_advance = scheduled_weeks_in_advance
    book.full_clean()
    after = snapshot(book, list(SCHEDULE_FIELDS))
    if before == after:
        return book
    lock = schedule_lock(council.pk)
    if lock:
        raise PaymentSettingsRefused(lock)
    book.save(update_fields=list(SCHEDULE_FIELDS))
    record(
        action="rulebook.scheduled_payments_updated",
        by=by,
        obj=book,
        council=council,
        before=before,
        after=after,
    )
    return book
