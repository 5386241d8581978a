"""The return's checks before download: the mandatory and conditional rules of DOMAIN.md 2.3,
the sourced code lists of 2.4 (a value outside one is invalid; an unsourced list is checked for
presence only), the NHS number's check digit, the postcode's shape and the LA code's.

Each failure names the event's reference, the person by SS Ref (never by name: the report is
read by people who may not see every client) and the field, with what to do about it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from carebridge.contracts.choices import CldDeliveryMechanism
from carebridge.core import calendar
from carebridge.people.cld import PrimarySupportReason
from carebridge.people.validators import nhs_number_is_valid, postcode_is_valid
from carebridge.reports.cld import fields as f
from carebridge.reports.cld.records import Record

ALWAYS = (
    "LA_Code",
    "Reporting_Period_Start_Date",
    "Reporting_Period_End_Date",
    "NHS_Number",
    "LA_Person_Unique_Identifier",
    "Gender",
    "Ethnicity",
    "Date_of_Birth",
    "Client_Type",
    "Postcode",
    "Accommodation_Status",
    "Has_Unpaid_Carer",
)
# Service components after which a service's costs are mandatory whatever its type.
SHORT_TERM_COMPONENTS = frozenset(
    {"Short Term Residential Care", "Short Term Nursing Care", "Carer Respite"}
)
COST_FIELDS = ("Unit_Cost", "Cost_Frequency_Unit_Type", "Planned_units_per_week")
DATE_FIELDS = (
    "Reporting_Period_Start_Date",
    "Reporting_Period_End_Date",
    "Date_of_Birth",
    "Date_of_Death",
    "Event_Start_Date",
    "Event_End_Date",
)
PLANNED = "Planned"
# England's councils' ONS codes: E, then eight digits (E10000020).
_LA_CODE = re.compile(r"E[0-9]{8}")
_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")


@dataclass(frozen=True)
class Failure:
    reference: str
    person: str  # the SS Ref, or "" for a request about someone not on the council's records
    field: str
    message: str
    record: Record


def _parsed(value: str) -> date | None:
    match = _DATE.fullmatch(value)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _age_on(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def mandatory_fields(record: Record) -> list[str]:
    """The fields this record must give, by the rules of DOMAIN.md 2.3 for its event."""
    v = record.values
    event, client = v["Event_Type"], v["Client_Type"]
    service_user = client == f.SERVICE_USER
    needed = list(ALWAYS)
    if client != f.CARER_BY_ASSOCIATION:
        needed += ["Event_Type", "Event_Start_Date"]
    if event != f.REQUEST:
        needed.append("Primary_Support_Reason")
    ends_on = _parsed(v["Reporting_Period_End_Date"]) or calendar.today()
    if (
        service_user
        and v["Primary_Support_Reason"] == PrimarySupportReason.LEARNING_DISABILITY
        and (age := _age_on(record.date_of_birth, ends_on)) is not None
        and 18 <= age <= 64
    ):
        needed.append("Employment_Status")
    if service_user and event in (f.SERVICE, f.REVIEW):
        needed.append("Client_Funding_Status")
    if event != f.SERVICE or v["Date_of_Death"]:
        needed.append("Event_End_Date")
    needed.append("Event_Outcome")
    if event == f.REQUEST:
        needed.append("Request_Route_of_Access")
    if event == f.SERVICE:
        needed += ["Service_Type", "Service_Component"]
        if _costs_mandatory(v["Delivery_Mechanism"], v["Service_Type"], v["Service_Component"]):
            needed += COST_FIELDS
    if event == f.REVIEW:
        needed += ["Review_Reason", "Method_of_Review"]
        if v["Review_Reason"] == PLANNED:
            needed.append("Review_Outcomes_Achieved")
    return needed


def _costs_mandatory(mechanism: str, service_type: str, component: str) -> bool:
    return mechanism != CldDeliveryMechanism.COMMISSIONED and (
        service_type.startswith("Long Term")
        or component in SHORT_TERM_COMPONENTS
        or service_type.startswith("Carer Support")
    )


def _invalid(record: Record) -> Iterator[tuple[str, str]]:
    """(field, message) for each given value the return would refuse."""
    v = record.values
    for field, allowed in f.SOURCED_LISTS.items():
        if v[field] and v[field] not in allowed:
            yield field, f"{field} is not one of the return's values: {v[field]!r}"
    if v["NHS_Number"] and not nhs_number_is_valid(v["NHS_Number"]):
        yield "NHS_Number", "The NHS number is not valid: check its digits"
    if v["Postcode"] and not postcode_is_valid(v["Postcode"]):
        yield "Postcode", "The postcode is not a real postcode's shape"
    if v["LA_Code"] and not _LA_CODE.fullmatch(v["LA_Code"]):
        yield "LA_Code", "The LA code must be the council's ONS code, like E10000020"
    for field in DATE_FIELDS:
        if v[field] and _parsed(v[field]) is None:
            yield field, f"{field} must be a date written dd/mm/yyyy"
    starts, ends = _parsed(v["Event_Start_Date"]), _parsed(v["Event_End_Date"])
    if starts and ends and ends < starts:
        yield "Event_End_Date", "The event ends before it starts"


def record_failures(record: Record) -> Iterator[Failure]:
    for field in mandatory_fields(record):
        if not record.values[field].strip():
            message = (
                f"{field} is blank, and this {record.values['Event_Type'] or 'event'} must give it"
            )
            yield Failure(record.reference, record.ss_ref, field, message, record)
    for field, message in _invalid(record):
        yield Failure(record.reference, record.ss_ref, field, message, record)


def validate(records: Iterable[Record]) -> list[Failure]:
    """Every failure of every record, in the records' order; a reference given twice is one."""
    failures: list[Failure] = []
    seen: set[str] = set()
    for record in records:
        if record.reference in seen:
            failures.append(
                Failure(
                    record.reference,
                    record.ss_ref,
                    "Event_Reference",
                    "Two rows have this reference: each event must be sent once",
                    record,
                )
            )
        seen.add(record.reference)
        failures.extend(record_failures(record))
    return failures
