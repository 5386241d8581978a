"""The Care Act eligibility rules the front door applies, as one versioned table of data
(eligibility.py applies them to a set of answers).

The tool recommends; it never decides and never screens anyone out. The council determines
eligibility after an assessment (Care Act 2014 s.13), and everyone can still ask for one (s.9).

How the result is computed, in one paragraph for a council officer:
    The request is about an adult (regulations 2(1)-(3) of SI 2015/313) or a carer (regulation
    3); a missing or unknown answer to "about" is read as an adult. Each outcome page is
    checked against the difficulty tests: for adults the four of regulation 2(3) (needs help,
    including prompting; significant pain, distress or anxiety; endangers health or safety;
    takes significantly longer), for carers the three of regulation 3(3) (no "takes longer").
    Any one ticked test makes that outcome one the person cannot achieve, and the rule ids of
    the ticked tests are recorded against it. Each of the three conditions is then marked met,
    not met, or "not sure": impairment or illness (2(1)(a)) and necessary care (3(1)(a)) and
    significant impact on well-being (2(1)(c), 3(1)(c)) follow the yes / no / not sure answer,
    and "not sure" or no answer counts as possibly met, because the council checks it at
    assessment; condition 2(1)(b) is met when 2 or more of the 10 adult outcomes cannot be
    achieved; condition 3(1)(b) is met when the carer's health is deteriorating or at risk
    (3(2)(a), a "yes" only) or at least 1 of the 8 carer outcomes cannot be achieved (3(2)(b)).
    The result is "likely eligible" when no condition is not met, and "may not be eligible"
    when any condition is not met. Urgency (danger now, a carer who cannot carry on today, no
    food, heating or safe place tonight) and fluctuating needs (2(4), 3(4)) are recorded and
    reported to the officer but never change the result.

Change the suffix of RULESET_VERSION whenever any rule changes: each request stores the version
it was assessed under.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from carebridge.frontdoor.choices import About, CarerOutcome, Outcome

RULESET_VERSION = "SI 2015/313 v1"

# --- Question ids and answer values the rules read (questions.py asks them) ---------------------

ASKER = "asker"
ABOUT = "about"
URGENT = "urgent"
ADULT_IMPAIRMENT = "adult_impairment"
ADULT_FLUCTUATES = "adult_fluctuates"
ADULT_WELLBEING = "adult_wellbeing"
ADULT_SIGNIFICANT_IMPACT = "adult_significant_impact"
CARER_NECESSARY_CARE = "carer_necessary_care"
CARER_HEALTH = "carer_health"
CARER_FLUCTUATES = "carer_fluctuates"
CARER_WELLBEING = "carer_wellbeing"
CARER_SIGNIFICANT_IMPACT = "carer_significant_impact"

YES = "yes"
NO = "no"
NOT_SURE = "not_sure"

# The difficulty answers on an outcome page, and its "or" options.
NEEDS_HELP = "needs_help"
PAIN_DISTRESS = "pain_distress"
ENDANGERS = "endangers"
TAKES_LONGER = "takes_longer"
NO_DIFFICULTY = "no_difficulty"
NOT_APPLICABLE = "not_applicable"

# The urgent page's answers.
DANGER = "danger"
CARER_CANNOT_CONTINUE = "carer_cannot_continue"
NO_ESSENTIALS = "no_essentials"
NONE = "none"

# Signposting code for carers' support services, always in a carer's unmet codes.
CARER_SUPPORT = "carer_support"

# The nine areas of well-being in s.1(2) of the Care Act 2014, in its order.
WELLBEING_AREAS: tuple[tuple[str, str], ...] = (
    ("dignity", "Personal dignity, including being treated with respect"),
    ("health", "Physical and mental health and emotional well-being"),
    ("protection", "Protection from abuse and neglect"),
    ("control", "Control over day-to-day life"),
    ("participation", "Taking part in work, education, training or recreation"),
    ("social_economic", "Social and economic well-being"),
    ("relationships", "Home, family and personal relationships"),
    ("accommodation", "Having suitable accommodation"),
    ("contribution", "Contributing to society"),
)


def outcome_question(about: About, code: str) -> str:
    """The id of the page that asks about one outcome, like "adult_nutrition"."""
    return f"{about.value}_{code}"


def outcomes_for(about: About) -> tuple[tuple[str, str], ...]:
    """The (code, label) of each outcome in the regulation's order: 10 adult, 8 carer."""
    members = Outcome if about == About.ADULT else CarerOutcome
    return tuple((member.value, str(member.label)) for member in members)


