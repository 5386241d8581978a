"""The one way a referral sent by a council's system becomes a referral: the push API
(`POST /api/v1/referrals/`) and the case-management feed's poller (`casefeed.py`) both hand the
body they were sent to `referral_intake`, so the same body is taken, found to be a repeat, or
refused with the same messages, whichever way it came.

It validates with `ReferralCreateInput` (the API's strict serializer) and `rules.referral_check`
(the council's form's rules), finds a repeat by the system's own id (`external_id`), and makes
the referral through `services.referral_create`, the service the council's pages use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import serializers

from carebridge.integrations.api import (
    LondonDateTimeField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)
from carebridge.organisations.models import Council, District
from carebridge.organisations.selectors import providers_of_council
from carebridge.people.models import ServiceUser
from carebridge.referrals import services
from carebridge.referrals.choices import Source
from carebridge.referrals.models import Referral
from carebridge.referrals.rules import referral_check

# --- The body ---------------------------------------------------------------------------------


def _text(max_length: int | None = None, **kwargs: Any) -> StrictCharField:
    return StrictCharField(
        max_length=max_length, required=False, allow_blank=True, trim_whitespace=True, **kwargs
    )


class ServiceUserInput(StrictSerializer):
    """The person: an SS Ref the council already has, or a new person's details.

    When `ss_ref` names one of the council's service users, that record is used as it is and the
    other fields given here are not applied to it (change a person's details in the portal).
    Otherwise a new service user is made, and first_name, last_name, date_of_birth (in the
    past), address_line_1 and postcode are needed, as on the council's own form.
    """

    ss_ref = StrictCharField(max_length=30, help_text="The council's own reference (SS Ref).")
    title = _text(20)
    first_name = _text(100)
    last_name = _text(100)
    date_of_birth = serializers.DateField(required=False, help_text="YYYY-MM-DD.")
    nhs_number = _text(20, help_text="10 digits; spaces and hyphens are allowed.")
    address_line_1 = _text(200)
    address_line_2 = _text(200)
    address_line_3 = _text(200)
    town = _text(100)
    county = _text(100)
    postcode = _text(10)
    phone = _text(30)
    mobile = _text(30)
    gp_name = _text(200)
    gp_practice = _text(200)
    gp_phone = _text(30)


PERSON_FIELDS = frozenset(ServiceUserInput().fields) | {"district"}


class ReferralCreateInput(StrictSerializer):
    external_id = _text(
        100,
        help_text=(
            "The case-management system's own id for this referral. Sending the same id again "
            "answers 200 with the referral already made, so a retry never makes two."
        ),
    )
    provider = StrictIntegerField(help_text="The id of a provider the council has a contract with.")
    district = StrictCharField(
        max_length=200, help_text="The name of one of the council's districts (any case)."
    )
    service_user = ServiceUserInput()
    received_at = LondonDateTimeField(
        required=False,
        help_text=(
            "When the referral was received, ISO 8601 with its offset; not in the future. "
            "The reply window (respond_by) counts from it. Defaults to now."
        ),
    )
    source = serializers.ChoiceField(choices=Source.choices)
    hospital = _text(200, help_text="Needed when source is hospital.")
    ward = _text(100)
    district_team = _text(200, help_text="Needed when source is district_team.")
    discharge_date = serializers.DateField(required=False, allow_null=True)
    requested_start_date = serializers.DateField()
    next_of_kin_name = _text(200)
    next_of_kin_relationship = _text(100)
    next_of_kin_address = _text()
    next_of_kin_phone = _text(30)
    consent_to_share = StrictBooleanField(
        required=False, help_text="When false, mca_best_interest must record the decision."
    )
    mca_best_interest = _text()
    health_needs = _text()
    home_circumstances = _text()
    mobility = _text()
    support_summary = StrictCharField()
    risks = _text()
    # The council's form offers these as choices; its words for a number outside them.
    carers_required = StrictIntegerField(
        min_value=1,
        max_value=4,
        error_messages=dict.fromkeys(("min_value", "max_value"), "Choose from 1 to 4 carers"),
    )
    visits_per_day = StrictIntegerField(
        min_value=1,
        max_value=8,
        error_messages=dict.fromkeys(
            ("min_value", "max_value"), "Choose from 1 to 8 visits per day"
        ),
    )
    worker_name = StrictCharField(max_length=200)
    worker_team = StrictCharField(max_length=200)
    worker_phone = _text(30)
    worker_mobile = _text(30)
    completed_on = serializers.DateField()
    confirm_postcode = StrictBooleanField(
        required=False,
        help_text=(
            "True when the person's postcode is outside the district's postcode districts and "
            "the address and district have been checked: without it such a referral is refused."
        ),
    )


# --- Taking it --------------------------------------------------------------------------------

# What the feed needs and the push API leaves optional: without its own id, a referral polled
# twice could not be told from two referrals.
EXTERNAL_ID_MISSING = "Give the case-management system's own id for this referral."

# The API's field shape: each field's messages, a nested object's under its name.
Errors = dict[str, Any]


@dataclass(frozen=True)
class Intake:
    """What came of a body: the referral made (`created`), or the one the council already had
    with its `external_id` (not created); or, when refused, no referral and `errors` in the
    API's field shape (what the API answers 400 with, under "fields")."""

    referral: Referral | None
    created: bool
    errors: Errors | None = None


def referral_intake(
    *,
    council: Council,
    body: Any,
    via: str,
    received_at: datetime | None = None,
    idempotency_key: str | None = None,
    external_id_required: bool = False,
) -> Intake:
    """Take one referral sent by the council's system.

    `via` names the system in the update log. `received_at`, when given, is the moment
    Carebridge took the referral (a polled one's reply window counts from there), and replaces
    the moment the body gives. `external_id_required`: the feed's items must carry the system's
    id, which the push API leaves optional."""
    given = ReferralCreateInput(data=body)
    valid = given.is_valid()
    errors: Errors = _plain(given.errors) if not valid else {}
    if external_id_required and not (isinstance(body, Mapping) and _given_id(body)):
        errors.setdefault("external_id", [EXTERNAL_ID_MISSING])
    if errors:
        return Intake(None, False, errors)
    data = dict(given.validated_data)
    external_id = data.pop("external_id", "")
    if external_id:
        existing = _known(council, external_id)
        if existing is not None:
            return Intake(existing, False)
    checked = _checked(council, data)
    if isinstance(checked, dict):
        return Intake(None, False, checked)
    if received_at is not None:
        data["received_at"] = received_at
    try:
        referral = services.referral_create(
            council=council,
            by=None,
            via=via,
            external_id=external_id,
            idempotency_key=idempotency_key,
            **checked.arguments,
            **data,
        )
    except DjangoValidationError as error:
        # Sent twice at once with a new person: the other request made the person (and the
        # referral) first, so this one's check finds the SS Ref taken. It is that referral.
        existing = _known(council, external_id) if external_id else None
        if existing is not None:
            return Intake(existing, False)
        return Intake(None, False, nest_person_errors(error))
    except IntegrityError:
        # The same external_id sent twice at once: the other request made it first (its
        # savepoint in referral_create rolled back, so the caller's transaction goes on).
        existing = _known(council, external_id) if external_id else None
        if existing is None:
            raise
        return Intake(existing, False)
    return Intake(referral, True)


@dataclass(frozen=True)
class _Checked:
    arguments: dict[str, Any]


def _checked(council: Council, data: dict[str, Any]) -> _Checked | Errors:
    """The provider, district and person the body names, once every rule of the council's form
    is met (`data` loses what it names); or the errors, every one at once."""
    person: dict[str, Any] = data.pop("service_user")
    errors: Errors = {}
    provider = providers_of_council(council.pk).filter(pk=data.pop("provider")).first()
    if provider is None:
        errors["provider"] = ["Choose a provider the council holds a contract with."]
    district_name = data.pop("district").strip()
    district = District.objects.filter(council=council, name__iexact=district_name).first()
    if district is None:
        errors["district"] = ["Give the name of one of the council's districts."]
    service_user = ServiceUser.objects.filter(council=council, ss_ref=person["ss_ref"]).first()
    new_person = person if service_user is None else None
    postcode_confirmed = data.pop("confirm_postcode", False)
    try:
        # The same rules as the council's form, before anything is made.
        referral_check(
            council=council,
            district=district,
            provider=provider,
            service_user=service_user,
            new_person=new_person,
            postcode_confirmed=postcode_confirmed,
            **data,
        )
    except DjangoValidationError as error:
        errors = {**nest_person_errors(error), **errors}
    if errors:
        return errors
    return _Checked(
        {
            "provider": provider,
            "district": district,
            "service_user": service_user,
            "new_person": new_person,
            "postcode_confirmed": postcode_confirmed,
        }
    )


def _known(council: Council, external_id: str) -> Referral | None:
    return Referral.objects.filter(council=council, external_id=external_id).first()


def _given_id(body: Mapping[str, Any]) -> bool:
    value = body.get("external_id")
    return isinstance(value, str) and bool(value.strip())


def nest_person_errors(error: DjangoValidationError) -> Errors:
    """The new person's field errors belong under service_user, where they were sent."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    referral_fields = set(ReferralCreateInput().fields)
    fields: Errors = {}
    person: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        if name in PERSON_FIELDS and name not in referral_fields:
            person[name] = messages
        else:
            fields["non_field_errors" if name == NON_FIELD_ERRORS else name] = messages
    if person:
        fields["service_user"] = person
    return fields


def _plain(errors: Any) -> Any:
    """A serializer's errors as plain lists and dicts of text (DRF's ErrorDetail is a str)."""
    if isinstance(errors, Mapping):
        return {str(name): _plain(value) for name, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [_plain(value) for value in errors]
    return str(errors)


def refusal_reason(errors: Errors, *, limit: int = 2000) -> str:
    """The errors as one line of text for the poll log: "field: message; service_user.postcode:
    message", cut at `limit` characters (a message may repeat what was sent)."""
    parts = [f"{name}: {message}" for name, message in _flattened(errors, "")]
    text = "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flattened(errors: Any, prefix: str) -> list[tuple[str, str]]:
    if isinstance(errors, Mapping):
        found: list[tuple[str, str]] = []
        for name, value in errors.items():
            found.extend(_flattened(value, f"{prefix}.{name}" if prefix else str(name)))
        return found
    if isinstance(errors, list | tuple):
        return [pair for value in errors for pair in _flattened(value, prefix)]
    return [(prefix or "non_field_errors", str(errors))]
