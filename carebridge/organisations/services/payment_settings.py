"""The council's payment settings, as its administrators change them on their pages: each
contract type's payment rule (how it is paid, one-off claims, what share of frustrated and missed
quantities is paid), the rulebook's scheduled payments (weeks a block covers, weeks of it paid
in advance) and each contract's supplier reference (the provider's number in the council's finance
system, on the finance export). One change is one call: the record locked, checked, saved with its audit event
(before and after); a call that changes nothing writes nothing, so a double submit is one change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.audit.services import changed_fields, record, snapshot
from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from carebridge.core.errors import Refused
from carebridge.core.permissions import COUNCIL_ROLES, Function, can_edit, can_view
from carebridge.organisations.choices import ContractType
from carebridge.organisations.models import Contract, Council, PaymentRule, Rulebook

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

SUPPLIER_REFERENCE_MAX = 30  # Contract.supplier_reference's length
# A finance system's number: it starts with a letter or digit (so no spreadsheet opening the
# finance export reads a formula) and holds only what such numbers are made of.
_SUPPLIER_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 /-]*")
SUPPLIER_REFERENCE_MESSAGE = (
    "Supplier reference must start with a letter or number and contain only letters, numbers, "
    "spaces, hyphens and slashes"
)

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


def _supplier_reference(value: str) -> str:
    """The reference as kept (an empty one: the council has not given one), or why not."""
    value = value.strip()
    if has_control_characters(value):
        raise ValidationError({"supplier_reference": CONTROL_CHARACTERS_MESSAGE})
    if len(value) > SUPPLIER_REFERENCE_MAX:
        raise ValidationError(
            {
                "supplier_reference": "Supplier reference must be "
                f"{SUPPLIER_REFERENCE_MAX} characters or fewer"
            }
        )
    if value and not _SUPPLIER_REFERENCE.fullmatch(value):
        raise ValidationError({"supplier_reference": SUPPLIER_REFERENCE_MESSAGE})
    return value


@transaction.atomic
def contract_supplier_reference_set(
    *, by: User, contract: Contract, supplier_reference: str
) -> Contract:
    """Give the contract the provider's number in the council's finance system, or clear it
    (""). Only the contract's own council's administrators may; runs already exported keep
    what their files said, and the next export reads the new one."""
    _require_administrator(by, contract.council_id)
    value = _supplier_reference(supplier_reference)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    before = contract.supplier_reference
    if value == before:
        return contract
    contract.supplier_reference = value
    contract.save(update_fields=["supplier_reference"])
    record(
        action="contract.supplier_reference_set",
        by=by,
        obj=contract,
        council=contract.council_id,
        provider=contract.provider_id,
        before={"supplier_reference": before},
        after={"supplier_reference": value},
        detail={"reference": contract.reference},
    )
    return contract
