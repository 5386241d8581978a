"""Checking one question page's answer: the values it keeps, the errors it words in the
page's voice, dates of birth; with any input at all, checking never fails and accepts its
own choices."""

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebridge.frontdoor.assessment import answers as a
from carebridge.frontdoor.assessment import pages as p
from carebridge.frontdoor.assessment.answers import clean
from carebridge.frontdoor.assessment.questions import QUESTIONS
from carebridge.frontdoor.tests.assessment.questions_support import ANY_ANSWERS, TODAY, page
from carebridge.people.validators import POSTCODE_MESSAGE

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


# --- Anything at all ----------------------------------------------------------------------------


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
