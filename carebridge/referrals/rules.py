"""The rules a referral's answers must meet, written once.

The council's form, the API and the services all ask here, so a page and a system cannot be held
to different rules, and a form shows every broken rule on its first submit, with its own field
errors. Each check takes the answers it has (None for one a form could not read: the form reports
that itself, so no rule that needs it is applied) and raises a ValidationError that names the
fields, in the words the pages show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from carebridge.core.bounds import DATE_OUT_OF_RANGE_MESSAGE, date_in_bounds
from carebridge.core.calendar import now, to_london, today
from carebridge.core.formats import guide_date
from carebridge.organisations.selectors import providers_of_council
from carebridge.people.models import ServiceUser
from carebridge.people.validators import (
    POSTCODE_MESSAGE,
    normalise_nhs_number,
    normalise_postcode,
    postcode_is_valid,
    validate_nhs_number,
)
from carebridge.referrals.choices import Source

if TYPE_CHECKING:
    from carebridge.organisations.models import Council, District, Provider
    from carebridge.referrals.models import Referral

# Hours of care are counted in quarter hours.
HOURS_STEP = Decimal("0.25")
QUARTER_HOURS_MESSAGE = "Enter the hours delivered in quarter hours, like 15 or 15.25"

# What a new service user needs before a provider can be asked to visit them at home.
NEW_PERSON_REQUIRED = {
    "first_name": "Enter the person's first name",
    "last_name": "Enter the person's last name",
    "date_of_birth": "Enter the person's date of birth",
    "ss_ref": "Enter the SS Ref for the new service user",
    "address_line_1": "Enter the first line of the person's address",
    "postcode": "Enter the person's postcode",
}

# The referral's own dates, which a system may send from any year.
REFERRAL_DATES = ("discharge_date", "requested_start_date", "completed_on")


def _errors(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


# --- A new referral ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostcodeOutside:
    """The person's postcode is not one of the chosen district's postcode districts."""

    postcode: str
    district: str
    outward_codes: tuple[str, ...]

    @property
    def message(self) -> str:
        return (
            f"The postcode {self.postcode} is not in the {self.district} district, which covers "
            f"{', '.join(self.outward_codes)}. Check the address and the district, and confirm "
            "they are right to send the referral anyway"
        )


def postcode_outside(district: District | None, postcode: str) -> PostcodeOutside | None:
    """Whether the postcode lies outside the district's postcode districts (None when it is in
    them, when the district lists none, or when the postcode is not a real one)."""
    if district is None or not postcode or not postcode_is_valid(postcode):
        return None
    postcode = normalise_postcode(postcode)
    if district.covers_postcode(postcode) is not False:
        return None
    return PostcodeOutside(
        postcode=postcode,
        district=district.name,
        outward_codes=tuple(sorted(district.outward_codes())),
    )


def referral_check(
    *,
    council: Council,
    district: District | None,
    provider: Provider | None,
    service_user: ServiceUser | None,
    new_person: Mapping[str, Any] | None,
    received_at: datetime | None = None,
    postcode_confirmed: bool = False,
    **fields: Any,
) -> None:
    """Every rule a new referral meets, whichever way it arrives. A district, provider or person
    given as None was not found: the caller says so in its own words."""
    on = today()
    errors = _arrival_errors(council, district, provider, received_at)
    errors.update(_service_user_errors(council, service_user, new_person, on))
    errors.update(_postcode_errors(district, service_user, new_person, postcode_confirmed))
    errors.update(_source_errors(fields))
    errors.update(_consent_errors(fields))
    errors.update(_referral_date_errors(fields, on))
    _errors(errors)


def _arrival_errors(
    council: Council,
    district: District | None,
    provider: Provider | None,
    received_at: datetime | None,
) -> dict[str, str]:
    """When it arrived, and the district and provider it names, belong to the council."""
    errors: dict[str, str] = {}
    if received_at is not None and received_at > now():
        errors["received_at"] = "The time the referral was received cannot be in the future"
    if district is not None and district.council_id != council.pk:
        errors["district"] = "Choose one of the council's districts"
    if (
        provider is not None
        and not providers_of_council(council.pk).filter(pk=provider.pk).exists()
    ):
        errors["provider"] = "Choose a provider the council holds a contract with"
    return errors


def _service_user_errors(
    council: Council,
    service_user: ServiceUser | None,
    new_person: Mapping[str, Any] | None,
    on: date,
) -> dict[str, str]:
    """One person: a service user of the council's, or a new person's details."""
    if service_user is not None and new_person is not None:
        return {"service_user": "Choose the service user, or give a new person's details"}
    if service_user is not None and service_user.council_id != council.pk:
        return {"service_user": "Choose one of the council's service users"}
    if service_user is None and new_person is None:
        return {"service_user": "Choose the service user, or give a new person's details"}
    if new_person is not None:
        return _new_person_errors(council, new_person, on)
    return {}


def _postcode_errors(
    district: District | None,
    service_user: ServiceUser | None,
    new_person: Mapping[str, Any] | None,
    postcode_confirmed: bool,
) -> dict[str, str]:
    """A postcode outside the district is sent only once the sender confirms it."""
    postcode = service_user.postcode if service_user is not None else ""
    if new_person is not None:
        postcode = new_person.get("postcode") or ""
    outside = postcode_outside(district, postcode)
    if outside is not None and not postcode_confirmed:
        return {"confirm_postcode": outside.message}
    return {}


def _source_errors(fields: Mapping[str, Any]) -> dict[str, str]:
    """Where the referral comes from: a hospital and ward, or a district team."""
    errors: dict[str, str] = {}
    source = fields.get("source")
    if source == Source.HOSPITAL:
        if not (fields.get("hospital") or "").strip():
            errors["hospital"] = "Enter the hospital the person is leaving"
        if not (fields.get("ward") or "").strip():
            errors["ward"] = "Enter the ward the person is on"
    elif source == Source.DISTRICT_TEAM and not (fields.get("district_team") or "").strip():
        errors["district_team"] = "Enter the district team making the referral"
    return errors


def _consent_errors(fields: Mapping[str, Any]) -> dict[str, str]:
    # Not given at all is no consent; None is an answer a form could not read.
    consent = fields.get("consent_to_share", False)
    if consent is False and not (fields.get("mca_best_interest") or "").strip():
        return {
            "consent_to_share": (
                "The person must consent to share their information, or record the MCA best "
                "interest decision"
            )
        }
    return {}


def _referral_date_errors(fields: Mapping[str, Any], on: date) -> dict[str, str]:
    """The referral's own dates lie between 1900 and 2100 (core.bounds), and the form was not
    completed in the future."""
    errors: dict[str, str] = {}
    for name in REFERRAL_DATES:
        day = fields.get(name)
        if day is not None and not date_in_bounds(day):
            errors[name] = DATE_OUT_OF_RANGE_MESSAGE
    completed_on = fields.get("completed_on")
    if completed_on is not None and "completed_on" not in errors and completed_on > on:
        errors["completed_on"] = "The date the form was completed cannot be in the future"
    return errors


def _new_person_errors(council: Council, person: Mapping[str, Any], on: date) -> dict[str, str]:
    errors = {
        name: message for name, message in NEW_PERSON_REQUIRED.items() if not person.get(name)
    }
    born = person.get("date_of_birth")
    if born is not None and not date_in_bounds(born):
        errors["date_of_birth"] = DATE_OUT_OF_RANGE_MESSAGE
    elif born is not None and born >= on:
        errors["date_of_birth"] = "The date of birth must be in the past"
    postcode = person.get("postcode") or ""
    if postcode and not postcode_is_valid(postcode):
        errors["postcode"] = POSTCODE_MESSAGE
    if nhs_number := person.get("nhs_number") or "":
        try:
            validate_nhs_number(nhs_number)
        except ValidationError as error:
            errors["nhs_number"] = error.messages[0]
    known = ServiceUser.objects.filter(council=council)
    ss_ref = (person.get("ss_ref") or "").strip()
    if ss_ref and known.filter(ss_ref__iexact=ss_ref).exists():
        errors["ss_ref"] = (
            "A service user with this SS Ref already exists: enter it as the SS Ref of an "
            "existing service user instead"
        )
    nhs_number = normalise_nhs_number(person.get("nhs_number") or "")
    if nhs_number and known.filter(nhs_number=nhs_number).exists():
        errors["nhs_number"] = (
            "A service user with this NHS number already exists: enter their SS Ref as an "
            "existing service user instead"
        )
    return errors


# --- The provider's answers ----------------------------------------------------------------------


def _received_on(referral: Referral) -> date:
    return to_london(referral.received_at).date()


def provider_update_check(
    referral: Referral,
    *,
    care_start_date: date | None,
    predicted_end_date: date | None,
    needs_changed: bool | None,
    needs_change_details: str | None,
    completed_by: str | None,
    completed_on: date | None,
) -> None:
    """The provider update says how a service has started: so it has started, and after the
    referral arrived."""
    errors: dict[str, str] = {}
    on = today()
    received = _received_on(referral)
    if care_start_date is not None:
        if care_start_date > on:
            errors["care_start_date"] = (
                "The start date cannot be in the future: send the update once the service has "
                "started"
            )
        elif care_start_date < received:
            errors["care_start_date"] = (
                f"The start date cannot be before the referral was received on "
                f"{guide_date(received)}"
            )
    if (
        predicted_end_date is not None
        and care_start_date is not None
        and predicted_end_date < care_start_date
    ):
        errors["predicted_end_date"] = "The predicted end date must be on or after the start date"
    if needs_changed and not (needs_change_details or "").strip():
        errors["needs_change_details"] = "Describe the changes to the needs or package"
    if completed_by is not None and not completed_by.strip():
        errors["completed_by"] = "Enter who completed this update"
    if completed_on is not None:
        if completed_on > on:
            errors["completed_on"] = "The date cannot be in the future"
        elif care_start_date is not None and completed_on < care_start_date:
            errors["completed_on"] = "The date of this update cannot be before the start date"
    _errors(errors)


def visit_actuals_check(
    referral: Referral,
    *,
    start_date: date | None,
    end_date: date | None,
    visits_delivered: int | None,
    hours_delivered: Decimal | None,
) -> None:
    """The visits and hours really delivered: between the referral and today, ending no earlier
    than the first visit, in quarter hours."""
    errors: dict[str, str] = {}
    on = today()
    received = _received_on(referral)
    if start_date is not None:
        if start_date > on:
            errors["start_date"] = "The start date cannot be in the future"
        elif start_date < received:
            errors["start_date"] = (
                f"The start date cannot be before the referral was received on "
                f"{guide_date(received)}"
            )
    if end_date is not None:
        first_visit = to_london(referral.first_visit_at).date() if referral.first_visit_at else None
        if end_date > on:
            errors["end_date"] = (
                "The end date cannot be in the future: send actuals on the last day"
            )
        elif start_date is not None and end_date < start_date:
            errors["end_date"] = "The end date must be on or after the start date"
        elif first_visit is not None and end_date < first_visit:
            errors["end_date"] = (
                f"The end date cannot be before the first visit on {guide_date(first_visit)}"
            )
    if hours_delivered is not None and (hours_delivered < 0 or hours_delivered % HOURS_STEP):
        errors["hours_delivered"] = QUARTER_HOURS_MESSAGE
    if visits_delivered is not None and visits_delivered < 0:
        errors["visits_delivered"] = "Visits must be 0 or more"
    _errors(errors)
