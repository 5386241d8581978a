"""The professional journey's pages, as data (questions.py splices them into the one list).

A professional (a GP practice, a hospital, housing, the police, the voluntary sector or another
council service) says who they are and how to call them back, then gives what an officer needs
to decide: the person's NHS number (modulus 11), date of birth (required), name, full address
and GP practice (pre-filled from the NHS Personal Demographics Service where the council has it
and the professional confirmed their work e-mail), the presenting need in their own words, the
services and people already involved, three risks, the same Care Act questions as everyone,
and the person's consent or the basis for referring without it.

Every page here shows only to a professional (`PROFESSIONAL`); the resident's pages they
replace show only to the others (`NOT_PROFESSIONAL`)."""

from __future__ import annotations

from carebridge.frontdoor.assessment.pages import Choice, Question, Unless, When
from carebridge.frontdoor.assessment.professional import (
    DOES_NOT_AGREE,
    SUPPORT_NEEDS,
    ProfessionalKind,
    RiskAnswer,
    SharingBasis,
)
from carebridge.frontdoor.assessment.rules import ASKER
from carebridge.frontdoor.choices import Asker
from carebridge.people.cld import PrimarySupportReason

PROFESSIONAL = When(ASKER, Asker.PROFESSIONAL.value)
NOT_PROFESSIONAL = Unless(ASKER, Asker.PROFESSIONAL.value)

# Question ids: they key the answers, and submission.contact_from reads them.
KIND = "professional_kind"
ORGANISATION = "professional_organisation"
ROLE = "professional_role"
NAME_OF_PROFESSIONAL = "professional_name"
CALLBACK = "professional_phone"
WORK_EMAIL = "professional_email"
NHS_NUMBER = "referral_nhs_number"
DATE_OF_BIRTH = "referral_dob"
PERSON_NAME = "referral_name"
ADDRESS = "referral_address"
GP_PRACTICE = "referral_gp_practice"
PRESENTING_NEED = "presenting_need"
SUPPORT_NEED = "primary_support_reason"
CURRENT_SERVICES = "current_services"
OTHERS_INVOLVED = "others_involved"
RISKS = ("risk_to_person", "risk_to_others", "risk_to_staff")
SHARING = "sharing_basis"
SHARING_REASON = "sharing_basis_reason"
# The pages the NHS record can fill in.
PREFILLED = (PERSON_NAME, ADDRESS, GP_PRACTICE)

# Sections, in the order check your answers shows them.
YOUR_DETAILS = "Your details"
THE_PERSON = "The person"
THE_REFERRAL = "The referral"
RISK_SECTION = "Risks"
CONSENT_SECTION = "Consent"

_RISK_CHOICES = tuple(Choice(answer.value, str(answer.label)) for answer in RiskAnswer)

ABOUT_THE_PROFESSIONAL: tuple[Question, ...] = (
    Question(
        id=KIND,
        heading="Where do you work?",
        kind="radios",
        choices=tuple(Choice(kind.value, str(kind.label)) for kind in ProfessionalKind),
        section=YOUR_DETAILS,
        summary_label="Where you work",
        error_required="Select where you work",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=ORGANISATION,
        heading="What organisation do you work for?",
        hint="For example, a GP surgery, hospital ward, housing association or charity.",
        kind="text",
        section=YOUR_DETAILS,
        summary_label="Your organisation",
        error_required="Enter the organisation you work for",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=ROLE,
        heading="What is your job title?",
        kind="text",
        section=YOUR_DETAILS,
        summary_label="Your job title",
        error_required="Enter your job title",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=NAME_OF_PROFESSIONAL,
        heading="What is your name?",
        kind="text",
        section=YOUR_DETAILS,
        summary_label="Your name",
        error_required="Enter your name",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=CALLBACK,
        heading="What number can the council call you back on?",
        hint="A direct line or a team's number that is answered in working hours.",
        kind="tel",
        section=YOUR_DETAILS,
        summary_label="Callback number",
        error_required="Enter a number the council can call you back on",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=WORK_EMAIL,
        heading="What is your work email address?",
        hint="We send the referral’s reference and any questions about it to this address.",
        kind="email",
        section=YOUR_DETAILS,
        summary_label="Work email",
        error_required="Enter your work email address",
        shown_if=PROFESSIONAL,
    ),
)

ABOUT_THE_PERSON: tuple[Question, ...] = (
    Question(
        id=NHS_NUMBER,
        heading="What is the person’s NHS number?",
        hint="10 digits, like 943 476 5919. Leave it blank if you do not know it.",
        kind="nhs_number",
        required=False,
        section=THE_PERSON,
        summary_label="NHS number",
        error_required="Enter the person’s NHS number",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=DATE_OF_BIRTH,
        heading="What is the person’s date of birth?",
        hint="For example, 27 3 1941",
        kind="date",
        section=THE_PERSON,
        summary_label="Date of birth",
        error_required="Enter the person’s date of birth",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=PERSON_NAME,
        heading="What is the person’s full name?",
        kind="text",
        section=THE_PERSON,
        summary_label="Full name",
        error_required="Enter the person’s full name",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=ADDRESS,
        heading="What is the person’s address?",
        hint="Where they live now. If they are in hospital, their home address.",
        kind="address",
        section=THE_PERSON,
        summary_label="Address",
        error_required="Enter the first line of the person’s address",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=GP_PRACTICE,
        heading="Which GP practice is the person registered with?",
        hint="The practice’s name, and its town if there are several of that name.",
        kind="text",
        required=False,
        section=THE_PERSON,
        summary_label="GP practice",
        error_required="Enter the person’s GP practice",
        shown_if=PROFESSIONAL,
    ),
)


