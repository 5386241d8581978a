"""The front door's question pages, one question per page, as data (pages.py says what a page
is; answers.py walks, checks and shows the answers to them).

Ids and slugs: a question's id is a Python-style name with underscores ("adult_nutrition"); it
keys the answers in the session and in the request's JSON, and the rules in rules.py read it.
Its URL slug is the id with hyphens ("adult-nutrition"); `by_slug` finds it again.

Which pages show depends only on earlier answers (`shown_if`), so the pages are listed in the
order they are asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.frontdoor.assessment import questions_professional as qp
from carebridge.frontdoor.assessment import rules as e
from carebridge.frontdoor.assessment.pages import Choice, Question, When
from carebridge.frontdoor.choices import About, Asker

# --- Shared choices -----------------------------------------------------------------------------

_YES_NO = (Choice(e.YES, "Yes"), Choice(e.NO, "No"))
_YES_NO_NOT_SURE = (*_YES_NO, Choice(e.NOT_SURE, "Not sure"))

_ADULT_DIFFICULTIES = (
    Choice(e.NEEDS_HELP, "{You} cannot do this without help, including being reminded or prompted"),
    Choice(e.PAIN_DISTRESS, "Doing it alone causes {them} significant pain, distress or anxiety"),
    Choice(e.ENDANGERS, "Doing it alone puts {your} health or safety at risk, or someone else's"),
    Choice(
        e.TAKES_LONGER, "Doing it alone takes {them} much longer than would normally be expected"
    ),
)
# Regulation 3(3): no "takes longer" for carers, so it is not offered.
_CARER_DIFFICULTIES = (
    Choice(e.NEEDS_HELP, "{You} cannot do this without help"),
    Choice(
        e.PAIN_DISTRESS,
        "Doing it as well as caring causes {them} significant pain, distress or anxiety",
    ),
    Choice(
        e.ENDANGERS,
        "Doing it as well as caring puts {your} health or safety at risk, or someone else's",
    ),
)
_NO_DIFFICULTY = Choice(e.NO_DIFFICULTY, "{You} can do this without difficulty", exclusive=True)

_OUTCOME_ERROR = "Select if {you} can manage without difficulty, or what makes it hard"
_OUTCOME_EXCLUSIVE = (
    "Select if {you} can manage without difficulty, or what makes it hard — not both"
)

_WELLBEING_CHOICES = (
    *(Choice(code, label) for code, label in e.WELLBEING_AREAS),
    Choice(e.NONE, "None of these", exclusive=True),
)

# Sections, in the order check your answers shows them.
ABOUT_YOU = "About you"
URGENT_SECTION = "Urgent help"
WHERE = "Where {you} live"
NEEDS = "{Your} needs"
WELLBEING = "Well-being"
CONTACT = "Contact details"
SHARING = "Sharing details"

_ADULT = When(e.ABOUT, About.ADULT.value)
_CARER = When(e.ABOUT, About.CARER.value)
_ADULT_BAD_DAY = When(e.ADULT_FLUCTUATES, e.YES)
_CARER_BAD_DAY = When(e.CARER_FLUCTUATES, e.YES)
# A professional gives their own details at the start (questions_professional.py).
_FAMILY = When(e.ASKER, Asker.FAMILY.value)


@dataclass(frozen=True)
class _OutcomePage:
    code: str
    heading: str
    hint: str
    summary_label: str
    not_applicable: str = ""  # the label of a "does not apply" option, if the outcome has one


_ADULT_OUTCOME_PAGES = (
    _OutcomePage(
        "nutrition",
        "Can {you} manage and maintain {your} nutrition?",
        "For example, getting food and drink in, preparing a meal, and eating and drinking enough.",
        "Nutrition",
    ),
    _OutcomePage(
        "hygiene",
        "Can {you} maintain {your} personal hygiene?",
        "For example, washing, bathing or showering, and washing clothes.",
        "Personal hygiene",
    ),
    _OutcomePage(
        "toilet",
        "Can {you} manage {your} toilet needs?",
        "For example, getting to the toilet in time, using it, and managing continence.",
        "Toilet needs",
    ),
    _OutcomePage(
        "clothing",
        "Can {you} get dressed and be appropriately clothed?",
        "For example, dressing and undressing, and wearing clothes that suit the weather and "
        "what {you} are doing.",
        "Being appropriately clothed",
    ),
    _OutcomePage(
        "home_safety",
        "Can {you} use {your} home safely?",
        "For example, moving around the home, using the stairs, kitchen and bathroom, and "
        "getting in and out.",
        "Using the home safely",
    ),
    _OutcomePage(
        "habitable_home",
        "Can {you} maintain a habitable home?",
        "A home that is clean, safe and fit to live in: for example cleaning, keeping it warm, "
        "paying the bills and keeping the gas, electricity and water on.",
        "Habitable home",
    ),
    _OutcomePage(
        "relationships",
        "Can {you} develop and maintain relationships with family and friends?",
        "For example, keeping in touch, seeing people, and not being lonely or cut off.",
        "Relationships",
    ),
    _OutcomePage(
        "work",
        "Can {you} take part in work, training, education or volunteering?",
        "For example, getting to a job, a course or volunteering, and taking part once there.",
        "Work, training, education or volunteering",
    ),
    _OutcomePage(
        "community",
        "Can {you} use local facilities and services, including public transport?",
        "For example, shops, a GP surgery, a library, leisure and recreational facilities, and "
        "getting there by bus or train.",
        "Local facilities and services",
    ),
    _OutcomePage(
        "child_care",
        "Can {you} look after any children {you} are responsible for?",
        "For example, children {you} are a parent, step-parent or guardian to.",
        "Caring for children",
        not_applicable="Does not apply – {you} do not look after any children",
    ),
)

_CARER_OUTCOME_PAGES = (
    _OutcomePage(
        "child_care",
        "As well as caring, can {you} look after any children {you} are responsible for?",
        "For example, children {you} are a parent, step-parent or guardian to.",
        "Caring for children",
        not_applicable="Does not apply – {you} do not look after any children",
    ),
    _OutcomePage(
        "others",
        "As well as caring, can {you} care for the other people {you} look after?",
        "For example, another relative or friend who also relies on {them}.",
        "Caring for others",
        not_applicable="Does not apply – {you} do not care for anyone else",
    ),
    _OutcomePage(
        "habitable_home",
        "As well as caring, can {you} maintain a habitable home?",
        "{Your} own home, whether or not the person {you} care for lives there: clean, safe "
        "and fit to live in, with the bills paid.",
        "Habitable home",
    ),
    _OutcomePage(
        "nutrition",
        "As well as caring, can {you} manage and maintain {your} own nutrition?",
        "For example, having the time and energy to shop, cook and eat properly.",
        "Nutrition",
    ),
    _OutcomePage(
        "relationships",
        "As well as caring, can {you} develop and maintain relationships with family and friends?",
        "For example, keeping in touch and spending time with other people.",
        "Relationships",
    ),
    _OutcomePage(
        "work",
        "As well as caring, can {you} take part in work, training, education or volunteering?",
        "For example, staying in work, or starting a course or volunteering.",
        "Work, training, education or volunteering",
    ),
    _OutcomePage(
        "community",
        "As well as caring, can {you} use local facilities and services?",
        "For example, shops, a GP surgery, a library or leisure facilities.",
        "Local facilities and services",
    ),
    _OutcomePage(
        "recreation",
        "As well as caring, can {you} take part in recreational activities?",
        "Time for {yourself}: for example hobbies, exercise, seeing friends or having a break.",
        "Recreational activities",
    ),
)


def _outcome_questions(
    about: About, pages: tuple[_OutcomePage, ...], difficulties: tuple[Choice, ...]
) -> tuple[Question, ...]:
    shown_if, bad_day_if = (
        (_ADULT, _ADULT_BAD_DAY) if about == About.ADULT else (_CARER, _CARER_BAD_DAY)
    )
    return tuple(
        Question(
            id=e.outcome_question(about, page.code),
            heading=page.heading,
            hint=f"{page.hint} Select all that apply.",
            kind="checkboxes",
            choices=(
                *difficulties,
                _NO_DIFFICULTY,
                *(
                    (Choice(e.NOT_APPLICABLE, page.not_applicable, exclusive=True),)
                    if page.not_applicable
                    else ()
                ),
            ),
            section=NEEDS,
            summary_label=page.summary_label,
            error_required=_OUTCOME_ERROR,
            error_exclusive=_OUTCOME_EXCLUSIVE,
            shown_if=shown_if,
            bad_day_if=bad_day_if,
        )
        for page in pages
    )


def _wellbeing_questions(about: About) -> tuple[Question, ...]:
    adult = about == About.ADULT
    cause = "these difficulties" if adult else "caring"
    return (
        Question(
            id=e.ADULT_WELLBEING if adult else e.CARER_WELLBEING,
            heading=f"Which parts of {{your}} life are affected by {cause}?",
            hint="Select all that apply.",
            kind="checkboxes",
            choices=_WELLBEING_CHOICES,
            section=WELLBEING,
            summary_label="Areas of well-being affected",
            error_required="Select the parts of {your} life that are affected, or ‘None of these’",
            error_exclusive="Select the parts of {your} life that are affected, or "
            "‘None of these’ — not both",
            shown_if=_ADULT if adult else _CARER,
        ),
        Question(
            id=e.ADULT_SIGNIFICANT_IMPACT if adult else e.CARER_SIGNIFICANT_IMPACT,
            heading=(
                "Do these difficulties have, or are they likely to have, a significant effect "
                "on {your} well-being?"
                if adult
                else "Does caring have, or is it likely to have, a significant effect on "
                "{your} well-being?"
            ),
            hint="Significant means a noticeable, important effect: for example on {your} "
            "health, safety, dignity or independence. Choose ‘Not sure’ if {you} cannot say.",
            kind="radios",
            choices=_YES_NO_NOT_SURE,
            section=WELLBEING,
            summary_label="Significant effect on well-being",
            error_required="Select if there is a significant effect on {your} well-being",
            shown_if=_ADULT if adult else _CARER,
        ),
    )


QUESTIONS: tuple[Question, ...] = (
    Question(
        id=e.ASKER,
        heading="Who is asking?",
        kind="radios",
        choices=(
            Choice(
                Asker.SELF.value,
                Asker.SELF.label,
                hint="Including if you are a carer asking for support for yourself",
            ),
            Choice(Asker.FAMILY.value, Asker.FAMILY.label),
            Choice(Asker.PROFESSIONAL.value, Asker.PROFESSIONAL.label),
        ),
        section=ABOUT_YOU,
        summary_label="Who is asking",
        error_required="Select who is asking",
    ),
    Question(
        id=e.ABOUT,
        heading="What is this request about?",
        kind="radios",
        choices=(
            Choice(About.ADULT.value, "{You} need care and support"),
            Choice(
                About.CARER.value,
                "{You} look after someone and need support with caring",
                hint="For example, a family member or friend who could not manage without "
                "{your} help. {You} do not need to live with them.",
            ),
        ),
        section=ABOUT_YOU,
        summary_label="Request is about",
        error_required="Select what the request is about",
    ),
    *qp.ABOUT_THE_PROFESSIONAL,
    Question(
        id=e.URGENT,
        heading="Is anyone in immediate danger, or do any of these apply now?",
        hint="If someone’s life is at risk, call 999 now. Select all that apply.",
        kind="checkboxes",
        choices=(
            Choice(e.DANGER, "Someone is in immediate danger or at risk of serious harm"),
            Choice(e.CARER_CANNOT_CONTINUE, "A carer can no longer carry on caring, from today"),
            Choice(
                e.NO_ESSENTIALS, "{You} have no food, no heating or no safe place to stay tonight"
            ),
            Choice(e.NONE, "None of these", exclusive=True),
        ),
        section=URGENT_SECTION,
        summary_label="Urgent",
        error_required="Select if any of these apply now, or ‘None of these’",
        error_exclusive="Select the ones that apply now, or ‘None of these’ — not both",
    ),
    *qp.ABOUT_THE_PERSON,
    Question(
        id="postcode",
        heading="What is {your} postcode?",
        hint="We use it to find services near {them}. If {you} have no fixed address, enter "
        "the postcode of where {you} are staying.",
        kind="postcode",
        section=WHERE,
        summary_label="Postcode",
        error_required="Enter {your} postcode",
        shown_if=qp.NOT_PROFESSIONAL,
    ),
    *qp.ABOUT_THE_REFERRAL,
    # Adults: regulation 2.
    Question(
        id=e.ADULT_IMPAIRMENT,
        heading="Are {your} needs caused by, or related to, a physical or mental health "
        "condition, illness or disability?",
        hint="For example, dementia, a stroke, frailty, a learning disability, sight or hearing "
        "loss, or a mental health condition. {You} do not need a diagnosis.",
        kind="radios",
        choices=_YES_NO_NOT_SURE,
        section=NEEDS,
        summary_label="Condition, illness or disability",
        error_required="Select if {your} needs are caused by a condition, illness or disability",
        shown_if=_ADULT,
    ),
    Question(
        id=e.ADULT_FLUCTUATES,
        heading="Do {your} needs change from day to day?",
        hint="For example, some days are much harder than others, or {you} have good and bad "
        "spells. If they do, answer the next questions for a typical bad day.",
        kind="radios",
        choices=_YES_NO,
        section=NEEDS,
        summary_label="Needs change day to day",
        error_required="Select if {your} needs change from day to day",
        shown_if=_ADULT,
    ),
    *_outcome_questions(About.ADULT, _ADULT_OUTCOME_PAGES, _ADULT_DIFFICULTIES),
    *_wellbeing_questions(About.ADULT),
    # Carers: regulation 3.
    Question(
        id=e.CARER_NECESSARY_CARE,
        heading="Do {you} provide necessary care for an adult?",
        hint="Necessary care is help the person needs because of their illness or disability "
        "and cannot do for themselves: for example washing, dressing, meals, medicines, or "
        "keeping them safe. It does not matter whether {you} live with them or whether they "
        "get other care too.",
        kind="radios",
        choices=_YES_NO_NOT_SURE,
        section=NEEDS,
        summary_label="Provides necessary care",
        error_required="Select if {you} provide necessary care for an adult",
        shown_if=_CARER,
    ),
    Question(
        id=e.CARER_HEALTH,
        heading="Is {your} physical or mental health getting worse, or at risk of getting "
        "worse, because of caring?",
        hint="For example, {you} are exhausted, not sleeping, in pain from lifting, or anxious "
        "or low.",
        kind="radios",
        choices=_YES_NO_NOT_SURE,
        section=NEEDS,
        summary_label="Health getting worse",
        error_required="Select if {your} health is getting worse because of caring",
        shown_if=_CARER,
    ),
    Question(
        id=e.CARER_FLUCTUATES,
        heading="Does the care {you} provide, or how it affects {them}, change from day to day?",
        hint="For example, the person {you} care for has good and bad spells. If it does, "
        "answer the next questions for a typical bad day.",
        kind="radios",
        choices=_YES_NO,
        section=NEEDS,
        summary_label="Caring changes day to day",
        error_required="Select if caring changes from day to day",
        shown_if=_CARER,
    ),
    *_outcome_questions(About.CARER, _CARER_OUTCOME_PAGES, _CARER_DIFFICULTIES),
    *_wellbeing_questions(About.CARER),
    # Contact details.
    Question(
        id="person_name",
        heading="What is {your} full name?",
        kind="text",
        section=CONTACT,
        summary_label="Full name",
        error_required="Enter {your} full name",
        shown_if=qp.NOT_PROFESSIONAL,
    ),
    Question(
        id="person_dob",
        heading="What is {your} date of birth?",
        hint="For example, 27 3 1941",
        kind="date",
        required=False,
        section=CONTACT,
        summary_label="Date of birth",
        error_required="Enter {your} date of birth",
        shown_if=qp.NOT_PROFESSIONAL,
    ),
    Question(
        id="person_phone",
        heading="What is {your} phone number?",
        hint="For a call about the request.",
        kind="tel",
        required=False,
        section=CONTACT,
        summary_label="Phone",
        error_required="Enter {your} phone number",
    ),
    Question(
        id="person_email",
        heading="What is {your} email address?",
        hint="We will send the request’s reference number and any updates to this address.",
        kind="email",
        required=False,
        section=CONTACT,
        summary_label="Email",
        error_required="Enter {your} email address",
    ),
    Question(
        id="asker_name",
        heading="What is your name?",
        kind="text",
        section=CONTACT,
        summary_label="Your name",
        error_required="Enter your name",
        shown_if=_FAMILY,
    ),
    Question(
        id="asker_email",
        heading="What is your email address?",
        hint="So the council can contact you about this request.",
        kind="email",
        required=False,
        section=CONTACT,
        summary_label="Your email",
        error_required="Enter your email address",
        shown_if=_FAMILY,
    ),
    Question(
        id="asker_phone",
        heading="What is your phone number?",
        hint="So the council can contact you about this request.",
        kind="tel",
        required=False,
        section=CONTACT,
        summary_label="Your phone",
        error_required="Enter your phone number",
        shown_if=_FAMILY,
    ),
    Question(
        id="consent",
        heading="Do {you} agree to these details being shared with the council’s adult social "
        "care team?",
        hint="The council can only receive these details, and contact {them} about this "
        "request, if {you} agree. Saying no never stops {them} asking for an assessment, and "
        "you will still see a result and services that may help.",
        kind="radios",
        choices=_YES_NO,
        section=SHARING,
        summary_label="Agrees to share details",
        error_required="Select if {you} agree to these details being shared",
        shown_if=qp.NOT_PROFESSIONAL,
    ),
    *qp.CONSENT_PAGES,
)

_BY_ID: dict[str, Question] = {question.id: question for question in QUESTIONS}
_BY_SLUG: dict[str, Question] = {question.slug: question for question in QUESTIONS}


def first_question() -> Question:
    return QUESTIONS[0]


def by_id(question_id: str) -> Question | None:
    return _BY_ID.get(question_id)


def by_slug(slug: str) -> Question | None:
    return _BY_SLUG.get(slug)


SECTIONS: tuple[str, ...] = (
    ABOUT_YOU,
    qp.YOUR_DETAILS,
    URGENT_SECTION,
    qp.THE_PERSON,
    WHERE,
    qp.THE_REFERRAL,
    qp.RISK_SECTION,
    NEEDS,
    WELLBEING,
    CONTACT,
    SHARING,
    qp.CONSENT_SECTION,
)
