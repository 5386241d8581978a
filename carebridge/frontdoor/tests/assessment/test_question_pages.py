"""The front door's question pages: which pages show for whom and in what order, how each
page's answer is checked, and what check your answers shows."""

import itertools
import re
import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebridge.frontdoor.assessment import answers as a
from carebridge.frontdoor.assessment import pages as p
from carebridge.frontdoor.assessment import questions as q
from carebridge.frontdoor.assessment.answers import (
    clean,
    first_unanswered,
    next_question,
    pages_for,
    previous_question,
    prune,
    summary_rows,
)
from carebridge.frontdoor.assessment.pages import BAD_DAY_HINT
from carebridge.frontdoor.assessment.questions import QUESTIONS, by_id, by_slug, first_question
from carebridge.frontdoor.choices import CarerOutcome, Outcome
from carebridge.people.validators import POSTCODE_MESSAGE

TODAY = date(2026, 1, 15)
ADULT_PAGES = [f"adult_{outcome.value}" for outcome in Outcome]
CARER_PAGES = [f"carer_{outcome.value}" for outcome in CarerOutcome]
CONTACT = ["person_name", "person_dob", "person_phone", "person_email"]
ASKER_CONTACT = ["asker_name", "asker_email", "asker_phone"]


def ids(pages):
    return [page.id for page in pages]


def page(question_id):
    question = by_id(question_id)
    assert question is not None
    return question


# --- Which pages, in what order -----------------------------------------------------------------


def test_it_asks_an_adult_asking_for_themselves_these_pages_in_order():
    assert ids(pages_for({"asker": "self", "about": "adult"})) == [
        "asker",
        "about",
        "urgent",
        "postcode",
        "adult_impairment",
        "adult_fluctuates",
        *ADULT_PAGES,
        "adult_wellbeing",
        "adult_significant_impact",
        *CONTACT,
        "consent",
    ]


def test_it_asks_a_professional_about_a_carer_these_pages_in_order():
    assert ids(pages_for({"asker": "professional", "about": "carer"})) == [
        "asker",
        "professional_organisation",
        "professional_role",
        "about",
        "urgent",
        "postcode",
        "carer_necessary_care",
        "carer_health",
        "carer_fluctuates",
        *CARER_PAGES,
        "carer_wellbeing",
        "carer_significant_impact",
        *CONTACT,
        *ASKER_CONTACT,
        "consent",
    ]


@pytest.mark.parametrize(
    ("answers", "shown", "hidden"),
    [
        ({"asker": "self"}, [], ["professional_organisation", *ASKER_CONTACT]),
        ({"asker": "family"}, ASKER_CONTACT, ["professional_organisation"]),
        ({"asker": "professional"}, ["professional_role", *ASKER_CONTACT], []),
        ({"about": "adult"}, ADULT_PAGES, CARER_PAGES),
        ({"about": "carer"}, CARER_PAGES, ADULT_PAGES),
        ({}, ["asker", "about", "urgent", "postcode", "consent"], ADULT_PAGES + CARER_PAGES),
    ],
)
def test_it_shows_pages_only_to_those_they_apply_to(answers, shown, hidden):
    pages = ids(pages_for(answers))

    assert set(shown) <= set(pages)
    assert not set(hidden) & set(pages)


def test_it_walks_forward_and_back_through_the_pages():
    answers = {"asker": "family", "about": "adult"}
    pages = pages_for(answers)

    for before, after in itertools.pairwise(pages):
        assert next_question(answers, before.id) == after
        assert previous_question(answers, after.id) == before
    assert previous_question(answers, "asker") is None
    assert next_question(answers, "consent") is None


def test_it_goes_to_the_professional_pages_only_after_a_professional_answers():
    assert next_question({"asker": "professional"}, "asker") == page("professional_organisation")
    assert next_question({"asker": "family"}, "asker") == page("about")
    assert previous_question({"asker": "family"}, "about") == page("asker")


def test_it_finds_the_next_page_from_one_that_no_longer_shows():
    # After "about" changes from adult to carer, a stale adult page leads on to the carer
    # pages, which come after the adult ones, and back to the shared pages before them.
    assert next_question({"about": "carer"}, "adult_nutrition") == page("carer_necessary_care")
    assert previous_question({"about": "carer"}, "adult_nutrition") == page("postcode")


