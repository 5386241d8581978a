"""The front door's Care Act rules (SI 2015/313 regs 2 and 3): every combination of outcomes and
conditions that decides the recommendation, the table's completeness, and that no answers at all
can make it fail to give one."""

import json
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebridge.frontdoor.assessment import rules as el
from carebridge.frontdoor.assessment.eligibility import Assessment, assess
from carebridge.frontdoor.assessment.questions import QUESTIONS, by_id
from carebridge.frontdoor.assessment.rules import RULES, Effect
from carebridge.frontdoor.choices import About, CarerOutcome, Outcome, Result

LIKELY = Result.LIKELY_ELIGIBLE
MAY_NOT = Result.MAY_NOT_BE_ELIGIBLE
ADULT_OUTCOMES = [outcome.value for outcome in Outcome]
CARER_OUTCOMES = [outcome.value for outcome in CarerOutcome]
ADULT_TESTS = [
    ("a", "needs_help"),
    ("b", "pain_distress"),
    ("c", "endangers"),
    ("d", "takes_longer"),
]
CARER_TESTS = ADULT_TESTS[:3]
ABBREVIATION = {
    About.ADULT: {code: abbr for code, (_, abbr) in el.OUTCOME_REFERENCES[About.ADULT].items()},
    About.CARER: {code: abbr for code, (_, abbr) in el.OUTCOME_REFERENCES[About.CARER].items()},
}


def adult(unmet=(), *, impairment="yes", impact="yes", **extra):
    """An adult's answers: the outcomes in `unmet` need help (or the tests given for them in a
    dict), every other outcome is managed without difficulty."""
    tests = unmet if isinstance(unmet, dict) else {code: ["needs_help"] for code in unmet}
    answers = {
        "asker": "self",
        "about": "adult",
        "urgent": ["none"],
        "adult_impairment": impairment,
        "adult_fluctuates": "no",
        "adult_significant_impact": impact,
    }
    for code in ADULT_OUTCOMES:
        answers[f"adult_{code}"] = tests.get(code, ["no_difficulty"])
    answers.update(extra)
    return {key: value for key, value in answers.items() if value is not None}


def carer(unmet=(), *, necessary="yes", health="no", impact="yes", **extra):
    tests = unmet if isinstance(unmet, dict) else {code: ["needs_help"] for code in unmet}
    answers = {
        "asker": "self",
        "about": "carer",
        "urgent": ["none"],
        "carer_necessary_care": necessary,
        "carer_health": health,
        "carer_fluctuates": "no",
        "carer_significant_impact": impact,
    }
    for code in CARER_OUTCOMES:
        answers[f"carer_{code}"] = tests.get(code, ["no_difficulty"])
    answers.update(extra)
    return {key: value for key, value in answers.items() if value is not None}


def condition(assessment, reference):
    return next(finding for finding in assessment.conditions if finding.reference == reference)


def outcome(assessment, code):
    return next(finding for finding in assessment.outcomes if finding.code == code)


# --- Adults: regulation 2 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unmet", "result", "met"),
    [
        ((), MAY_NOT, False),
        (("nutrition",), MAY_NOT, False),
        (("nutrition", "hygiene"), LIKELY, True),
        (("toilet", "child_care"), LIKELY, True),
        (tuple(ADULT_OUTCOMES), LIKELY, True),
    ],
)
def test_it_needs_two_or_more_adult_outcomes(unmet, result, met):
    assessment = assess(adult(unmet))

    assert assessment.result == result
    assert condition(assessment, "2(1)(b)").met is met
    assert condition(assessment, "2(1)(b)").rule_ids == ("A-OUT-2",)
    assert assessment.unable_count == len(unmet)


@pytest.mark.parametrize("code", ADULT_OUTCOMES)
@pytest.mark.parametrize(("letter", "answer"), ADULT_TESTS)
def test_it_counts_an_adult_outcome_unmet_on_any_one_of_the_four_tests(code, letter, answer):
    assessment = assess(adult({code: [answer]}))

    found = outcome(assessment, code)
    assert found.unable
    assert found.rule_ids == (f"A-{ABBREVIATION[About.ADULT][code]}-{letter}",)
    rule = el.RULES_BY_ID[found.rule_ids[0]]
    assert rule.criterion == f"2(3)({letter})"
    assert assessment.unmet == (code,)


