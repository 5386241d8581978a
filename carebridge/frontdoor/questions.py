"""The front door's question pages, one question per page, as data.

Ids and slugs: a question's id is a Python-style name with underscores ("adult_nutrition"); it
keys the answers in the session and in the request's JSON, and the rules in eligibility.py read
it. Its URL slug is the id with hyphens ("adult-nutrition"); `by_slug` finds it again.

Answers: a mapping of question id to a string (radios, text, e-mail, phone, postcode, and dates
as ISO "1941-03-03") or a list of strings (checkboxes). An optional page left blank is stored as
"" (or []) so that `first_unanswered` knows it was seen.

Voice: headings, hints, choice labels and errors are templates with {you}, {You}, {your},
{Your}, {them} and {yourself}, read in the second person ("Can you…") when the person is asking
for themselves and in the third ("Can they…") otherwise. English conjugates "they" like "you",
so no other words change. Use the `*_for(answers)` methods to read them; the raw fields are
templates. Views add "(optional)" to the heading of a page that is not required.

Which pages show depends only on earlier answers (`shown_if`), so `pages_for`, `prune`,
`next_question` and `previous_question` all walk the list in order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from carebridge.frontdoor import eligibility as e
from carebridge.frontdoor.choices import About, Asker
from carebridge.people.validators import POSTCODE_MESSAGE, normalise_postcode, postcode_is_valid

Kind = Literal["radios", "checkboxes", "text", "textarea", "email", "tel", "postcode", "date"]
Answer = str | list[str]


TEXT_MAX = 200
TEXTAREA_MAX = 2000
EMAIL_MAX = 254
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"
PHONE_MESSAGE = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
BAD_DAY_HINT = "If things change from day to day, answer for a typical bad day."

_SECOND_PERSON = {
    "you": "you",
    "You": "You",
    "your": "your",
    "Your": "Your",
    "them": "you",
    "yourself": "yourself",
}
_THIRD_PERSON = {
    "you": "they",
    "You": "They",
    "your": "their",
    "Your": "Their",
    "them": "them",
    "yourself": "themselves",
}


def voice(answers: Mapping[str, Any] | None) -> dict[str, str]:
    """The words for {you}, {your}… : second person when the person is asking for themselves."""
    if answers is not None and e.answer_values(answers, e.ASKER)[:1] == (Asker.SELF.value,):
        return _SECOND_PERSON
    return _THIRD_PERSON


def say(template: str, answers: Mapping[str, Any] | None = None) -> str:
    """A template read in the voice the answers call for."""
    return template.format_map(voice(answers))


@dataclass(frozen=True, init=False)
class When:
    """Show a page only when an earlier question's answer is (or includes) one of these values."""

    question: str
    values: tuple[str, ...]

    def __init__(self, question: str, *values: str) -> None:
        object.__setattr__(self, "question", question)
        object.__setattr__(self, "values", values)

    def __call__(self, answers: Mapping[str, Any]) -> bool:
        return any(value in self.values for value in e.answer_values(answers, self.question))


@dataclass(frozen=True)
class Choice:
    """One radio or checkbox. An exclusive checkbox sits after GOV.UK's "or" divider and
    cannot be ticked with any other."""

    value: str
    label: str
    hint: str = ""
    exclusive: bool = False


@dataclass(frozen=True, kw_only=True)
class Question:
    """One question page. Text fields are templates: read them with the `*_for` methods."""

    id: str
    heading: str  # the question: the page's h1, and the legend or label
    kind: Kind
    section: str  # groups rows on check your answers
    summary_label: str  # the row's key on check your answers
    error_required: str  # shown when a required page is left blank
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    required: bool = True
    shown_if: When | None = None
    error_exclusive: str = ""  # checkboxes: an "or" option ticked with another
    bad_day_if: When | None = None  # add BAD_DAY_HINT when this holds

    @property
    def slug(self) -> str:
        return self.id.replace("_", "-")

    def heading_for(self, answers: Mapping[str, Any] | None = None) -> str:
        return say(self.heading, answers)

    def hint_for(self, answers: Mapping[str, Any] | None = None) -> str:
        hint = say(self.hint, answers)
        if answers is not None and self.bad_day_if is not None and self.bad_day_if(answers):
            hint = f"{hint} {BAD_DAY_HINT}".strip()
        return hint

    def section_for(self, answers: Mapping[str, Any] | None = None) -> str:
        return say(self.section, answers)

    def choices_for(self, answers: Mapping[str, Any] | None = None) -> tuple[Choice, ...]:
        return tuple(
            replace(choice, label=say(choice.label, answers), hint=say(choice.hint, answers))
            for choice in self.choices
        )

    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)


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
_NOT_SELF = When(e.ASKER, Asker.FAMILY.value, Asker.PROFESSIONAL.value)


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
        id="professional_organisation",
        heading="What organisation do you work for?",
        hint="For example, a GP surgery, hospital ward, housing association or charity.",
        kind="text",
        section=ABOUT_YOU,
        summary_label="Your organisation",
        error_required="Enter the organisation you work for",
        shown_if=When(e.ASKER, Asker.PROFESSIONAL.value),
    ),
    Question(
        id="professional_role",
        heading="What is your job title?",
        kind="text",
        section=ABOUT_YOU,
        summary_label="Your job title",
        error_required="Enter your job title",
        shown_if=When(e.ASKER, Asker.PROFESSIONAL.value),
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
    Question(
        id="postcode",
        heading="What is {your} postcode?",
        hint="We use it to find services near {them}. If {you} have no fixed address, enter "
        "the postcode of where {you} are staying.",
        kind="postcode",
        section=WHERE,
        summary_label="Postcode",
        error_required="Enter {your} postcode",
    ),
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
        shown_if=_NOT_SELF,
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
        shown_if=_NOT_SELF,
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
        shown_if=_NOT_SELF,
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
    ),
)