def test_it_starts_again_for_an_unknown_page():
    assert next_question({}, "nonsense") == first_question() == page("asker")
    assert previous_question({}, "nonsense") is None


def test_it_finds_the_first_page_still_to_answer():
    assert first_unanswered({}) == page("asker")
    assert first_unanswered({"asker": "self", "about": "adult", "urgent": ["none"]}) == page(
        "postcode"
    )
    answers = {page.id: "x" for page in pages_for({"asker": "self", "about": "adult"})}
    answers.update(asker="self", about="adult")
    assert first_unanswered(answers) is None
    answers["about"] = "carer"
    assert first_unanswered(answers) == page("carer_necessary_care")


def test_it_prunes_answers_to_pages_that_no_longer_show():
    answers = {
        "asker": "professional",
        "professional_role": "GP",
        "about": "adult",
        "adult_nutrition": ["needs_help"],
        "postcode": "SW1A 1AA",
        "asker_name": "Dr Patel",
        "made_up": "x",
    }

    assert prune({**answers, "about": "carer"}) == {
        "asker": "professional",
        "professional_role": "GP",
        "about": "carer",
        "postcode": "SW1A 1AA",
        "asker_name": "Dr Patel",
    }
    assert prune({**answers, "asker": "self"}) == {
        "asker": "self",
        "about": "adult",
        "adult_nutrition": ["needs_help"],
        "postcode": "SW1A 1AA",
    }


def test_it_prunes_into_a_copy():
    answers = {"asker": "self", "about": "adult", "adult_hygiene": ["needs_help"]}

    pruned = prune(answers)
    pruned["adult_hygiene"].append("takes_longer")

    assert answers["adult_hygiene"] == ["needs_help"]


# --- The catalogue ------------------------------------------------------------------------------


def test_it_uses_ids_with_underscores_and_slugs_with_hyphens():
    for question in QUESTIONS:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", question.id), question.id
        assert question.slug == question.id.replace("_", "-")
        assert by_slug(question.slug) == question == by_id(question.id)
    assert len({question.id for question in QUESTIONS}) == len(QUESTIONS)
    assert by_id("nonsense") is None
    assert by_slug("adult_nutrition") is None


def test_it_only_shows_a_page_on_answers_to_earlier_pages():
    seen = set()
    for question in QUESTIONS:
        for condition in (question.shown_if, question.bad_day_if):
            if condition is not None:
                assert condition.question in seen, question.id
                assert set(condition.values) <= set(page(condition.question).values())
        seen.add(question.id)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda question: question.id)
def test_it_gives_every_page_what_the_templates_need(question):
    assert question.kind in {
        "radios",
        "checkboxes",
        "text",
        "textarea",
        "email",
        "tel",
        "postcode",
        "date",
    }
    assert question.heading.rstrip().endswith("?")
    assert question.error_required
    assert question.section in q.SECTIONS
    assert question.summary_label
    values = question.values()
    assert len(values) == len(set(values))
    assert bool(values) is (question.kind in {"radios", "checkboxes"})
    if any(choice.exclusive for choice in question.choices):
        assert question.kind == "checkboxes"
        assert question.error_exclusive.endswith("— not both")
        # The "or" options come after the divider, at the end.
        flags = [choice.exclusive for choice in question.choices]
        assert flags == sorted(flags)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda question: question.id)
@pytest.mark.parametrize("asker", ["self", "family", "professional"])
def test_it_reads_every_template_in_both_voices(question, asker):
    answers = {"asker": asker, "adult_fluctuates": "yes", "carer_fluctuates": "yes"}
    choices = question.choices_for(answers)
    texts = [
        question.heading_for(answers),
        question.hint_for(answers),
        question.error_required and p.say(question.error_required, answers),
        question.error_exclusive and p.say(question.error_exclusive, answers),
        *(choice.label for choice in choices),
        *(choice.hint for choice in choices),
    ]
    for text in [*texts, question.section_for(answers)]:
        assert "{" not in text
        assert "}" not in text
    about_the_person = question.id == "postcode" or question.id.startswith(
        ("adult_", "carer_", "person_")
    )
    if asker != "self" and about_the_person:
        for text in texts:
            assert not re.search(r"\b(?:you|your|yourself)\b", text, re.IGNORECASE), text