def test_it_records_every_test_that_made_an_outcome_unmet():
    assessment = assess(adult({"hygiene": ["needs_help", "takes_longer"], "toilet": ["endangers"]}))

    assert outcome(assessment, "hygiene").rule_ids == ("A-HYG-a", "A-HYG-d")
    assert outcome(assessment, "hygiene").text == "needs help; takes significantly longer"
    assert outcome(assessment, "toilet").rule_ids == ("A-TOI-c",)
    assert outcome(assessment, "nutrition").rule_ids == ()
    assert outcome(assessment, "nutrition").text == "no difficulty"


@pytest.mark.parametrize(
    ("answers", "text"),
    [
        ({"adult_child_care": ["not_applicable"]}, "does not apply"),
        ({"adult_child_care": ["no_difficulty"]}, "no difficulty"),
        ({"adult_child_care": None}, "not answered"),
        ({"adult_child_care": []}, "not answered"),
    ],
)
def test_it_counts_an_outcome_without_difficulty_as_achieved(answers, text):
    found = outcome(assess(adult(**answers)), "child_care")

    assert not found.unable
    assert found.text == text


@pytest.mark.parametrize(
    ("impairment", "met", "result", "rule_id"),
    [
        ("yes", True, LIKELY, "A-IMP-yes"),
        ("no", False, MAY_NOT, "A-IMP-no"),
        ("not_sure", None, LIKELY, "A-IMP-unsure"),
    ],
)
def test_it_follows_the_impairment_answer_and_treats_not_sure_as_possibly_met(
    impairment, met, result, rule_id
):
    assessment = assess(adult(("nutrition", "hygiene"), impairment=impairment))

    assert condition(assessment, "2(1)(a)").met is met
    assert condition(assessment, "2(1)(a)").rule_ids == (rule_id,)
    assert assessment.result == result


@pytest.mark.parametrize(
    ("impact", "met", "result", "rule_id"),
    [
        ("yes", True, LIKELY, "A-SIG-yes"),
        ("no", False, MAY_NOT, "A-SIG-no"),
        ("not_sure", None, LIKELY, "A-SIG-unsure"),
    ],
)
def test_it_follows_the_adult_significant_impact_answer(impact, met, result, rule_id):
    assessment = assess(adult(("nutrition", "hygiene"), impact=impact))

    assert condition(assessment, "2(1)(c)").met is met
    assert condition(assessment, "2(1)(c)").rule_ids == (rule_id,)
    assert assessment.result == result


def test_it_tells_the_person_the_council_will_check_what_they_were_not_sure_of():
    assessment = assess(adult(("nutrition", "hygiene"), impairment="not_sure", impact="not_sure"))

    unsure = [finding for finding in assessment.conditions if finding.met is None]
    assert [finding.reference for finding in unsure] == ["2(1)(a)", "2(1)(c)"]
    for finding in unsure:
        assert "You were not sure" in finding.reason
        assert "the council will check this at assessment" in finding.reason
    assert assessment.result == LIKELY


def test_it_treats_unanswered_conditions_as_possibly_met():
    assessment = assess(adult(("nutrition", "hygiene"), impairment=None, impact=None))

    assert condition(assessment, "2(1)(a)").met is None
    assert condition(assessment, "2(1)(a)").rule_ids == ()
    assert "Not answered" in condition(assessment, "2(1)(a)").reason
    assert assessment.result == LIKELY


@pytest.mark.parametrize(
    ("impairment", "unmet", "impact", "result"),
    [
        ("yes", 2, "yes", LIKELY),
        ("no", 2, "yes", MAY_NOT),
        ("yes", 1, "yes", MAY_NOT),
        ("yes", 2, "no", MAY_NOT),
        ("no", 0, "no", MAY_NOT),
        ("not_sure", 2, "not_sure", LIKELY),
        ("not_sure", 1, "not_sure", MAY_NOT),
    ],
)
def test_it_needs_all_three_adult_conditions(impairment, unmet, impact, result):
    answers = adult(ADULT_OUTCOMES[:unmet], impairment=impairment, impact=impact)

    assert assess(answers).result == result


