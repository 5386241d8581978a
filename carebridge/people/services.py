"""Writes of service users' personal details; every change and every view is audited."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from carebridge.audit.services import changed_fields, record, snapshot
from carebridge.organisations.models import Council
from carebridge.people.models import ServiceUser
from carebridge.people.signals import service_user_rectified
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


# The personal details a correction may change: who the person is, where they live, how to reach
# them, their GP and next of kin, their consent. The Client Level Data details have their own
# service (cld_details_update); the council and the record's dates are never corrected here.
RECTIFIABLE_FIELDS = (
    "ss_ref",
    "title",
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "nhs_number",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "county",
    "postcode",
    "district",
    "phone",
    "mobile",
    "gp_name",
    "gp_practice",
    "gp_phone",
    "next_of_kin_name",
    "next_of_kin_relationship",
    "next_of_kin_phone",
    "consent_to_share",
)


RECTIFIED = "service_user.rectified"
SS_REF_TAKEN = "Another person at your council has this SS Ref"


def _require_unique_ss_ref(person: ServiceUser) -> None:
    """The SS Ref is the council's key for the person: one person each in a council."""
    taken = ServiceUser.objects.filter(council_id=person.council_id, ss_ref=person.ss_ref)
    if taken.exclude(pk=person.pk).exists():
        raise ValidationError({"ss_ref": SS_REF_TAKEN})


def _change_details(
    *, person: ServiceUser, by: Any, fields: dict[str, Any], action: str, reason: str
) -> ServiceUser:
    unknown = set(fields) - set(RECTIFIABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not a correctable detail: {', '.join(sorted(unknown))}")
    person = ServiceUser.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person)
    for name, value in _clean(person.council, fields).items():
        setattr(person, name, value)
    person.ss_ref = person.ss_ref.strip()
    _require_unique_ss_ref(person)
    person.full_clean()
    after = snapshot(person)
    changed = changed_fields(before, after)
    if not changed:
        return person
    try:
        with transaction.atomic():
            person.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        # Another person given the same SS Ref at the same moment: the constraint decides.
        raise ValidationError({"ss_ref": SS_REF_TAKEN}) from None
    record(
        action=action,
        by=by,
        obj=person,
        council=person.council_id,
        before={k: before.get(k) for k in changed},
        after={k: after[k] for k in changed},
        detail={"reason": reason} if reason else None,
    )
    if action == RECTIFIED:
        # Copies of these details kept by the apps above (a front-door request's) are
        # corrected in this same transaction: all or nothing.
        service_user_rectified.send(
            sender=ServiceUser,
            person=person,
            by=by,
            before={k: before.get(k) for k in changed},
            after={k: after[k] for k in changed},
            reason=reason,
        )
    return person


@transaction.atomic
def service_user_rectify(
    *, person: ServiceUser, by: Any, reason: str, **fields: Any
) -> ServiceUser:
    """Correct a person's details (the right to rectification): only council staff of the
    person's own council, always with a reason. The audit event carries only the changed fields,
    before and after, and the reason; it is the council's (events_visible_to), who already see
    the whole record. A correction that changes nothing writes nothing, so a repeated post is
    harmless."""
    if by is None or by.council_id != person.council_id:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the correction"})
    return _change_details(person=person, by=by, fields=fields, action=RECTIFIED, reason=reason)


@transaction.atomic
def service_user_update(*, person: ServiceUser, by: Any, **fields: Any) -> ServiceUser:
    """A change of details made by the system or a data load, not a correction asked for by
    someone (those go through service_user_rectify): the same write and the same audit."""
    return _change_details(
        person=person, by=by, fields=fields, action="service_user.updated", reason=""
    )


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


CLD_FIELDS = (
    "gender",
    "ethnicity",
    "primary_support_reason",
    "accommodation_status",
    "has_unpaid_carer",
    "client_funding_status",
    "employment_status",
    "date_of_death",
)


@transaction.atomic
def cld_details_update(*, by: Any, service_user: ServiceUser, **values: Any) -> ServiceUser:
    """Record the person's Client Level Data details (people/cld.py). Only these fields may be
    given; the audit event carries only what changed, before and after, and a call that changes
    nothing writes nothing."""
    unknown = set(values) - set(CLD_FIELDS)
    if unknown:
        raise TypeError(f"Not a Client Level Data detail: {', '.join(sorted(unknown))}")
    if by.council_id != service_user.council_id:
        raise PermissionDenied
    person = ServiceUser.objects.select_for_update().get(pk=service_user.pk)
    before = snapshot(person, list(CLD_FIELDS))
    for name, value in values.items():
        setattr(person, name, value if value is not None or name == "date_of_death" else "")
    if person.date_of_death is not None and person.date_of_death < person.date_of_birth:
        raise ValidationError({"date_of_death": "Date of death must be after the date of birth"})
    person.full_clean()
    after = snapshot(person, list(CLD_FIELDS))
    changed = changed_fields(before, after)
    if not changed:
        return person
    person.save(update_fields=[*changed, "updated_at"])
    record(
        action="service_user.cld_details_updated",
        by=by,
        obj=person,
        council=person.council_id,
        before={k: before.get(k) for k in changed},
        after={k: after[k] for k in changed},
    )
    return person