# Where each outcome sits in the regulations, and the short code used in rule ids.
OUTCOME_REFERENCES: dict[About, dict[str, tuple[str, str]]] = {
    About.ADULT: {
        Outcome.NUTRITION: ("2(2)(a)", "NUT"),
        Outcome.HYGIENE: ("2(2)(b)", "HYG"),
        Outcome.TOILET: ("2(2)(c)", "TOI"),
        Outcome.CLOTHING: ("2(2)(d)", "CLO"),
        Outcome.HOME_SAFETY: ("2(2)(e)", "HOM"),
        Outcome.HABITABLE_HOME: ("2(2)(f)", "HAB"),
        Outcome.RELATIONSHIPS: ("2(2)(g)", "REL"),
        Outcome.WORK: ("2(2)(h)", "WRK"),
        Outcome.COMMUNITY: ("2(2)(i)", "COM"),
        Outcome.CHILD_CARE: ("2(2)(j)", "CHI"),
    },
    About.CARER: {
        CarerOutcome.CHILD_CARE: ("3(2)(b)(i)", "CHI"),
        CarerOutcome.OTHERS: ("3(2)(b)(ii)", "OTH"),
        CarerOutcome.HABITABLE_HOME: ("3(2)(b)(iii)", "HAB"),
        CarerOutcome.NUTRITION: ("3(2)(b)(iv)", "NUT"),
        CarerOutcome.RELATIONSHIPS: ("3(2)(b)(v)", "REL"),
        CarerOutcome.WORK: ("3(2)(b)(vi)", "WRK"),
        CarerOutcome.COMMUNITY: ("3(2)(b)(vii)", "COM"),
        CarerOutcome.RECREATION: ("3(2)(b)(viii)", "REC"),
    },
}

# Carer outcomes that use the same words as an adult outcome share its signposting code.
CARER_SIGNPOSTING: dict[str, str] = {
    CarerOutcome.NUTRITION: Outcome.NUTRITION,
    CarerOutcome.HABITABLE_HOME: Outcome.HABITABLE_HOME,
    CarerOutcome.RELATIONSHIPS: Outcome.RELATIONSHIPS,
    CarerOutcome.WORK: Outcome.WORK,
    CarerOutcome.COMMUNITY: Outcome.COMMUNITY,
    CarerOutcome.CHILD_CARE: Outcome.CHILD_CARE,
}


# --- The table ----------------------------------------------------------------------------------