def test_it_explains_the_outcome_count_in_plain_english():
    assessment = assess(
        adult({"nutrition": ["needs_help"], "hygiene": ["needs_help"], "toilet": ["endangers"]})
    )

    assert (
        "Cannot achieve 3 of the 10 outcomes (2 or more needed): "
        "Managing and maintaining nutrition (needs help); "
        "Maintaining personal hygiene (needs help); "
        "Managing toilet needs (endangers health or safety) (regulation 2(1)(b))"
    ) in assessment.reasons
    assert assessment.reasons[-1].startswith("Every condition of regulation 2(1) is met")


def test_it_says_which_condition_is_not_met_and_that_they_can_still_ask():
    assessment = assess(adult(("nutrition",)))

    assert assessment.reasons[-1] == (
        "Not met: regulation 2(1)(b), so the needs may not be eligible. "
        "You can still ask the council for an assessment."
    )


# --- Carers: regulation 3 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("health", "unmet", "result", "rule_ids"),
    [
        ("yes", (), LIKELY, ("C-HLT-yes",)),
        ("no", ("recreation",), LIKELY, ("C-OUT-1",)),
        ("yes", ("recreation",), LIKELY, ("C-HLT-yes", "C-OUT-1")),
        ("no", (), MAY_NOT, ("C-HLT-no", "C-OUT-1")),
        ("not_sure", (), MAY_NOT, ("C-HLT-unsure", "C-OUT-1")),
        ("not_sure", ("others",), LIKELY, ("C-OUT-1",)),
        (None, (), MAY_NOT, ("C-OUT-1",)),
        (None, tuple(CARER_OUTCOMES), LIKELY, ("C-OUT-1",)),
    ],
)
def test_it_needs_health_at_risk_or_one_carer_outcome(health, unmet, result, rule_ids):
    assessment = assess(carer(unmet, health=health))

    assert assessment.result == result
    assert condition(assessment, "3(1)(b)").rule_ids == rule_ids
    assert condition(assessment, "3(1)(b)").met is (result == LIKELY)


def test_it_cites_3_2_a_and_3_2_b_separately():
    reason = condition(assess(carer(("work",), health="yes")), "3(1)(b)").reason

    assert "(regulation 3(2)(a))" in reason
    assert "Cannot achieve 1 of the 8 carer outcomes (1 or more needed)" in reason
    assert "(regulation 3(2)(b))" in reason


def test_it_does_not_count_not_sure_about_a_carers_health_but_says_so():
    finding = condition(assess(carer(health="not_sure")), "3(1)(b)")

    assert finding.met is False
    assert "You were not sure" in finding.reason


@pytest.mark.parametrize("code", CARER_OUTCOMES)
@pytest.mark.parametrize(("letter", "answer"), CARER_TESTS)
def test_it_counts_a_carer_outcome_unmet_on_any_one_of_the_three_tests(code, letter, answer):
    assessment = assess(carer({code: [answer]}))

    found = outcome(assessment, code)
    assert found.unable
    assert found.rule_ids == (f"C-{ABBREVIATION[About.CARER][code]}-{letter}",)
    assert el.RULES_BY_ID[found.rule_ids[0]].criterion == f"3(3)({letter})"
    assert assessment.result == LIKELY


@pytest.mark.parametrize("code", CARER_OUTCOMES)
def test_it_ignores_takes_longer_for_carers(code):
    assessment = assess(carer({code: ["takes_longer"]}))

    assert not outcome(assessment, code).unable
    assert assessment.result == MAY_NOT


@pytest.mark.parametrize(
    ("necessary", "met", "result"),
    [("yes", True, LIKELY), ("no", False, MAY_NOT), ("not_sure", None, LIKELY)],
)
def test_it_follows_the_necessary_care_answer(necessary, met, result):
    assessment = assess(carer(("work",), necessary=necessary))

    assert condition(assessment, "3(1)(a)").met is met
    assert assessment.result == result


@pytest.mark.parametrize(
    ("impact", "met", "result"),
    [("yes", True, LIKELY), ("no", False, MAY_NOT), ("not_sure", None, LIKELY)],
)
def test_it_follows_the_carer_significant_impact_answer(impact, met, result):
    assessment = assess(carer(health="yes", impact=impact))

    assert condition(assessment, "3(1)(c)").met is met
    assert assessment.result == result


def test_it_judges_a_carer_only_on_the_carer_rules():
    # Adult answers left over from before "about" changed must not count.
    answers = {**adult(ADULT_OUTCOMES, impairment="yes"), **carer()}

    assessment = assess(answers)

    assert [finding.reference for finding in assessment.conditions] == [
        "3(1)(a)",
        "3(1)(b)",
        "3(1)(c)",
    ]
    assert [found.code for found in assessment.outcomes] == CARER_OUTCOMES
    assert assessment.result == MAY_NOT