@pytest.mark.parametrize(
    ("asker", "heading", "label"),
    [
        (
            "self",
            "Can you manage and maintain your nutrition?",
            "You can do this without difficulty",
        ),
        (
            "family",
            "Can they manage and maintain their nutrition?",
            "They can do this without difficulty",
        ),
    ],
)
def test_it_speaks_to_the_person_or_about_them(asker, heading, label):
    question = page("adult_nutrition")
    answers = {"asker": asker}

    assert question.heading_for(answers) == heading
    assert question.choices_for(answers)[-1].label == label
    assert question.section_for(answers) == ("Your needs" if asker == "self" else "Their needs")


def test_it_offers_the_adult_outcome_pages_the_four_tests_and_an_or_option():
    for question_id in ADULT_PAGES:
        question = page(question_id)
        assert question.kind == "checkboxes"
        assert question.values()[:5] == (
            "needs_help",
            "pain_distress",
            "endangers",
            "takes_longer",
            "no_difficulty",
        )
        exclusive = [choice.value for choice in question.choices if choice.exclusive]
        expected = (
            ["no_difficulty", "not_applicable"]
            if question_id == "adult_child_care"
            else ["no_difficulty"]
        )
        assert exclusive == expected


def test_it_offers_the_carer_outcome_pages_only_the_three_carer_tests():
    for question_id in CARER_PAGES:
        values = page(question_id).values()
        assert values[:4] == ("needs_help", "pain_distress", "endangers", "no_difficulty")
        assert "takes_longer" not in values


@pytest.mark.parametrize(
    ("answers", "question_id", "bad_day"),
    [
        ({"adult_fluctuates": "yes"}, "adult_nutrition", True),
        ({"adult_fluctuates": "no"}, "adult_nutrition", False),
        ({}, "adult_nutrition", False),
        ({"carer_fluctuates": "yes"}, "carer_recreation", True),
        ({"adult_fluctuates": "yes"}, "carer_recreation", False),
        ({"adult_fluctuates": "yes"}, "postcode", False),
    ],
)
def test_it_asks_for_a_typical_bad_day_when_needs_fluctuate(answers, question_id, bad_day):
    assert (BAD_DAY_HINT in page(question_id).hint_for(answers)) is bad_day


def test_it_explains_necessary_care_and_that_saying_no_to_sharing_never_stops_an_assessment():
    assert "Necessary care is" in page("carer_necessary_care").hint
    consent = page("consent").hint_for({"asker": "self"})
    assert "never stops you asking for an assessment" in consent
    assert page("consent").values() == ("yes", "no")


# --- Checking one page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "raw", "value", "error"),
    [
        ("asker", [], "", "Select who is asking"),
        ("asker", [""], "", "Select who is asking"),
        ("asker", ["self"], "self", None),
        ("asker", "professional", "professional", None),
        ("asker", ["boss"], "", "Select who is asking"),
        ("about", [], "", "Select what the request is about"),
        ("adult_impairment", ["not_sure"], "not_sure", None),
        ("postcode", ["sw1a1aa"], "SW1A 1AA", None),
        ("postcode", ["  Sw1A   1aA "], "SW1A 1AA", None),
        ("postcode", ["SW1A"], "SW1A", POSTCODE_MESSAGE),
        ("postcode", [""], "", "Enter their postcode"),
        ("professional_role", ["  Social   prescriber "], "Social prescriber", None),
        (
            "professional_role",
            ["x" * 201],
            "x" * 201,
            "Your job title must be 200 characters or fewer",
        ),
        ("person_name", [], "", "Enter their full name"),
        ("person_email", [""], "", None),
        ("person_email", [" ann@example.com "], "ann@example.com", None),
        (
            "person_email",
            ["ann@example"],
            "ann@example",
            "Enter an email address in the correct format, like name@example.com",
        ),
        ("person_email", ["ann example.com"], "ann example.com", a.EMAIL_MESSAGE),
        ("person_phone", [""], "", None),
        ("person_phone", ["07700  900982"], "07700 900982", None),
        ("person_phone", ["+44 (0)808 157 0192"], "+44 (0)808 157 0192", None),
        ("person_phone", ["999"], "999", a.PHONE_MESSAGE),
        ("person_phone", ["call me"], "call me", a.PHONE_MESSAGE),
        ("consent", ["no"], "no", None),
    ],
)
def test_it_checks_a_page(question_id, raw, value, error):
    assert clean(page(question_id), raw) == (value, error)


