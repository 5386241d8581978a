"""The return's rows: one per event, read from the portal's own records for a rolling 12
months, in a fixed number of queries (one per kind of event, and the council's code).

- **Request events**: front-door requests the council triaged in the period (sent to its queue
  and decided; a journey that ended in signposting alone never reached the council), route of
  access "Community / Other route" (the default for residents, professionals and carers,
  DOMAIN.md 2.4); and hospital referrals a provider accepted in the period, route "Discharge
  from Hospital". A referral still pending or refused is not a completed request (the council
  sends it on); a withdrawn one is cancelled, and cancelled events are excluded.
- **Service events**: CPLIs agreed (active or ended) that ran on any day of the period. A
  proposed line is not yet a service; a rejected one was cancelled.
- **Review events**: package reviews (Bradford's non-engagement reviews) whose action the
  operational team closed in the period, the one sign the portal has that the review was done.

Each event's reference is its record's own and never changes ("REQ-<pk>", "REQ-H<referral
pk>", "SRV-<CPLI pk>", "REV-<pk>"), and its row is read from the record as it stands, so a
later change to the record (a rate, an end date, a person's details) replaces the row under the
same reference: the latest version wins."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, Subquery

from carebridge.actions.models import Action
from carebridge.actuals.models import PackageReview
from carebridge.contracts.choices import CpliStatus, Unit
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import london_midnight
from carebridge.core.formats import guide_date
from carebridge.frontdoor.choices import About, Decision, Route
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.organisations.models import Council
from carebridge.people.validators import format_nhs_number
from carebridge.referrals.choices import FailureReason, ReferralStatus, Source
from carebridge.referrals.models import Referral
from carebridge.reports.cld import fields as f
from carebridge.reports.cld.fields import Outcome

CHUNK = 2000

# A service user's columns as each query reads them, after its own prefix.
_PERSON = (
    "id",
    "ss_ref",
    "nhs_number",
    "date_of_birth",
    "postcode",
    "gp_practice",
    "date_of_death",
    *f.PERSON_FIELDS.values(),
)

# The service level's unit -> Cost_Frequency_Unit_Type, in the frequencies DHSC's cost pipeline
# recognises (DOMAIN.md 2.5). A night is priced once a night, so once a day: DHSC has no
# "nightly" frequency, and its pipeline costs a daily rate as rate x planned units a week,
# which is what a night's rate x nights a week is.
FREQUENCY = {
    Unit.HOURS: "Hourly",
    Unit.SESSIONS: "Per session",
    Unit.NIGHTS: "Daily",
    Unit.WEEKS: "Weekly",
}

_DECISION_OUTCOME = {
    Decision.ASSESSMENT: Outcome.TO_ASSESSMENT,
    # Redirected to the service that fits: the person was given information and sent on.
    Decision.REDIRECTED: Outcome.SIGNPOSTING,
    Decision.NO_FURTHER_ACTION: Outcome.OTHER,
}

_FAILURE_OUTCOME = {
    FailureReason.DECLINED: Outcome.DECLINED,
    FailureReason.NOT_DISCHARGED: Outcome.ADMITTED,
    FailureReason.READMITTED: Outcome.ADMITTED,
    FailureReason.DIED: Outcome.DECEASED,
    FailureReason.OTHER_SUPPORT: Outcome.OTHER,
    FailureReason.OTHER: Outcome.OTHER,
}

S = ReferralStatus
WEEKS_A_YEAR = Decimal(52)
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """A rolling 12 months ending on a quarter's last day, both days included."""

    starts: date
    ends: date

    @classmethod
    def ending(cls, quarter_end: date) -> Period:
        return cls(starts=_year_before(quarter_end), ends=quarter_end)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as moments: from London midnight of its first day to that of the day
        after its last (a moment is in it when first <= moment < after)."""
        after = date.fromordinal(self.ends.toordinal() + 1)
        return london_midnight(self.starts), london_midnight(after)


def _year_before(quarter_end: date) -> date:
    """The first day of the 12 months that end on `quarter_end` (30/09/2026 -> 01/10/2025)."""
    month = quarter_end.month % 12 + 1
    year = quarter_end.year if month != 1 else quarter_end.year + 1
    return date(year - 1, month, 1)


@dataclass(frozen=True)
class Record:
    """One row of the return: its values by field name (as the file writes them), and what the
    validation report needs to say whose row it is and where to fix it."""

    reference: str
    values: Mapping[str, str]
    council_id: int
    ss_ref: str  # the person's SS Ref; "" for a request about someone not on the council's records
    service_user_id: int | None = None
    service_level_id: int | None = None
    front_door_request_id: int | None = None
    date_of_birth: date | None = None


def _day(moment: datetime | date | None) -> str:
    return guide_date(moment)


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(HUNDREDTH)}"


def _person(row: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {name: row[f"{prefix}{name}"] for name in _PERSON}


def _person_values(person: Mapping[str, Any]) -> dict[str, str]:
    values = {
        "NHS_Number": format_nhs_number(person["nhs_number"]).replace(" ", ""),
        "LA_Person_Unique_Identifier": person["ss_ref"] or "",
        "GP_Practice_Name": person["gp_practice"] or "",
        "Date_of_Birth": _day(person["date_of_birth"]),
        "Postcode": person["postcode"] or "",
        "Date_of_Death": _day(person["date_of_death"]),
    }
    for field, name in f.PERSON_FIELDS.items():
        values[field] = person[name] or ""
    return values


def _record(
    *,
    council_id: int,
    reference: str,
    person: Mapping[str, Any] | None,
    common: Mapping[str, str],
    event: Mapping[str, str],
    **links: Any,
) -> Record:
    dob = links.pop("date_of_birth", None)
    values = dict.fromkeys(f.FIELDS, "")
    values.update(common)
    if person is not None:
        values.update(_person_values(person))
    values.update(event)
    values["Event_Reference"] = reference
    return Record(
        reference=reference,
        values=values,
        council_id=council_id,
        ss_ref=person["ss_ref"] if person else "",
        service_user_id=person["id"] if person else None,
        date_of_birth=person["date_of_birth"] if person else dob,
        **links,
    )


def _values(queryset: Any, *names: str, person: str) -> Iterator[dict[str, Any]]:
    columns = [*names, *(f"{person}{name}" for name in _PERSON)]
    for row in queryset.values_list(*columns).iterator(chunk_size=CHUNK):
        yield dict(zip(columns, row, strict=True))


def front_door_requests(
    council_id: int, period: Period, common: Mapping[str, str]
) -> Iterator[Record]:
    first, after = period.bounds()
    requests = (
        FrontDoorRequest.objects.filter(
            council_id=council_id,
            route=Route.QUEUE,
            decided_at__gte=first,
            decided_at__lt=after,
        )
        .exclude(decision="")
        .order_by("pk")
    )
    names = (
        "pk",
        "reference",
        "about",
        "decision",
        "submitted_at",
        "decided_at",
        "person_date_of_birth",
        "postcode",
        "service_user_id",
    )
    for row in _values(requests, *names, person="service_user__"):
        person = _person(row, "service_user__") if row["service_user_id"] else None
        event = {
            "Client_Type": f.CARER if row["about"] == About.CARER else f.SERVICE_USER,
            "Event_Type": f.REQUEST,
            "Event_Start_Date": _day(row["submitted_at"]),
            "Event_End_Date": _day(row["decided_at"]),
            "Event_Description": f"Front-door request {row['reference']}",
            "Event_Outcome": _DECISION_OUTCOME[Decision(row["decision"])],
            "Request_Route_of_Access": f.COMMUNITY_ROUTE,
        }
        if person is None:
            # What the request itself holds about someone not on the council's records.
            event["Date_of_Birth"] = _day(row["person_date_of_birth"])
            event["Postcode"] = row["postcode"] or ""
        yield _record(
            council_id=council_id,
            reference=f"REQ-{row['pk']}",
            person=person,
            common=common,
            event=event,
            front_door_request_id=row["pk"],
            date_of_birth=row["person_date_of_birth"],
        )


def hospital_referrals(
    council_id: int, period: Period, common: Mapping[str, str]
) -> Iterator[Record]:
    first, after = period.bounds()
    referrals = Referral.objects.filter(
        council_id=council_id,
        source=Source.HOSPITAL,
        status__in=(S.ACCEPTED, S.UPDATED, S.COMPLETED, S.FAILED),
        answered_at__gte=first,
        answered_at__lt=after,
    ).order_by("pk")
    names = ("pk", "received_at", "answered_at", "status", "failure_reason", "hospital")
    for row in _values(referrals, *names, person="service_user__"):
        failed = row["status"] == S.FAILED and row["failure_reason"]
        outcome = (
            _FAILURE_OUTCOME[FailureReason(row["failure_reason"])]
            if failed
            else Outcome.TO_SERVICES
        )
        event = {
            "Client_Type": f.SERVICE_USER,
            "Event_Type": f.REQUEST,
            "Event_Start_Date": _day(row["received_at"]),
            "Event_End_Date": _day(row["answered_at"]),
            "Event_Description": "Hospital discharge referral",
            "Event_Outcome": outcome,
            "Request_Route_of_Access": f.HOSPITAL_ROUTE,
        }
        yield _record(
            council_id=council_id,
            reference=f"REQ-H{row['pk']}",
            person=_person(row, "service_user__"),
            common=common,
            event=event,
        )


def _planned_a_week(quantity: Decimal, allocation: Decimal | None) -> Decimal:
    """A weekly line's quantity; for a short break (nights taken as needed, up to an allocation
    a year) its allocation spread over the year's 52 weeks, the average the council plans for."""
    if allocation is not None:
        return (allocation / WEEKS_A_YEAR).quantize(HUNDREDTH)
    return quantity