# --- Urgency and fluctuation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgent", "rule_ids"),
    [
        (["danger"], ("U-DANGER",)),
        (["carer_cannot_continue"], ("U-CARING",)),
        (["no_essentials"], ("U-ESSENTIALS",)),
        (["danger", "no_essentials"], ("U-DANGER", "U-ESSENTIALS")),
        (["none"], ()),
        ([], ()),
    ],
)
@pytest.mark.parametrize("build", [adult, carer])
def test_it_flags_urgent_requests_without_changing_the_result(build, urgent, rule_ids):
    calm = assess(build())
    assessment = assess(build(urgent=urgent))

    assert assessment.urgent is bool(rule_ids)
    assert tuple(finding.rule_ids[0] for finding in assessment.urgent_reasons) == rule_ids
    assert assessment.result == calm.result
    assert [line for line in assessment.reasons if line.startswith("Urgent: ")] == [
        f"Urgent: {finding.text}" for finding in assessment.urgent_reasons
    ]


def test_it_knows_a_request_is_urgent_from_the_first_pages_alone():
    assessment = assess({"asker": "family", "about": "adult", "urgent": ["danger"]})

    assert assessment.urgent
    assert assessment.urgent_reasons[0].text == (
        "Someone is in immediate danger or at risk of serious harm now"
    )


@pytest.mark.parametrize(
    ("answers", "fluctuating", "reference"),
    [
        (adult(("nutrition",), adult_fluctuates="yes"), True, "2(4)"),
        (adult(("nutrition", "hygiene"), adult_fluctuates="yes"), True, "2(4)"),
        (adult(("nutrition",), adult_fluctuates="no"), False, ""),
        (carer(carer_fluctuates="yes"), True, "3(4)"),
        (carer(carer_fluctuates="no", adult_fluctuates="yes"), False, ""),
    ],
)
def test_it_reports_fluctuating_needs_to_the_officer_without_changing_the_result(
    answers, fluctuating, reference
):
    steady = dict(answers, adult_fluctuates="no", carer_fluctuates="no")

    assessment = assess(answers)

    assert assessment.fluctuating is fluctuating
    assert assessment.result == assess(steady).result
    line = f"Needs fluctuate: consider them over a period (regulation {reference})"
    assert (line in assessment.reasons) is fluctuating


# --- Signposting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "unmet"),
    [
        (adult(), ()),
        (adult(("community", "nutrition")), ("nutrition", "community")),
        (adult(tuple(ADULT_OUTCOMES)), tuple(ADULT_OUTCOMES)),
        (carer(), ("carer_support",)),
        (carer(("recreation", "others")), ("carer_support",)),
        (
            carer(("work", "nutrition", "child_care")),
            ("carer_support", "nutrition", "work", "child_care"),
        ),
        (
            carer(tuple(CARER_OUTCOMES)),
            (
                "carer_support",
                "nutrition",
                "habitable_home",
                "relationships",
                "work",
                "community",
                "child_care",
            ),
        ),
    ],
)
def test_it_lists_unmet_outcomes_as_signposting_codes(answers, unmet):
    assert assess(answers).unmet == unmet


def test_it_only_signposts_to_codes_the_directory_knows():
    known = {outcome.value for outcome in Outcome} | {el.CARER_SUPPORT}

    assert set(el.CARER_SIGNPOSTING.values()) <= known
    assert set(assess(carer(tuple(CARER_OUTCOMES))).unmet) <= known


def test_it_records_the_areas_of_well_being_affected():
    assessment = assess(adult(adult_wellbeing=["health", "dignity", "rubbish"]))

    assert assessment.wellbeing_areas == ("dignity", "health")
    assert (
        "Areas of well-being affected: Personal dignity, including being treated with respect; "
        "Physical and mental health and emotional well-being"
    ) in assessment.reasons


# --- Storing it ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        {},
        adult(("nutrition", "hygiene"), impairment="not_sure", adult_fluctuates="yes"),
        adult(urgent=["danger", "no_essentials"], adult_wellbeing=["control"]),
        carer(("work",), health="yes", impact="not_sure"),
        carer(necessary="no"),
    ],
)
def test_it_round_trips_through_json(answers):
    assessment = assess(answers)

    stored = json.loads(json.dumps(assessment.to_json()))

    assert Assessment.from_json(stored) == assessment
    assert Assessment.from_json(stored).to_json() == stored