_BY_ID: dict[str, Question] = {question.id: question for question in QUESTIONS}
_BY_SLUG: dict[str, Question] = {question.slug: question for question in QUESTIONS}
_POSITION: dict[str, int] = {question.id: index for index, question in enumerate(QUESTIONS)}


# --- Navigation ---------------------------------------------------------------------------------


def _walk(answers: Mapping[str, Any]) -> tuple[list[Question], dict[str, Any]]:
    # Pages show on earlier answers only, and only answers to pages still shown count.
    if not isinstance(answers, Mapping):
        answers = {}
    pages: list[Question] = []
    kept: dict[str, Any] = {}
    for question in QUESTIONS:
        if question.shown_if is not None and not question.shown_if(kept):
            continue
        pages.append(question)
        if question.id in answers and _storable(answers[question.id]):
            value = answers[question.id]
            kept[question.id] = list(value) if isinstance(value, list | tuple) else value
    return pages, kept


def _storable(value: Any) -> bool:
    # An answer kept in a session before control characters were refused would break the
    # request made from it (PostgreSQL cannot store a NUL): it is dropped, so its page is asked
    # again.
    if isinstance(value, str):
        return not has_control_characters(value)
    if isinstance(value, list | tuple):
        return all(isinstance(item, str) and not has_control_characters(item) for item in value)
    return True


def first_question() -> Question:
    return QUESTIONS[0]


def by_id(question_id: str) -> Question | None:
    return _BY_ID.get(question_id)


def by_slug(slug: str) -> Question | None:
    return _BY_SLUG.get(slug)


def pages_for(answers: Mapping[str, Any]) -> list[Question]:
    """The pages that apply given the answers so far, in order."""
    return _walk(answers)[0]


