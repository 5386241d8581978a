"""The return's field names in `../shared/DOMAIN.md` section 2.3's order (the file's headings)
and the code lists of section 2.4 that have a published source. Lists with no source (gender,
accommodation, funding, employment, service component, review reason, method of review) are
checked for presence only (`validation.py`)."""

from __future__ import annotations

from carebridge.contracts.choices import CldDeliveryMechanism, CldServiceType
from carebridge.people import cld

FIELDS: tuple[str, ...] = (
    # Submission information
    "LA_Code",
    "Reporting_Period_Start_Date",
    "Reporting_Period_End_Date",
    # Person details
    "NHS_Number",
    "LA_Person_Unique_Identifier",
    "GP_Practice_Code",
    "GP_Practice_Name",
    "Gender",
    "Ethnicity",
    "Date_of_Birth",
    "Client_Type",
    "Postcode",
    "Accommodation_Status",
    "Has_Unpaid_Carer",
    "Date_of_Death",
    "Primary_Support_Reason",
    "Employment_Status",
    "Autism_Spectrum_Disorder_ASD",
    "Visual_Impairment",
    "Hearing_Impairment",
    "Dementia",
    "Client_Funding_Status",
    # Events
    "Event_Type",
    "Event_Start_Date",
    "Event_Reference",
    "Event_Description",
    "Event_End_Date",
    "Event_Outcome",
    # Requests
    "Request_Route_of_Access",
    # Assessments (the portal records none: always blank)
    "Assessment_Type",
    "Method_of_Assessment",
    "Eligible_Needs_Identified",
    # Carers (not recorded by the portal: always blank)
    "Total_Hrs_Caring_per_week",
    "No_of_adults_being_cared_for",
    "Adult_1_Linked_Person_ID",
    "Adult_2_Linked_Person_ID",
    "Adult_3_Linked_Person_ID",
    # Services
    "Service_Type",
    "Service_Component",
    "Delivery_Mechanism",
    "Provider_CQC_Location_ID",
    "Provider_CQC_Location_Name",
    # Costs
    "Unit_Cost",
    "Cost_Frequency_Unit_Type",
    "Planned_units_per_week",
    # Reviews
    "Review_Reason",
    "Method_of_Review",
    "Review_Outcomes_Achieved",
)

REQUEST = "Request"
SERVICE = "Service"
REVIEW = "Review"
ASSESSMENT = "Assessment"
EVENT_TYPES = frozenset({REQUEST, ASSESSMENT, SERVICE, REVIEW})

SERVICE_USER = "Service User"
CARER = "Carer"
CARER_BY_ASSOCIATION = "Carer known by association"
CLIENT_TYPES = frozenset({SERVICE_USER, CARER, CARER_BY_ASSOCIATION})

COMMUNITY_ROUTE = "Community / Other route"
HOSPITAL_ROUTE = "Discharge from Hospital"
ROUTES_OF_ACCESS = frozenset(
    {
        "Planned Entry (Transition)",
        HOSPITAL_ROUTE,
        "Diversion from Hospital Services",
        COMMUNITY_ROUTE,
        "Prison",
        "Self-Funder",
        "Discharge from Reablement",
        "Transfer from Other LA",
    }
)


class Outcome:
    """Event_Outcome in the Release 2 strings (DOMAIN.md 2.4), the one complete list."""

    REABLEMENT = "Progress to reablement/ST-Max"
    TO_ASSESSMENT = "Progress to assessment, review or reassessment"
    TO_SERVICES = "Progress to support planning or services"
    CONTINUATION = "Continuation of support or services"
    ADMITTED = "Admitted to hospital"
    MOVED_LA = "NFA: Responsibility moved to another local authority"
    NHS = "NFA: Referral to NHS services or NHS funded social care"
    SELF_FUNDED = "NFA: Self-funded client or under 12wk disregard"
    SIGNPOSTING = "NFA: Information and advice or signposting"
    OTHER_LA_SERVICE = "NFA: Referral to other service within the local authority"
    DECLINED = "NFA: Support declined"
    DECEASED = "NFA: Deceased"
    ENDED_AS_PLANNED = "NFA: Support ended as planned"
    ENDED_OTHER = "NFA: Support ended for other reason"
    NO_SERVICES = "NFA: No services offered for other reason"
    OTHER = "NFA: Other"


OUTCOMES = frozenset(v for k, v in vars(Outcome).items() if not k.startswith("_"))

# Field -> the values a sourced list allows; a value outside it is invalid.
SOURCED_LISTS: dict[str, frozenset[str]] = {
    "Event_Type": EVENT_TYPES,
    "Client_Type": CLIENT_TYPES,
    "Request_Route_of_Access": ROUTES_OF_ACCESS,
    "Event_Outcome": OUTCOMES,
    "Ethnicity": frozenset(cld.Ethnicity.values),
    "Primary_Support_Reason": frozenset(cld.PrimarySupportReason.values),
    "Service_Type": frozenset(CldServiceType.values),
    "Delivery_Mechanism": frozenset(CldDeliveryMechanism.values),
}

# The person details the return takes from the service user: field -> the model's field.
PERSON_FIELDS: dict[str, str] = {
    "Gender": "gender",
    "Ethnicity": "ethnicity",
    "Accommodation_Status": "accommodation_status",
    "Has_Unpaid_Carer": "has_unpaid_carer",
    "Primary_Support_Reason": "primary_support_reason",
    "Employment_Status": "employment_status",
    "Client_Funding_Status": "client_funding_status",
}
