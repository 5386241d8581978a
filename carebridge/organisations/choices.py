from django.db import models

from carebridge.core.lifecycle import Lifecycle
from carebridge.core.permissions import Function


class ContractType(models.TextChoices):
    """The kind of contract between a council and a provider; it decides the payment rules."""

    SPOT = "spot", "Spot"
    BLOCK_OLD = "block_old", "Old block"
    BLOCK_2013 = "block_2013", "2013 block"
    BLOCK_2015 = "block_2015", "2015 block"
    FRAMEWORK = "framework", "Framework"


class PaymentMethod(models.TextChoices):
    """How a council pays under one type of contract: the rulebook's choice, never code."""

    ON_INVOICE = "on_invoice", "On invoice"
    SELF_BILLING = "self_billing", "Self-billing from confirmed actuals"
    ON_SCHEDULE = "on_schedule", "On schedule"


class ActualsPeriod(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FOUR_WEEKLY = "four_weekly", "4-weekly"


class FrustratedReason(models.TextChoices):
    """Why a planned quantity was frustrated (not delivered but payable within the council's rules)."""

    HOSPITAL = "hospital", "Hospital admission"
    ABORTED_VISIT = "aborted_visit", "Aborted visit"
    NIGHT_CANCELLED = "night_cancelled", "Night sit or sleep cancelled within 24 hours"
    NIGHT_ENDED = "night_ended", "Night sit or sleep ended by hospital admission or death"


class MissedReason(models.TextChoices):
    """Why a planned quantity was missed (not delivered); the payment rule says which are paid."""

    PLANNED_ABSENCE = "planned_absence", "Planned absence with notice"
    NON_ENGAGEMENT = "non_engagement", "Non-engagement by the person"
    SHORT_NOTICE = "short_notice", "Short-notice cancellation by the person"
    PROVIDER_FAILURE = "provider_failure", "Provider unable to deliver"


# A rulebook lists the reasons it accepts; allowing night cancellations allows both night reasons.
NIGHT_REASONS = frozenset({FrustratedReason.NIGHT_CANCELLED, FrustratedReason.NIGHT_ENDED})


class CsvLayout(models.TextChoices):
    """The columns of a council's actuals CSV files."""

    BASIC = "basic", "Service to Comments (ten columns)"
    WITH_REASONS = (
        "with_reasons",
        "Ten columns, then frustrated reason, visit dates, variation code",
    )


class ConfirmationRule(models.TextChoices):
    """How a council sets the deadline for confirming a period's actuals."""

    WEEKDAY_AFTER = "weekday_after", "By close of business on a given weekday after the period"
    WORKING_DAYS_AFTER = "working_days_after", "A number of working days after the period"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class TeamKind(models.TextChoices):
    BROKERAGE = "brokerage", "Brokerage"
    PAYMENTS = "payments", "Payments and contracts"
    PROCUREMENT = "procurement", "Procurement"
    FRONT_DOOR = "front_door", "Front door"
    SYSTEMS = "systems", "Systems"
    DISTRICT = "district", "District team"
    HOSPITAL = "hospital", "Hospital discharge"
    CHARGING = "charging", "Social care charging"
    SAFEGUARDING = "safeguarding", "Safeguarding"


class ChangeRequestKind(models.TextChoices):
    """What a provider's change request asks for, in the words of the portal's Type column."""

    UPDATE_ORGANISATION = "update_organisation", "Update organisation"
    UPDATE_SERVICE = "update_service", "Update service"
    NEW_CONTACT = "new_contact", "New contact"
    UPDATE_CONTACT = "update_contact", "Update contact"
    REMOVE_ROLE = "remove_role", "Remove role"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


K = ChangeRequestKind
CR = ChangeRequestStatus

# The one table of a change request's decisions: decision -> (states it may be made in, result).
DECISIONS: Lifecycle[ChangeRequestStatus, ChangeRequestStatus] = Lifecycle(
    {
        CR.APPROVED: ({CR.PENDING}, CR.APPROVED),
        CR.REJECTED: ({CR.PENDING}, CR.REJECTED),
    }
)

# What each kind asks, as the end of "Your request to …" and "Review the request to …".
_REQUEST_TO: dict[ChangeRequestKind, str] = {
    K.UPDATE_ORGANISATION: "change the organisation details of {name}",
    K.UPDATE_SERVICE: "change the service details of {name}",
    K.NEW_CONTACT: "add {name} as a new contact",
    K.UPDATE_CONTACT: "change the contact details of {name}",
    K.REMOVE_ROLE: "remove the security role of {name}",
}


def request_to(kind: str, name: str) -> str:
    """What a request of this kind about `name` asks for, to follow "request to"."""
    return _REQUEST_TO[ChangeRequestKind(kind)].format(name=name)


CONTACT_KINDS = frozenset({K.NEW_CONTACT, K.UPDATE_CONTACT, K.REMOVE_ROLE})


def function_of(kind: str) -> Function:
    """The function a kind of request changes: a role must be able to edit it to raise the
    request (a provider) or to decide it (a council)."""
    return Function.CONTACTS if kind in CONTACT_KINDS else Function.ORGANISATION_DETAILS


# The details each kind of request may change, in the order the pages show them.
ADDRESS_FIELDS = (
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "county",
    "postcode",
    "country",
)
# The guides' order: the address, then UPRN and USRN (organisations and services only), then
# the numbers; a contact has no fax.
ORGANISATION_FIELDS = (
    "name",
    *ADDRESS_FIELDS,
    "uprn",
    "usrn",
    "mobile",
    "phone",
    "fax",
    "email",
    "cqc_location_id",
)
SERVICE_FIELDS = ("name", *ADDRESS_FIELDS, "uprn", "usrn", "mobile", "phone", "fax", "email")
CONTACT_FIELDS = (
    "title",
    "first_name",
    "last_name",
    *ADDRESS_FIELDS,
    "mobile",
    "phone",
    "email",
    "role",
)

FIELDS_OF_KIND: dict[ChangeRequestKind, tuple[str, ...]] = {
    K.UPDATE_ORGANISATION: ORGANISATION_FIELDS,
    K.UPDATE_SERVICE: SERVICE_FIELDS,
    K.NEW_CONTACT: CONTACT_FIELDS,
    K.UPDATE_CONTACT: CONTACT_FIELDS,
    K.REMOVE_ROLE: (),
}

# The labels of the details pages, which the request's "Details" column repeats.
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "address_line_1": "Address line 1",
    "address_line_2": "Address line 2",
    "address_line_3": "Address line 3",
    "town": "Town or city",
    "county": "County",
    "postcode": "Postcode",
    "country": "Country",
    "uprn": "UPRN",
    "usrn": "USRN",
    "mobile": "Mobile",
    "phone": "Telephone",
    "fax": "Fax",
    "email": "E-mail",
    "cqc_location_id": "CQC provider ID",
    "title": "Title",
    "first_name": "First name",
    "last_name": "Last name",
    "role": "Security role",
}
