"""The professional journey's fixed vocabularies: which kind of professional refers, the three
risk answers, and the basis on which a professional shares the person's details.

A professional may refer without the person's consent only where the person lacks capacity to
agree (a best-interests decision, Mental Capacity Act 2005 s.4) or where there is a risk to the
person or to others that justifies sharing; the basis and the reason are recorded with the
request. Without consent and without such a basis nothing that names the person is kept
(docs/decisions/0005-front-door.md)."""

from django.db import models

from carebridge.people.cld import PrimarySupportReason


class ProfessionalKind(models.TextChoices):
    """Where the referring professional works: the first question of their journey."""

    GP_PRACTICE = "gp_practice", "GP practice"
    HOSPITAL = "hospital", "Hospital"
    HOUSING = "housing", "Housing"
    POLICE = "police", "Police"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    COUNCIL_SERVICE = "council_service", "Another council service"


class RiskAnswer(models.TextChoices):
    """Whether there is a risk: a professional may not know."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class SharingBasis(models.TextChoices):
    """Why the council may have the person's details: their consent, or a best-interests basis
    without it."""

    CONSENT = "consent", "The person agrees"
    LACKS_CAPACITY = "lacks_capacity", "Without consent: the person lacks capacity to agree"
    RISK = "risk", "Without consent: a risk to the person or to others"


# The bases that let a professional share without the person's agreement.
WITHOUT_CONSENT = (SharingBasis.LACKS_CAPACITY.value, SharingBasis.RISK.value)
# The answer to the professional's consent question that shares nothing.
DOES_NOT_AGREE = "no"


# The person's primary support need as a professional reads it: the CLD return's Primary
# Support Reason list (people/cld.py), stored as the return's own string, in plain words.
R = PrimarySupportReason
SUPPORT_NEEDS: dict[str, str] = {
    R.PERSONAL_CARE.value: "Personal care, such as washing, dressing, eating or using the toilet",
    R.ACCESS_MOBILITY.value: "Getting about: access and mobility only",
    R.MEMORY.value: "Memory and thinking, for example dementia",
    R.LEARNING_DISABILITY.value: "A learning disability",
    R.MENTAL_HEALTH.value: "Mental health",
    R.VISUAL.value: "Sight loss",
    R.HEARING.value: "Hearing loss",
    R.DUAL.value: "Both sight and hearing loss",
    R.SUBSTANCE.value: "Drug or alcohol use",
    R.ASYLUM.value: "Support as an asylum seeker",
    R.ISOLATION.value: "Loneliness, isolation or another social need",
    R.CARER.value: "Support as an unpaid carer",
    R.UNKNOWN.value: "Not known",
}