@pytest.mark.parametrize(
    ("raw", "value", "error"),
    [
        (["takes_longer", "needs_help", "needs_help"], ["needs_help", "takes_longer"], None),
        (["no_difficulty"], ["no_difficulty"], None),
        (
            ["no_difficulty", "needs_help"],
            ["needs_help", "no_difficulty"],
            "Select if they can manage without difficulty, or what makes it hard — not both",
        ),
        ([], [], "Select if they can manage without difficulty, or what makes it hard"),
        (["hacked"], [], "Select if they can manage without difficulty, or what makes it hard"),
        (["not_applicable"], ["not_applicable"], None),
        (
            ["not_applicable", "no_difficulty"],
            ["no_difficulty", "not_applicable"],
            "Select if they can manage without difficulty, or what makes it hard — not both",
        ),
    ],
)
def test_it_checks_an_outcome_page(raw, value, error):
    assert clean(page("adult_child_care"), raw) == (value, error)


def test_it_words_errors_in_the_voice_of_the_page():
    _, error = clean(page("adult_nutrition"), [], answers={"asker": "self"})

    assert error == "Select if you can manage without difficulty, or what makes it hard"


def test_it_refuses_takes_longer_on_a_carer_page():
    assert clean(page("carer_work"), ["takes_longer"])[1] is not None


@pytest.mark.parametrize(
    ("raw", "value", "error"),
    [
        (["3", "3", "1941"], "1941-03-03", None),
        ([" 03 ", "03", "1941"], "1941-03-03", None),
        (["3", "March", "1941"], "1941-03-03", None),
        (["3", "mar", "1941"], "1941-03-03", None),
        ("1941-03-03", "1941-03-03", None),
        ("3/3/1941", "1941-03-03", None),
        ("3 March 1941", "1941-03-03", None),
        (["", "", ""], "", None),
        ([], "", None),
        (["3", "", "1941"], ["3", "", "1941"], "Date of birth must include a month"),
        (["", "", "1941"], ["", "", "1941"], "Date of birth must include a day and month"),
        (["31", "2", "1941"], ["31", "2", "1941"], "Date of birth must be a real date"),
        (["3", "13", "1941"], ["3", "13", "1941"], "Date of birth must be a real date"),
        (["x", "3", "1941"], ["x", "3", "1941"], "Date of birth must be a real date"),
        (["3", "3", "41"], ["3", "3", "41"], "Year must include 4 numbers"),
        (["16", "1", "2026"], ["16", "1", "2026"], "Enter a date of birth in the past"),
        (["15", "1", "2026"], "2026-01-15", None),
        (["1", "1", "1899"], ["1", "1", "1899"], "Date of birth must be in 1900 or later"),
        (["9" * 30, "1", "1950"], ["9" * 30, "1", "1950"], "Date of birth must be a real date"),
    ],
)
def test_it_checks_a_date_of_birth(raw, value, error):
    assert clean(page("person_dob"), raw, today=TODAY) == (value, error)


def test_it_needs_a_date_when_the_date_is_required():
    required = p.Question(**{**page("person_dob").__dict__, "required": True})

    assert clean(required, ["", "", ""], answers={"asker": "self"}) == (
        "",
        "Enter your date of birth",
    )


# --- Check your answers -------------------------------------------------------------------------


def test_it_summarises_the_answers_for_check_your_answers():
    answers = {
        "asker": "family",
        "about": "adult",
        "urgent": ["none"],
        "postcode": "SW1A 1AA",
        "adult_hygiene": ["needs_help", "takes_longer"],
        "person_dob": "1941-03-03",
        "person_phone": "",
        "carer_health": "yes",
    }

    rows = {row[3]: row for row in summary_rows(answers)}

    assert rows["asker"] == (
        "About you",
        "Who is asking",
        "A family member, friend or unpaid carer of the person",
        "asker",
    )
    assert rows["about"][2] == "They need care and support"
    assert rows["postcode"][:3] == ("Where they live", "Postcode", "SW1A 1AA")
    assert rows["adult_hygiene"][:3] == (
        "Their needs",
        "Personal hygiene",
        "They cannot do this without help, including being reminded or prompted\n"
        "Doing it alone takes them much longer than would normally be expected",
    )
    assert rows["person_dob"][2] == "3 March 1941"
    assert rows["person_phone"][2] == "Not given"
    assert rows["person_name"][2] == "Not answered"
    assert "carer_health" not in rows
    assert list(rows)[:4] == ["asker", "about", "urgent", "postcode"]


