"""The catalogue of question pages: ids and slugs, what every page gives its templates in both
voices, the outcome pages' tests and options, and the hints on a bad day and on sharing."""

import re

import pytest

from carebridge.frontdoor.assessment import pages as p
from carebridge.frontdoor.assessment import questions as q
from carebridge.frontdoor.assessment.pages import BAD_DAY_HINT
from carebridge.frontdoor.assessment.questions import QUESTIONS, by_id, by_slug
from carebridge.frontdoor.tests.assessment.questions_support import ADULT_PAGES, CARER_PAGES, page

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
        "nhs_number",
        "address",
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
