"""Writes of service users' personal details; every change and every view is audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.audit.services import changed_fields, record, snapshot
from carebridge.organisations.models import Council
from carebridge.people.models import ServiceUser
from carebridge.people.validators import (
    normalise_nhs_number,
    normalise_postcode,
    validate_nhs_number,
    validate_postcode,
)


def _clean(council: Council, fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    for name, validate, normalise in (
        ("nhs_number", validate_nhs_number, normalise_nhs_number),
        ("postcode", validate_postcode, normalise_postcode),
    ):
        if fields.get(name):
            try:
                validate(fields[name])
                fields[name] = normalise(fields[name])
            except ValidationError as error:
                errors[name] = error.messages[0]
    district = fields.get("district")
    if district is not None and district.council_id != council.pk:
        errors["district"] = "Choose one of the council's districts"
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def service_user_create(*, council: Council, by: Any, **fields: Any) -> ServiceUser:
    person = ServiceUser(council=council, **_clean(council, fields))
    person.full_clean()
    person.save()
    record(
        action="service_user.created", by=by, obj=person, council=council, after=snapshot(person)
    )
    return person


@transaction.atomic
def service_user_update(*, person: ServiceUser, by: Any, **fields: Any) -> ServiceUser:
    before = snapshot(person)
    for name, value in _clean(person.council, fields).items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    after = snapshot(person)
    changed = changed_fields(before, after)
    record(
        action="service_user.updated",
        by=by,
        obj=person,
        council=person.council_id,
        before={k: before.get(k) for k in changed},
        after={k: after[k] for k in changed},
    )
    return person


def service_user_viewed(
    *, person: ServiceUser, by: Any, ip: str | None = None, via: str = ""
) -> None:
    """Looking at a person's record is itself recorded: their data is special category. `via`
    names where it was read when that is not the record's own page (a referral's update log,
    purchase orders, actuals, a council system's API key)."""
    record(
        action="service_user.viewed",
        by=by,
        obj=person,
        council=person.council_id,
        detail={"via": via} if via else None,
        ip_address=ip,
    )
