"""The Client Level Data return: its rows from the portal's events, the validation before
download (record and field named), the download refused or offered with the failures listed,
audited, scoped to the reader's council, and read in a fixed number of queries."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.contracts.choices import CpliStatus
from carebridge.contracts.models import Cpli
from carebridge.contracts.service_levels import service_level_settings_update
from carebridge.core.calendar import today
from carebridge.people import cld
from carebridge.people.models import ServiceUser
from carebridge.people.services import cld_details_update, service_user_update
from carebridge.reports.cld.fields import FIELDS
from carebridge.reports.cld.forms import current_quarter_end
from carebridge.reports.cld.records import Period, return_records
from carebridge.reports.cld.services import la_code_set
from carebridge.reports.cld.validation import validate
from tests.support import TwoCouncilProvider, client_for, make_user

pytestmark = pytest.mark.django_db

PAGE = "/reports/client-level-data/"
DOWNLOAD = "/reports/client-level-data/download.csv"


def _period() -> Period:
    return Period.ending(current_quarter_end(today()))


def _query() -> str:
    return f"?quarter_end={current_quarter_end(today()).isoformat()}"


def _complete(two: TwoCouncilProvider) -> None:
    """Everything the weekly council's return asks of its one person, level and council."""
    council = two.weekly
    admin = make_user(council=council, role="council_administrator")
    la_code_set(by=admin, council=council, la_code="E10000020")
    level = two.weekly_level
    service_level_settings_update(
        by=admin,
        level=level,
        hospital_retainer_weeks=level.hospital_retainer_weeks,
        vat_rate=level.vat_rate,
        extras_allowed=level.extras_allowed,
        fixed_hours=level.fixed_hours,
        cost_centre=level.cost_centre,
        is_active=level.is_active,
        cld_service_component="Home Support",
    )
    person = two.weekly_person
    service_user_update(person=person, by=two.weekly_broker, nhs_number="943 476 5919",
                        postcode="NG22 9TE")  # fmt: skip
    cld_details_update(
        by=two.weekly_broker,
        service_user=person,
        gender=cld.Gender.FEMALE,
        ethnicity=cld.Ethnicity.BRITISH,
        primary_support_reason=cld.PrimarySupportReason.PERSONAL_CARE,
        accommodation_status=cld.AccommodationStatus.OWNER,
        has_unpaid_carer=cld.UnpaidCarer.NO,
        client_funding_status=cld.ClientFundingStatus.FULLY_FUNDED,
    )


def test_a_person_without_their_details_is_reported_by_record_and_field(two_council_provider):
    two = two_council_provider
    failures = validate(return_records(two.weekly.pk, _period()))
    reference = f"SRV-{two.weekly_cpli.pk}"
    assert {(f.reference, f.person, f.field) for f in failures} == {
        (reference, "AS1001", field)
        for field in (
            "LA_Code",
            "NHS_Number",
            "Gender",
            "Ethnicity",
            "Postcode",
            "Accommodation_Status",
            "Has_Unpaid_Carer",
            "Primary_Support_Reason",
            "Client_Funding_Status",
            "Service_Component",
        )
    }
    # The person is named by SS Ref, never by name.
    assert not any("Pemberton" in f.message or "Iris" in f.person for f in failures)


def test_once_recorded_the_service_event_passes_with_its_costs(two_council_provider):
    two = two_council_provider
    _complete(two)
    (row,) = return_records(two.weekly.pk, _period())
    assert validate([row]) == []
    v = row.values
    assert v["Event_Reference"] == f"SRV-{two.weekly_cpli.pk}"
    assert v["Event_Type"] == "Service" and v["Client_Type"] == "Service User"
    assert v["LA_Person_Unique_Identifier"] == "AS1001"
    assert v["NHS_Number"] == "9434765919"
    assert v["Unit_Cost"] == "18.50"
    assert v["Cost_Frequency_Unit_Type"] == "Hourly"
    assert v["Planned_units_per_week"] == "10.00"
    assert v["Event_Outcome"] == "Continuation of support or services"
    assert v["Event_End_Date"] == ""
    start = two.weekly_cpli.start_date
    assert v["Event_Start_Date"] == f"{start.day:02d}/{start.month:02d}/{start.year}"
    assert v["Date_of_Birth"] == "02/06/1938"