def prune(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without those to pages no longer shown, or to no page at all: for example
    the adult pages after "about" changes to carer."""
    return _walk(answers)[1]


def next_question(answers: Mapping[str, Any], current_id: str) -> Question | None:
    """The page after this one; None when the next step is check your answers. An unknown id
    starts again at the first page."""
    pages = pages_for(answers)
    position = _POSITION.get(current_id)
    if position is None:
        return pages[0] if pages else None
    return next((page for page in pages if _POSITION[page.id] > position), None)


def previous_question(answers: Mapping[str, Any], current_id: str) -> Question | None:
    """The page the back link goes to; None on the first page or for an unknown id."""
    position = _POSITION.get(current_id)
    if position is None:
        return None
    earlier = [page for page in pages_for(answers) if _POSITION[page.id] < position]
    return earlier[-1] if earlier else None


def first_unanswered(answers: Mapping[str, Any]) -> Question | None:
    """The first page that applies and has no answer yet (or none that can be kept); None when
    all are answered."""
    pages, kept = _walk(answers)
    return next((page for page in pages if page.id not in kept), None)


# --- Checking one page --------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-]+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_SEPARATORS = re.compile(r"[\s/.\-]+")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EARLIEST_YEAR = 1900


def _month_number(text: str) -> str:
    # GOV.UK date inputs accept a month's name or its first three letters ("Mar", "march").
    if len(text) >= 3:
        for number, name in enumerate(_MONTH_NAMES, start=1):
            if name.lower().startswith(text.lower()):
                return str(number)
    return text


def _strings(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list | tuple):
        return [item for item in raw if isinstance(item, str)]
    return []


def _london_today() -> date:
    # The project's one clock, so tests that move it move this too.
    from carebridge.core.calendar import now, to_london

    return to_london(now()).date()


def clean(
    question: Question,
    raw: Sequence[str] | str,
    *,
    answers: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> tuple[Answer, str | None]:
    """One page's submitted value, tidied, and a GOV.UK-style error message or None.

    `raw` is what the form sent: request.POST.getlist(name), or a string. A date comes as
    [day, month, year] from GOV.UK's three boxes, or as one string ("3/3/1941", "1941-03-03");
    it is stored as an ISO string. On an error the value is the input, tidied, for showing
    back on the page: never store it. `answers` sets the voice of the message; `today` (for
    tests) defaults to today in London. Never raises.
    """
    values = _strings(raw)
    if question.kind == "checkboxes":
        return _clean_checkboxes(question, values, answers)
    if question.kind == "date":
        return _clean_date(question, values, answers, today or _london_today())
    value = values[0].strip() if values else ""
    if has_control_characters(value):
        # Not shown back: the person retypes it.
        return "", CONTROL_CHARACTERS_MESSAGE
    if not value:
        return "", say(question.error_required, answers) if question.required else None
    if question.kind == "radios":
        if value not in question.values():
            return "", say(question.error_required, answers)
        return value, None
    if question.kind == "postcode":
        if not postcode_is_valid(value):
            return value, POSTCODE_MESSAGE
        return normalise_postcode(value), None
    if question.kind == "email":
        if len(value) > EMAIL_MAX:
            return value, f"Email address must be {EMAIL_MAX} characters or fewer"
        if not _EMAIL.fullmatch(value):
            return value, EMAIL_MESSAGE
        return value, None
    if question.kind == "tel":
        value = " ".join(value.split())
        digits = sum(character.isdigit() for character in value)
        if not _PHONE_CHARACTERS.fullmatch(value) or not 10 <= digits <= 15:
            return value, PHONE_MESSAGE
        return value, None
    limit = TEXTAREA_MAX if question.kind == "textarea" else TEXT_MAX
    if question.kind == "text":
        value = " ".join(value.split())
    if len(value) > limit:
        return value, f"{question.summary_label} must be {limit:,} characters or fewer"
    return value, None


def _clean_checkboxes(
    question: Question, values: list[str], answers: Mapping[str, Any] | None
) -> tuple[Answer, str | None]:
    # Choice order, without repeats; values no form could send are dropped.
    chosen = [choice for choice in question.choices if choice.value in values]
    picked = [choice.value for choice in chosen]
    if not chosen:
        return [], say(question.error_required, answers) if question.required else None
    if len(chosen) > 1 and any(choice.exclusive for choice in chosen):
        return picked, say(question.error_exclusive or question.error_required, answers)
    return picked, None


def _clean_date(
    question: Question, values: list[str], answers: Mapping[str, Any] | None, today: date
) -> tuple[Answer, str | None]:
    parts = [value.strip() for value in values]
    if len(parts) == 1:
        iso = _ISO_DATE.fullmatch(parts[0])
        parts = [iso[3], iso[2], iso[1]] if iso else _DATE_SEPARATORS.split(parts[0])
    parts = [*parts, "", "", ""][:3]
    noun = question.summary_label
    if not any(parts):
        return "", say(question.error_required, answers) if question.required else None
    missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
    if missing:
        return parts, f"{noun} must include a {' and '.join(missing)}"
    day_text, month_text, year_text = parts
    month_text = _month_number(month_text)
    if not (
        day_text.isascii() and day_text.isdigit() and month_text.isascii() and month_text.isdigit()
    ):
        return parts, f"{noun} must be a real date"
    if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
        return parts, "Year must include 4 numbers"
    try:
        value = date(int(year_text), int(month_text), int(day_text))
    except (ValueError, OverflowError):
        return parts, f"{noun} must be a real date"
    if value > today:
        return parts, f"Enter a {noun.lower()} in the past"
    if value.year < EARLIEST_YEAR:
        return parts, f"{noun} must be in {EARLIEST_YEAR} or later"
    return value.isoformat(), None


# --- Check your answers -------------------------------------------------------------------------


def display_date(value: str) -> str:
    """An ISO date as GOV.UK writes it: "3 March 1941"."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def display_value(question: Question, value: Any, answers: Mapping[str, Any] | None = None) -> str:
    """An answer as check your answers shows it: choice labels, one per line for checkboxes."""
    values = _strings(value)
    if question.choices:
        labels = {choice.value: choice.label for choice in question.choices_for(answers)}
        shown = [labels.get(item, item) for item in values]
        return "\n".join(shown) if shown else "Not answered"
    text = values[0] if values else ""
    if not text:
        return "Not given"
    return display_date(text) if question.kind == "date" else text


def summary_rows(answers: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """Check your answers: (section, label, value shown, question id) for each page that
    applies, in order. Checkbox values are one label per line (render with linebreaksbr);
    a page not yet answered shows "Not answered"."""
    pages, kept = _walk(answers)
    rows = []
    for question in pages:
        shown = (
            display_value(question, kept[question.id], kept)
            if question.id in kept
            else "Not answered"
        )
        rows.append((question.section_for(kept), question.summary_label, shown, question.id))
    return rows


SECTIONS: tuple[str, ...] = (ABOUT_YOU, URGENT_SECTION, WHERE, NEEDS, WELLBEING, CONTACT, SHARING)