def test_it_keeps_sections_in_order_on_check_your_answers():
    answers = {"asker": "professional", "about": "carer"}
    sections = [row[0] for row in summary_rows(answers)]
    order = [p.say(section, answers) for section in q.SECTIONS]

    assert sorted(sections, key=order.index) == sections


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
JUNK_ANSWERS = st.dictionaries(
    st.one_of(st.sampled_from([question.id for question in QUESTIONS]), st.text()),
    st.one_of(
        st.text(),
        st.none(),
        st.integers(),
        st.lists(st.one_of(st.text(), st.integers(), st.none())),
    ),
)
ANY_ANSWERS = st.one_of(CATALOGUE_ANSWERS, JUNK_ANSWERS)
QUESTION_IDS = st.one_of(st.sampled_from([question.id for question in QUESTIONS]), st.text())


@given(ANY_ANSWERS, QUESTION_IDS)
def test_it_never_fails_to_navigate(answers, current_id):
    pages = pages_for(answers)
    following = next_question(answers, current_id)
    before = previous_question(answers, current_id)

    assert pages[0] == first_question()
    assert following is None or following in pages
    assert before is None or before in pages
    assert set(prune(answers)) <= {page.id for page in pages}
    assert len(summary_rows(answers)) == len(pages)


@given(CATALOGUE_ANSWERS)
def test_it_reaches_check_your_answers_from_the_first_page_without_a_cycle(answers):
    seen = []
    question = first_question()
    while question is not None:
        assert question.id not in seen
        seen.append(question.id)
        question = next_question(answers, question.id)

    assert seen == ids(pages_for(answers))
    assert seen[-1] == "consent"


@given(CATALOGUE_ANSWERS)
def test_it_walks_back_to_the_first_page_without_a_cycle(answers):
    seen = []
    question = pages_for(answers)[-1]
    while question is not None:
        assert question.id not in seen
        seen.append(question.id)
        question = previous_question(answers, question.id)

    assert seen[-1] == "asker"


@given(
    st.sampled_from(QUESTIONS),
    st.one_of(
        st.text(),
        st.lists(st.text(), max_size=4),
        st.lists(st.text(alphabet=string.digits, max_size=6), min_size=3, max_size=3),
        st.none(),
        st.integers(),
    ),
    st.one_of(st.none(), ANY_ANSWERS),
)
def test_it_never_fails_to_check_a_page(question, raw, answers):
    value, error = clean(question, raw, answers=answers, today=TODAY)

    assert error is None or isinstance(error, str)
    if question.kind == "checkboxes":
        assert isinstance(value, list)
        assert set(value) <= set(question.values())


@given(st.data())
def test_it_accepts_its_own_choices_and_what_it_cleaned(data):
    question = data.draw(st.sampled_from([question for question in QUESTIONS if question.choices]))
    if question.kind == "radios":
        raw = [data.draw(st.sampled_from(question.values()))]
    else:
        inclusive = [choice.value for choice in question.choices if not choice.exclusive]
        exclusive = [choice.value for choice in question.choices if choice.exclusive]
        raw = data.draw(
            st.one_of(
                st.lists(st.sampled_from(inclusive), min_size=1, unique=True),
                st.sampled_from(exclusive).map(lambda value: [value]),
            )
        )

    value, error = clean(question, raw)

    assert error is None
    assert clean(question, value) == (value, None)


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
def test_it_accepts_any_real_date_of_birth_in_the_past(day):
    raw = [str(day.day), str(day.month), str(day.year)]

    assert clean(page("person_dob"), raw, today=TODAY) == (day.isoformat(), None)
    assert clean(page("person_dob"), day.isoformat(), today=TODAY) == (day.isoformat(), None)