def test_an_invalid_nhs_number_is_reported(two_council_provider):
    two = two_council_provider
    _complete(two)
    # The last digit one off the check digit (943 476 5919 is valid).
    ServiceUser.objects.filter(pk=two.weekly_person.pk).update(nhs_number="9434765918")
    failures = validate(return_records(two.weekly.pk, _period()))
    assert [(f.field, f.message) for f in failures] == [
        ("NHS_Number", "The NHS number is not valid: check its digits")
    ]


def test_a_learning_disability_at_working_age_needs_employment_status(two_council_provider):
    two = two_council_provider
    _complete(two)
    ServiceUser.objects.filter(pk=two.weekly_person.pk).update(
        date_of_birth=date(1990, 1, 1),
        primary_support_reason=cld.PrimarySupportReason.LEARNING_DISABILITY,
    )
    failures = validate(return_records(two.weekly.pk, _period()))
    assert [f.field for f in failures] == ["Employment_Status"]


def test_the_latest_version_of_an_event_wins(two_council_provider):
    two = two_council_provider
    _complete(two)
    Cpli.objects.filter(pk=two.weekly_cpli.pk).update(rate=Decimal("19.75"))
    rows = [r for r in return_records(two.weekly.pk, _period()) if r.reference.startswith("SRV")]
    assert [(r.reference, r.values["Unit_Cost"]) for r in rows] == [
        (f"SRV-{two.weekly_cpli.pk}", "19.75")
    ]


def test_a_cancelled_line_is_left_out(two_council_provider):
    two = two_council_provider
    _complete(two)
    Cpli.objects.filter(pk=two.weekly_cpli.pk).update(status=CpliStatus.REJECTED)
    assert return_records(two.weekly.pk, _period()) == []


def test_another_councils_records_never_appear(two_council_provider):
    two = two_council_provider
    _complete(two)
    references = {r.reference for r in return_records(two.weekly.pk, _period())}
    assert references == {f"SRV-{two.weekly_cpli.pk}"}
    page = client_for(two.weekly_broker).get(PAGE + _query())
    assert f"SRV-{two.four_weekly_cpli.pk}" not in page.content.decode()


def test_the_download_is_refused_while_a_record_fails(two_council_provider):
    two = two_council_provider
    browser = client_for(two.weekly_broker)
    page = browser.get(PAGE + _query()).content.decode()
    assert "Download with 10 failures listed" in page
    assert "Download the return as CSV" not in page
    assert browser.get(DOWNLOAD + _query()).status_code == 409
    assert browser.get(DOWNLOAD + _query() + "&with_failures=9").status_code == 409

    listed = browser.get(DOWNLOAD + _query() + "&with_failures=10")
    assert listed.status_code == 200 and listed["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(listed.content))
    names = sorted(archive.namelist())
    assert len(names) == 2 and names[0].endswith("-failures.csv")
    failures = list(csv.reader(io.StringIO(archive.read(names[0]).decode("utf-8-sig"))))
    assert failures[0] == ["Event_Reference", "SS Ref", "Field", "Problem"]
    assert len(failures) == 11
    assert failures[1 + 2][1:3] == ["AS1001", "Gender"]


def test_the_clean_return_downloads_as_csv_in_the_fields_order_and_is_audited(
    two_council_provider,
):
    two = two_council_provider
    _complete(two)
    browser = client_for(two.weekly_broker)
    page = browser.get(PAGE + _query()).content.decode()
    assert "Every record passes" in page
    response = browser.get(DOWNLOAD + _query())
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == FIELDS
    assert rows[1][FIELDS.index("LA_Code")] == "E10000020"
    assert rows[1][FIELDS.index("Event_Reference")] == f"SRV-{two.weekly_cpli.pk}"
    events = Event.objects.filter(actor=two.weekly_broker, action__startswith="reports.report")
    assert sorted(events.values_list("action", "council_id", "detail")) == [
        ("reports.report_downloaded", two.weekly.pk,
         {"report": "client-level-data", "format": "csv", "count": 1}),
        ("reports.report_viewed", two.weekly.pk, {"report": "client-level-data", "count": 1}),
    ]  # fmt: skip


def test_formula_like_text_is_made_safe_in_the_file(two_council_provider):
    two = two_council_provider
    _complete(two)
    ServiceUser.objects.filter(pk=two.weekly_person.pk).update(gp_practice="=HYPERLINK(1)")
    response = client_for(two.weekly_broker).get(DOWNLOAD + _query())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][FIELDS.index("GP_Practice_Name")] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("role", "status"),
    [("broker", 200), ("payments_officer", 200), ("council_administrator", 200),
     ("front_door_officer", 403)],
)  # fmt: skip
def test_council_staff_who_read_reports_may_use_it(two_council_provider, role, status):
    user = make_user(council=two_council_provider.weekly, role=role)
    assert client_for(user).get(PAGE).status_code == status
    assert client_for(user).get(DOWNLOAD + _query()).status_code in {status, 409}