def _service_outcome(
    end: date | None, ordered_end: date | None, died: date | None, period: Period
) -> str:
    if end is None or end > period.ends:
        return Outcome.CONTINUATION
    if died is not None and died <= end:
        return Outcome.DECEASED
    return Outcome.ENDED_AS_PLANNED if end == ordered_end else Outcome.ENDED_OTHER


def services(council_id: int, period: Period, common: Mapping[str, str]) -> Iterator[Record]:
    lines = Cpli.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.starts),
        council_id=council_id,
        status__in=(CpliStatus.ACTIVE, CpliStatus.ENDED),
        start_date__lte=period.ends,
    ).order_by("pk")
    names = (
        "pk",
        "start_date",
        "end_date",
        "ordered_end_date",
        "rate",
        "quantity",
        "yearly_allocation",
        "service_level_id",
        "service_level__name",
        "service_level__unit",
        "service_level__cld_service_type",
        "service_level__cld_service_component",
        "service_level__cld_delivery_mechanism",
    )
    for row in _values(lines, *names, person="service_user__"):
        person = _person(row, "service_user__")
        end = row["end_date"]
        event = {
            "Client_Type": f.SERVICE_USER,
            "Event_Type": f.SERVICE,
            "Event_Start_Date": _day(row["start_date"]),
            # An end after the period is still to come: the service is open at its end.
            "Event_End_Date": _day(end) if end is not None and end <= period.ends else "",
            "Event_Description": row["service_level__name"],
            "Event_Outcome": _service_outcome(
                end, row["ordered_end_date"], person["date_of_death"], period
            ),
            "Service_Type": row["service_level__cld_service_type"],
            "Service_Component": row["service_level__cld_service_component"],
            "Delivery_Mechanism": row["service_level__cld_delivery_mechanism"],
            "Unit_Cost": _number(row["rate"]),
            "Cost_Frequency_Unit_Type": FREQUENCY[Unit(row["service_level__unit"])],
            "Planned_units_per_week": _number(
                _planned_a_week(row["quantity"], row["yearly_allocation"])
            ),
        }
        yield _record(
            council_id=council_id,
            reference=f"SRV-{row['pk']}",
            person=person,
            common=common,
            event=event,
            service_level_id=row["service_level_id"],
        )