def test_it_stamps_the_ruleset_version():
    assert assess({}).version == el.RULESET_VERSION == "SI 2015/313 v1"


# --- The table ----------------------------------------------------------------------------------


def test_it_has_unique_rule_ids():
    counts = Counter(rule.id for rule in RULES)

    assert [rule_id for rule_id, count in counts.items() if count > 1] == []


@pytest.mark.parametrize("code", ADULT_OUTCOMES)
def test_it_has_a_rule_for_every_adult_outcome_and_all_four_tests(code):
    rules = [rule for rule in RULES if rule.effect == Effect.UNABLE and rule.about == About.ADULT]
    criteria = sorted(rule.criterion for rule in rules if rule.outcome == code)

    assert criteria == ["2(3)(a)", "2(3)(b)", "2(3)(c)", "2(3)(d)"]


@pytest.mark.parametrize("code", CARER_OUTCOMES)
def test_it_has_a_rule_for_every_carer_outcome_and_only_the_three_carer_tests(code):
    rules = [rule for rule in RULES if rule.effect == Effect.UNABLE and rule.about == About.CARER]
    found = sorted((rule.criterion, rule.answer) for rule in rules if rule.outcome == code)

    assert found == [
        ("3(3)(a)", "needs_help"),
        ("3(3)(b)", "pain_distress"),
        ("3(3)(c)", "endangers"),
    ]


def test_it_has_rules_for_every_condition_and_each_answer_to_its_question():
    for cond in el.CONDITIONS:
        rules = [rule for rule in RULES if rule.condition == cond.reference]
        assert rules, cond.reference
        for rule in rules:
            assert rule.about == cond.about
        for question in {rule.question for rule in rules if rule.question}:
            answered = sorted(rule.answer for rule in rules if rule.question == question)
            assert answered == ["no", "not_sure", "yes"], question
    assert {rule.condition for rule in RULES if rule.condition} == {
        cond.reference for cond in el.CONDITIONS
    }


def test_it_asks_every_question_the_rules_read_with_every_answer_they_read():
    for rule in RULES:
        if not rule.question:
            continue
        question = by_id(rule.question)
        assert question is not None, rule.id
        assert rule.answer in question.values(), rule.id


def test_it_never_offers_takes_longer_to_a_carer():
    for question in QUESTIONS:
        if question.id.startswith("carer_"):
            assert "takes_longer" not in question.values(), question.id


# --- Anything at all ----------------------------------------------------------------------------


def _catalogue_answer(question):
    if question.kind == "radios":
        return st.sampled_from(question.values())
    if question.kind == "checkboxes":
        return st.lists(st.sampled_from(question.values()), unique=True)
    if question.kind == "date":
        return st.dates().map(lambda day: day.isoformat())
    return st.text(max_size=20)


CATALOGUE_ANSWERS = st.fixed_dictionaries(
    {}, optional={question.id: _catalogue_answer(question) for question in QUESTIONS}
)
JUNK_VALUES = st.one_of(
    st.text(),
    st.none(),
    st.integers(),
    st.floats(),
    st.lists(st.one_of(st.text(), st.integers(), st.none())),
    st.dictionaries(st.text(), st.text()),
)
JUNK_ANSWERS = st.dictionaries(
    st.one_of(st.sampled_from([question.id for question in QUESTIONS]), st.text()),
    JUNK_VALUES,
)


def _check(assessment):
    assert assessment.result in (LIKELY, MAY_NOT)
    assert assessment.about in (About.ADULT, About.CARER)
    assert len(assessment.conditions) == 3
    assert assessment.reasons
    assert Assessment.from_json(json.loads(json.dumps(assessment.to_json()))) == assessment


@given(CATALOGUE_ANSWERS)
def test_it_always_recommends_for_answers_from_the_questions(answers):
    assessment = assess(answers)

    _check(assessment)
    # The result is exactly "no condition is not met".
    not_met = any(finding.met is False for finding in assessment.conditions)
    assert (assessment.result == MAY_NOT) is not_met


@given(JUNK_ANSWERS)
def test_it_always_recommends_for_junk(answers):
    _check(assess(answers))