def test_provider_users_may_not(two_council_provider):
    browser = client_for(two_council_provider.carer)
    assert browser.get(PAGE).status_code == 403
    assert browser.get(DOWNLOAD + _query()).status_code == 403


def test_only_administrators_set_the_la_code_and_it_is_audited(two_council_provider):
    two = two_council_provider
    assert (
        client_for(two.weekly_broker)
        .post(reverse("reports:cld_la_code"), {"la_code": "E10000020"})
        .status_code
        == 403
    )
    admin = make_user(council=two.weekly, role="council_administrator")
    bad = client_for(admin).post(reverse("reports:cld_la_code"), {"la_code": "X1"})
    assert bad.status_code == 400
    client_for(admin).post(reverse("reports:cld_la_code"), {"la_code": "e10000020"})
    two.weekly.refresh_from_db()
    assert two.weekly.la_code == "E10000020"
    event = Event.objects.get(action="council.la_code_set")
    assert (event.before, event.after) == ({"la_code": ""}, {"la_code": "E10000020"})


def test_the_return_reads_the_same_number_of_queries_whatever_its_size(
    two_council_provider, django_assert_num_queries
):
    two = two_council_provider
    line = two.weekly_cpli
    for _ in range(5):
        Cpli.objects.create(
            council=line.council, provider=line.provider, service=line.service,
            service_user=line.service_user, service_level=line.service_level,
            document=line.document, care_package_reference="CP-more", quantity=Decimal("2"),
            unit=line.unit, rate=Decimal("18.50"), pricing_basis=line.pricing_basis,
            start_date=line.start_date, status=CpliStatus.ACTIVE,
        )  # fmt: skip
    # The council's code, then one query each for requests, referrals, services and reviews.
    with django_assert_num_queries(5):
        assert len(return_records(two.weekly.pk, _period())) == 6


def test_an_administrator_sets_a_levels_cld_fields_on_its_settings_page(two_council_provider):
    two = two_council_provider
    admin = make_user(council=two.weekly, role="council_administrator")
    level = two.weekly_level
    response = client_for(admin).post(
        reverse("contracts:service_level_edit", args=[level.pk]),
        {
            "hospital_retainer_weeks": "2",
            "vat_rate": "0",
            "extras_allowed": "yes",
            "fixed_hours": "no",
            "cost_centre": "",
            "is_active": "yes",
            "cld_service_type": "Long Term Support: Nursing Care",
            "cld_service_component": "  Home   Support ",
            "cld_delivery_mechanism": "Direct Payment",
        },
    )
    assert response.status_code == 302
    level.refresh_from_db()
    assert (level.cld_service_type, level.cld_service_component, level.cld_delivery_mechanism) == (
        "Long Term Support: Nursing Care",
        "Home Support",
        "Direct Payment",
    )
    event = Event.objects.filter(action="service_level.updated").latest("pk")
    assert set(event.after) == {
        "cld_service_type",
        "cld_service_component",
        "cld_delivery_mechanism",
    }