# Asked because the person stopped engaging with their care, not at the planned annual review.
UNPLANNED = "Unplanned"


def reviews(council_id: int, period: Period, common: Mapping[str, str]) -> Iterator[Record]:
    """The portal records that the review was asked for and when its action closed, not how it
    was carried out nor what it concluded: Method_of_Review and Event_Outcome are left blank,
    and validation names them, for the council to complete from its case record."""
    first, after = period.bounds()
    closed = Action.objects.filter(pk=OuterRef("action_id")).values("closed_at")[:1]
    done = (
        PackageReview.objects.filter(council_id=council_id, action_id__isnull=False)
        .annotate(closed_at=Subquery(closed))
        .filter(closed_at__gte=first, closed_at__lt=after)
        .order_by("pk")
    )
    for row in _values(done, "pk", "raised_at", "closed_at", person="service_user__"):
        event = {
            "Client_Type": f.SERVICE_USER,
            "Event_Type": f.REVIEW,
            "Event_Start_Date": _day(row["raised_at"]),
            "Event_End_Date": _day(row["closed_at"]),
            "Event_Description": "Package review after weeks of non-engagement",
            "Review_Reason": UNPLANNED,
        }
        yield _record(
            council_id=council_id,
            reference=f"REV-{row['pk']}",
            person=_person(row, "service_user__"),
            common=common,
            event=event,
        )


def return_records(council_id: int, period: Period) -> list[Record]:
    """Every row of the council's return for the period, requests first, each kind in the order
    its records were made: five queries whatever the council's size."""
    la_code = Council.objects.filter(pk=council_id).values_list("la_code", flat=True).first()
    common = {
        "LA_Code": la_code or "",
        "Reporting_Period_Start_Date": _day(period.starts),
        "Reporting_Period_End_Date": _day(period.ends),
    }
    records: list[Record] = []
    for source in (front_door_requests, hospital_referrals, services, reviews):
        records.extend(source(council_id, period, common))
    return records
