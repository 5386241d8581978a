"""The council's administrators change a service level's payment settings: how many weeks of a
hospital admission are paid, its VAT rate, whether extras may be claimed, whether its hours are
fixed, the cost centre its spend is booked to on the finance export, whether it is offered
for new contract documents, and how the Client Level Data return describes its CPLIs (service
type, component and delivery mechanism). One change is one call: the level locked, checked, saved with its
audit event (what changed, before and after); a call that changes nothing writes nothing."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.audit.services import changed_fields, record, snapshot
from carebridge.contracts.models import ServiceLevel
from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from carebridge.organisations.services.payment_settings import (
    NOT_AN_ADMINISTRATOR,
    PaymentSettingsRefused,
    may_change_payment_settings,
)

if TYPE_CHECKING:
    from carebridge.accounts.models import User

SETTINGS_FIELDS = (
    "hospital_retainer_weeks",
    "vat_rate",
    "extras_allowed",
    "fixed_hours",
    "cost_centre",
    "is_active",
    "cld_service_type",
    "cld_service_component",
    "cld_delivery_mechanism",
)
CLD_COMPONENT_MAX = 60
# A year of admission is far beyond any council's retainer (the guides: 2 and 6 weeks).
RETAINER_WEEKS_MOST = 52
COST_CENTRE_MAX = 20
HUNDREDTH = Decimal("0.01")
# A finance system's code: it starts with a letter or digit (so no spreadsheet reads a formula)
# and holds only what codes are made of.
_COST_CENTRE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]*")
COST_CENTRE_MESSAGE = (
    "Cost centre must start with a letter or number and contain only letters, numbers, spaces, "
    "hyphens, full stops and slashes"
)


def _cost_centre(value: str) -> str:
    value = value.strip()
    if has_control_characters(value):
        raise ValidationError({"cost_centre": CONTROL_CHARACTERS_MESSAGE})
    if len(value) > COST_CENTRE_MAX:
        raise ValidationError(
            {"cost_centre": f"Cost centre must be {COST_CENTRE_MAX} characters or fewer"}
        )
    if value and not _COST_CENTRE.fullmatch(value):
        raise ValidationError({"cost_centre": COST_CENTRE_MESSAGE})
    return value


def _cld_component(value: str) -> str:
    value = " ".join(value.split())
    if has_control_characters(value):
        raise ValidationError({"cld_service_component": CONTROL_CHARACTERS_MESSAGE})
    if len(value) > CLD_COMPONENT_MAX:
        raise ValidationError(
            {
                "cld_service_component": "Service component must be "
                f"{CLD_COMPONENT_MAX} characters or fewer"
            }
        )
    return value


def _bounds(hospital_retainer_weeks: int, vat_rate: Decimal) -> Decimal:
    """The VAT rate to the hundredth, as stored (so 20 and 20.00 are one rate), once both are
    in bounds."""
    if not 0 <= hospital_retainer_weeks <= RETAINER_WEEKS_MOST:
        raise ValidationError(
            {
                "hospital_retainer_weeks": "Weeks a hospital admission is paid must be from 0 "
                f"to {RETAINER_WEEKS_MOST}"
            }
        )
    if not (vat_rate.is_finite() and Decimal("0") <= vat_rate <= Decimal("100")):
        raise ValidationError({"vat_rate": "VAT rate must be from 0 to 100"})
    rate = vat_rate.quantize(HUNDREDTH)
    if rate != vat_rate:
        raise ValidationError({"vat_rate": "VAT rate must have 2 decimal places or fewer"})
    return rate


@transaction.atomic
def service_level_settings_update(
    *,
    by: User,
    level: ServiceLevel,
    hospital_retainer_weeks: int,
    vat_rate: Decimal,
    extras_allowed: bool,
    fixed_hours: bool,
    cost_centre: str,
    is_active: bool,
    cld_service_type: str | None = None,
    cld_service_component: str | None = None,
    cld_delivery_mechanism: str | None = None,
) -> ServiceLevel:
    """Change the level's payment settings. Its name and unit stay: CPLIs are counted in it.
    A level no longer offered keeps its CPLIs, which are paid as before. A Client Level Data
    field not given (None) is left as it is."""
    if not may_change_payment_settings(by, level.council_id):
        raise PaymentSettingsRefused(NOT_AN_ADMINISTRATOR)
    vat_rate = _bounds(hospital_retainer_weeks, vat_rate)
    level = ServiceLevel.objects.select_for_update().get(pk=level.pk)
    before = snapshot(level, list(SETTINGS_FIELDS))
    level.hospital_retainer_weeks = hospital_retainer_weeks
    level.vat_rate = vat_rate
    level.extras_allowed = extras_allowed
    level.fixed_hours = fixed_hours
    level.cost_centre = _cost_centre(cost_centre)
    level.is_active = is_active
    if cld_service_type is not None:
        level.cld_service_type = cld_service_type
    if cld_service_component is not None:
        level.cld_service_component = _cld_component(cld_service_component)
    if cld_delivery_mechanism is not None:
        level.cld_delivery_mechanism = cld_delivery_mechanism
    level.full_clean()
    after = snapshot(level, list(SETTINGS_FIELDS))
    changed = changed_fields(before, after)
    if not changed:
        return level
    level.save(update_fields=changed)
    record(
        action="service_level.updated",
        by=by,
        obj=level,
        council=level.council_id,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return level