class Effect(StrEnum):
    """What a rule does when its answer is given."""

    UNABLE = "unable"  # the outcome cannot be achieved
    MET = "met"  # the condition is met
    NOT_MET = "not_met"  # the condition is not met (unless another rule meets it)
    UNSURE = "unsure"  # the condition may be met: the council checks at assessment
    AT_LEAST = "at_least"  # the condition is met when `threshold` or more outcomes are unmet
    URGENT = "urgent"  # the request is urgent: show emergency contacts now
    FLUCTUATING = "fluctuating"  # needs fluctuate: the officer considers them over a period


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One row of the rules: an answer to a question, what it means, and the regulation."""

    id: str
    about: About | None  # None: applies to adults and carers alike
    effect: Effect
    criterion: str  # the regulation it encodes, like "2(3)(a)"
    text: str  # plain English, shown to the person and the officer
    question: str = ""  # "" for AT_LEAST rules, which count outcomes instead
    answer: str = ""
    outcome: str = ""  # for UNABLE rules
    condition: str = ""  # for MET, NOT_MET, UNSURE and AT_LEAST rules: "2(1)(a)"...
    threshold: int = 0  # for AT_LEAST rules


@dataclass(frozen=True)
class Condition:
    """One of the three conditions that must all be true for needs to be eligible."""

    reference: str
    about: About
    text: str


CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "2(1)(a)",
        About.ADULT,
        "The needs arise from or are related to a physical or mental impairment or illness",
    ),
    Condition("2(1)(b)", About.ADULT, "As a result, unable to achieve 2 or more of the outcomes"),
    Condition(
        "2(1)(c)",
        About.ADULT,
        "As a consequence, there is or is likely to be a significant impact on well-being",
    ),
    Condition("3(1)(a)", About.CARER, "The needs arise from providing necessary care for an adult"),
    Condition(
        "3(1)(b)",
        About.CARER,
        "As a result, the carer's health is deteriorating or at risk, "
        "or the carer is unable to achieve 1 or more of the outcomes",
    ),
    Condition(
        "3(1)(c)",
        About.CARER,
        "As a consequence, there is or is likely to be a significant impact on well-being",
    ),
)


@dataclass(frozen=True)
class _Test:
    letter: str
    answer: str
    short: str  # a few words for the reasons: "needs help"
    text: str


_ADULT_TESTS = (
    _Test("a", NEEDS_HELP, "needs help", "Cannot manage without help, including prompting"),
    _Test(
        "b",
        PAIN_DISTRESS,
        "significant pain, distress or anxiety",
        "Managing without help causes significant pain, distress or anxiety",
    ),
    _Test(
        "c",
        ENDANGERS,
        "endangers health or safety",
        "Managing without help endangers, or is likely to endanger, the health or safety "
        "of the person or others",
    ),
    _Test(
        "d",
        TAKES_LONGER,
        "takes significantly longer",
        "Managing without help takes significantly longer than would normally be expected",
    ),
)
# Regulation 3(3) has no "takes significantly longer" limb.
_CARER_TESTS = _ADULT_TESTS[:3]
# A few words for each difficulty test, for the reasons: {answer value: short text}.
SHORT_REASONS = {test.answer: test.short for test in _ADULT_TESTS}


def _outcome_rules(about: About, tests: tuple[_Test, ...], regulation: str) -> tuple[Rule, ...]:
    prefix = "A" if about == About.ADULT else "C"
    return tuple(
        Rule(
            id=f"{prefix}-{abbreviation}-{test.letter}",
            about=about,
            effect=Effect.UNABLE,
            question=outcome_question(about, code),
            answer=test.answer,
            outcome=code,
            criterion=f"{regulation}(3)({test.letter})",
            text=test.text,
        )
        for code, (_, abbreviation) in OUTCOME_REFERENCES[about].items()
        for test in tests
    )


_A, _C = About.ADULT, About.CARER

RULES: tuple[Rule, ...] = (
    # Urgent: flag the request and show emergency contacts at once, for adults and carers.
    Rule(
        id="U-DANGER",
        about=None,
        effect=Effect.URGENT,
        question=URGENT,
        answer=DANGER,
        criterion="urgent",
        text="Someone is in immediate danger or at risk of serious harm now",
    ),
    Rule(
        id="U-CARING",
        about=None,
        effect=Effect.URGENT,
        question=URGENT,
        answer=CARER_CANNOT_CONTINUE,
        criterion="urgent",
        text="A carer can no longer carry on caring, from today",
    ),
    Rule(
        id="U-ESSENTIALS",
        about=None,
        effect=Effect.URGENT,
        question=URGENT,
        answer=NO_ESSENTIALS,
        criterion="urgent",
        text="No food, no heating or no safe place to stay tonight",
    ),
    # Adults, regulation 2(1)(a): impairment or illness.
    Rule(
        id="A-IMP-yes",
        about=_A,
        effect=Effect.MET,
        condition="2(1)(a)",
        question=ADULT_IMPAIRMENT,
        answer=YES,
        criterion="2(1)(a)",
        text="The needs arise from a physical or mental impairment or illness",
    ),
    Rule(
        id="A-IMP-no",
        about=_A,
        effect=Effect.NOT_MET,
        condition="2(1)(a)",
        question=ADULT_IMPAIRMENT,
        answer=NO,
        criterion="2(1)(a)",
        text="You said the needs do not arise from a physical or mental impairment or illness",
    ),
    Rule(
        id="A-IMP-unsure",
        about=_A,
        effect=Effect.UNSURE,
        condition="2(1)(a)",
        question=ADULT_IMPAIRMENT,
        answer=NOT_SURE,
        criterion="2(1)(a)",
        text="You were not sure if the needs arise from an impairment or illness; "
        "the council will check this at assessment",
    ),
    # Adults, regulation 2(1)(b): 2 or more outcomes.
    Rule(
        id="A-OUT-2",
        about=_A,
        effect=Effect.AT_LEAST,
        condition="2(1)(b)",
        threshold=2,
        criterion="2(1)(b)",
        text="Unable to achieve 2 or more of the 10 outcomes",
    ),
    # Adults, regulation 2(1)(c): significant impact on well-being.
    Rule(
        id="A-SIG-yes",
        about=_A,
        effect=Effect.MET,
        condition="2(1)(c)",
        question=ADULT_SIGNIFICANT_IMPACT,
        answer=YES,
        criterion="2(1)(c)",
        text="There is, or is likely to be, a significant impact on well-being",
    ),
    Rule(
        id="A-SIG-no",
        about=_A,
        effect=Effect.NOT_MET,
        condition="2(1)(c)",
        question=ADULT_SIGNIFICANT_IMPACT,
        answer=NO,
        criterion="2(1)(c)",
        text="You said there is no significant impact on well-being",
    ),
    Rule(
        id="A-SIG-unsure",
        about=_A,
        effect=Effect.UNSURE,
        condition="2(1)(c)",
        question=ADULT_SIGNIFICANT_IMPACT,
        answer=NOT_SURE,
        criterion="2(1)(c)",
        text="You were not sure if there is a significant impact on well-being; "
        "the council will check this at assessment",
    ),
    # Adults, regulation 2(4): fluctuating needs.
    Rule(
        id="A-FLU",
        about=_A,
        effect=Effect.FLUCTUATING,
        question=ADULT_FLUCTUATES,
        answer=YES,
        criterion="2(4)",
        text="Needs fluctuate: consider them over a period",
    ),
    # Carers, regulation 3(1)(a): necessary care.
    Rule(
        id="C-NEC-yes",
        about=_C,
        effect=Effect.MET,
        condition="3(1)(a)",
        question=CARER_NECESSARY_CARE,
        answer=YES,
        criterion="3(1)(a)",
        text="The needs arise from providing necessary care for an adult",
    ),
    Rule(
        id="C-NEC-no",
        about=_C,
        effect=Effect.NOT_MET,
        condition="3(1)(a)",
        question=CARER_NECESSARY_CARE,
        answer=NO,
        criterion="3(1)(a)",
        text="You said the care provided is not necessary care",
    ),
    Rule(
        id="C-NEC-unsure",
        about=_C,
        effect=Effect.UNSURE,
        condition="3(1)(a)",
        question=CARER_NECESSARY_CARE,
        answer=NOT_SURE,
        criterion="3(1)(a)",
        text="You were not sure if the care provided is necessary care; "
        "the council will check this at assessment",
    ),
    # Carers, regulation 3(1)(b): health at risk (3(2)(a)) or 1 or more outcomes (3(2)(b)).
    Rule(
        id="C-HLT-yes",
        about=_C,
        effect=Effect.MET,
        condition="3(1)(b)",
        question=CARER_HEALTH,
        answer=YES,
        criterion="3(2)(a)",
        text="The carer's physical or mental health is deteriorating or at risk of deteriorating",
    ),
    Rule(
        id="C-HLT-no",
        about=_C,
        effect=Effect.NOT_MET,
        condition="3(1)(b)",
        question=CARER_HEALTH,
        answer=NO,
        criterion="3(2)(a)",
        text="You said the carer's health is not getting worse or at risk",
    ),
    Rule(
        id="C-HLT-unsure",
        about=_C,
        effect=Effect.NOT_MET,
        condition="3(1)(b)",
        question=CARER_HEALTH,
        answer=NOT_SURE,
        criterion="3(2)(a)",
        text="You were not sure if the carer's health is getting worse or at risk, so it does "
        "not count on its own; tell the council about it at assessment",
    ),
    Rule(
        id="C-OUT-1",
        about=_C,
        effect=Effect.AT_LEAST,
        condition="3(1)(b)",
        threshold=1,
        criterion="3(2)(b)",
        text="Unable to achieve 1 or more of the 8 carer outcomes",
    ),
    # Carers, regulation 3(1)(c): significant impact on well-being.
    Rule(
        id="C-SIG-yes",
        about=_C,
        effect=Effect.MET,
        condition="3(1)(c)",
        question=CARER_SIGNIFICANT_IMPACT,
        answer=YES,
        criterion="3(1)(c)",
        text="There is, or is likely to be, a significant impact on the carer's well-being",
    ),
    Rule(
        id="C-SIG-no",
        about=_C,
        effect=Effect.NOT_MET,
        condition="3(1)(c)",
        question=CARER_SIGNIFICANT_IMPACT,
        answer=NO,
        criterion="3(1)(c)",
        text="You said there is no significant impact on the carer's well-being",
    ),
    Rule(
        id="C-SIG-unsure",
        about=_C,
        effect=Effect.UNSURE,
        condition="3(1)(c)",
        question=CARER_SIGNIFICANT_IMPACT,
        answer=NOT_SURE,
        criterion="3(1)(c)",
        text="You were not sure if there is a significant impact on the carer's well-being; "
        "the council will check this at assessment",
    ),
    # Carers, regulation 3(4): fluctuating needs.
    Rule(
        id="C-FLU",
        about=_C,
        effect=Effect.FLUCTUATING,
        question=CARER_FLUCTUATES,
        answer=YES,
        criterion="3(4)",
        text="Needs fluctuate: consider them over a period",
    ),
    # Outcomes: each difficulty test of regulation 2(3) or 3(3), for each outcome.
    *_outcome_rules(_A, _ADULT_TESTS, "2"),
    *_outcome_rules(_C, _CARER_TESTS, "3"),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