def _risk_pages(question_id: str, heading: str, label: str, hint: str) -> tuple[Question, ...]:
    return (
        Question(
            id=question_id,
            heading=heading,
            hint=hint,
            kind="radios",
            choices=_RISK_CHOICES,
            section=RISK_SECTION,
            summary_label=label,
            error_required="Select yes, no or not known",
            shown_if=PROFESSIONAL,
        ),
        Question(
            id=f"{question_id}_details",
            heading="What is the risk?",
            hint="What the risk is, how likely and how serious, and what is in place now.",
            kind="textarea",
            section=RISK_SECTION,
            summary_label=f"{label}: details",
            error_required="Enter the details of the risk",
            shown_if=When(question_id, RiskAnswer.YES.value),
        ),
    )


ABOUT_THE_REFERRAL: tuple[Question, ...] = (
    Question(
        id=PRESENTING_NEED,
        heading="Why are you referring the person?",
        hint="The presenting need, in your own words: what has changed, what they cannot do, "
        "and what you think would help.",
        kind="textarea",
        section=THE_REFERRAL,
        summary_label="Presenting need",
        error_required="Enter why you are referring the person",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=SUPPORT_NEED,
        heading="What is the person’s main support need?",
        hint="The main reason they need care and support. It helps us send the referral to "
        "the right team, such as a mental health or learning disability team.",
        kind="radios",
        choices=tuple(
            Choice(
                code,
                label,
                hint="Choose this if you are not sure: the council will find out."
                if code == PrimarySupportReason.UNKNOWN
                else "",
            )
            for code, label in SUPPORT_NEEDS.items()
        ),
        section=THE_REFERRAL,
        summary_label="Main support need",
        error_required="Select the person’s main support need, or ‘Not known’",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=CURRENT_SERVICES,
        heading="What services does the person have now?",
        hint="For example, home care, district nurses, meals, a day centre or equipment. "
        "Write ‘None’ if they have none.",
        kind="textarea",
        section=THE_REFERRAL,
        summary_label="Current services",
        error_required="Enter the services the person has now, or ‘None’",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=OTHERS_INVOLVED,
        heading="Who else is involved with the person?",
        hint="Family, carers and other professionals, with how to reach them if you can.",
        kind="textarea",
        required=False,
        section=THE_REFERRAL,
        summary_label="Others involved",
        error_required="Enter who else is involved",
        shown_if=PROFESSIONAL,
    ),
    *_risk_pages(
        RISKS[0],
        "Is there a risk to the person?",
        "Risk to the person",
        "For example, self-neglect, falls, not eating, or abuse or neglect by others.",
    ),
    *_risk_pages(
        RISKS[1],
        "Is there a risk to other people?",
        "Risk to others",
        "For example, to a carer, children in the home or neighbours.",
    ),
    *_risk_pages(
        RISKS[2],
        "Is there a risk to staff visiting the person?",
        "Risk to staff visiting",
        "For example, aggression, dogs, weapons, drug use or an unsafe building.",
    ),
)

CONSENT_PAGES: tuple[Question, ...] = (
    Question(
        id=SHARING,
        heading="Does the person agree to this referral?",
        hint="You may refer without their agreement only if they lack capacity to agree and "
        "it is in their best interests, or if there is a risk to them or to others that "
        "justifies it.",
        kind="radios",
        choices=(
            Choice(SharingBasis.CONSENT.value, "Yes, they agree to the referral"),
            Choice(
                SharingBasis.LACKS_CAPACITY.value,
                "No: they lack capacity to agree, and referring is in their best interests",
            ),
            Choice(
                SharingBasis.RISK.value,
                "No: there is a risk to them or to others that justifies referring without "
                "their agreement",
            ),
            Choice(
                DOES_NOT_AGREE,
                "No, they do not agree",
                hint="We then keep nothing that names them: you see the result and services "
                "that may help.",
            ),
        ),
        section=CONSENT_SECTION,
        summary_label="Consent",
        error_required="Select if the person agrees to the referral",
        shown_if=PROFESSIONAL,
    ),
    Question(
        id=SHARING_REASON,
        heading="Why are you referring without the person’s agreement?",
        hint="For a best-interests decision: who assessed capacity, when, and for what "
        "decision. For a risk: what the risk is and why it justifies sharing.",
        kind="textarea",
        section=CONSENT_SECTION,
        summary_label="Reason for referring without consent",
        error_required="Enter why you are referring without the person’s agreement",
        shown_if=When(SHARING, SharingBasis.LACKS_CAPACITY.value, SharingBasis.RISK.value),
    ),
)

SECTIONS = (YOUR_DETAILS, THE_PERSON, THE_REFERRAL, RISK_SECTION, CONSENT_SECTION)
