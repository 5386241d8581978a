"""The Client Level Data (CLD) person details a council records about a service user for the
quarterly return to DHSC: the defined lists, each value stored as the return's own string, so
the file carries it unchanged (`docs/decisions/0012-reports.md`).

Ethnicity follows the Release 2 list and Primary_Support_Reason the Release 1 list, both as
`../shared/DOMAIN.md` section 2.4 gives them. The other lists were not found in a published
source; they follow the collection's predecessor (SALT) as commonly used, and the return's
validation checks only that a mandatory one is present, never its spelling against DHSC's."""

from __future__ import annotations

from django.db import models


class Gender(models.TextChoices):
    MALE = "Male"
    FEMALE = "Female"
    OTHER = "Other"
    UNKNOWN = "Unknown"


class Ethnicity(models.TextChoices):
    BANGLADESHI = "Asian or Asian British: Bangladeshi"
    CHINESE = "Asian or Asian British: Chinese"
    INDIAN = "Asian or Asian British: Indian"
    PAKISTANI = "Asian or Asian British: Pakistani"
    OTHER_ASIAN = "Asian or Asian British: Any other Asian background"
    AFRICAN = "Black, Black British, Caribbean or African: African"
    CARIBBEAN = "Black, Black British, Caribbean or African: Caribbean"
    OTHER_BLACK = "Black, Black British, Caribbean or African: Any other Black, Black British, or Caribbean background"
    WHITE_ASIAN = "Mixed or multiple ethnic groups: White and Asian"
    WHITE_BLACK_AFRICAN = "Mixed or multiple ethnic groups: White and Black African"
    WHITE_BLACK_CARIBBEAN = "Mixed or multiple ethnic groups: White and Black Caribbean"
    OTHER_MIXED = "Mixed or multiple ethnic groups: Any other Mixed or multiple ethnic background"
    ARAB = "Other ethnic group: Arab"
    OTHER = "Other ethnic group: Any other ethnic group"
    BRITISH = "White: English, Welsh, Scottish, Northern Irish or British"
    IRISH = "White: Irish"
    TRAVELLER = "White: Gypsy or Irish Traveller"
    ROMA = "White: Roma"
    OTHER_WHITE = "White: Any other White background"
    REFUSED = "No data: Refused"
    NOT_KNOWN = "No data: Undeclared or not known"


class PrimarySupportReason(models.TextChoices):
    ACCESS_MOBILITY = "Physical Support: Access & mobility only"
    PERSONAL_CARE = "Physical Support: Personal care support"
    VISUAL = "Sensory Support: Support for visual impairment"
    HEARING = "Sensory Support: Support for hearing impairment"
    DUAL = "Sensory Support: Support for dual impairment"
    MEMORY = "Support with Memory & Cognition"
    LEARNING_DISABILITY = "Learning Disability Support"
    MENTAL_HEALTH = "Mental Health Support"
    SUBSTANCE = "Social Support: Substance misuse support"
    ASYLUM = "Social Support: Asylum seeker support"
    ISOLATION = "Social Support: Support for Social Isolation/Other"
    CARER = "Social Support: Support to Carer"
    UNKNOWN = "Unknown"


class AccommodationStatus(models.TextChoices):
    OWNER = "Owner occupier or shared ownership scheme"
    COUNCIL_TENANT = "Tenant - local authority/arms length management organisation/registered social landlord/housing association"
    PRIVATE_TENANT = "Tenant - private landlord"
    FAMILY = "Settled mainstream housing with family / friends"
    SUPPORTED = "Supported accommodation / supported lodgings / supported group home"
    SHARED_LIVES = "Shared Lives scheme"
    SHELTERED = "Sheltered housing / extra care housing / other sheltered housing"
    CARE_HOME = "Registered care home"
    NURSING_HOME = "Registered nursing home"
    TEMPORARY = "Other temporary accommodation"
    UNKNOWN = "Unknown"


class UnpaidCarer(models.TextChoices):
    YES = "Yes"
    NO = "No"
    UNKNOWN = "Unknown"


class ClientFundingStatus(models.TextChoices):
    FULLY_FUNDED = "Fully Local Authority funded"
    PART_FUNDED = "Partially Local Authority funded"
    FULL_COST = "Full cost client"
    UNKNOWN = "Unknown"


class EmploymentStatus(models.TextChoices):
    UNDER_16_HOURS = "Paid: Less than 16 hours a week"
    OVER_16_HOURS = "Paid: 16 or more hours a week"
    HOURS_NOT_KNOWN = "Paid: Hours per week unknown"
    SEEKING = "Not in Paid Employment (seeking work)"
    NOT_SEEKING = "Not in Paid Employment (not actively seeking work / retired)"
    VOLUNTARY = "Not in Paid Employment (voluntary work only)"
    UNKNOWN = "Unknown"
