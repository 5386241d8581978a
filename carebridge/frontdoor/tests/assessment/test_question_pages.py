"""The front door's question pages: which pages show for whom and in what order, walking
forward and back, pruning answers to pages no longer shown, and what check your answers
shows; with any answers at all, navigating never fails nor cycles."""

import itertools

import pytest
from hypothesis import given

from carebridge.frontdoor.assessment import pages as p
from carebridge.frontdoor.assessment import questions as q
from carebridge.frontdoor.assessment.answers import (
    first_unanswered,
    next_question,
    pages_for,
    previous_question,
    prune,
    summary_rows,
)
from carebridge.frontdoor.assessment.questions import first_question
from carebridge.frontdoor.tests.assessment.questions_support import (
    ADULT_PAGES,
    ANY_ANSWERS,
    ASKER_CONTACT,
    CARER_PAGES,
    CATALOGUE_ANSWERS,
    CONTACT,
    QUESTION_IDS,
    ids,
    page,
)

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
    # The professional journey: who they are, the person (NHS number first), the referral and
    # its risks, the same Care Act questions, and consent or the basis without it.
    assert ids(pages_for({"asker": "professional", "about": "carer"})) == [
        "asker",
        "about",
        "professional_kind",
        "professional_organisation",
        "professional_role",
        "professional_name",
        "professional_phone",
        "professional_email",
        "urgent",
        "referral_nhs_number",
        "referral_dob",
        "referral_name",
        "referral_address",
        "referral_gp_practice",
        "presenting_need",
        "primary_support_reason",
        "current_services",
        "others_involved",
        "risk_to_person",
        "risk_to_others",
        "risk_to_staff",
        "carer_necessary_care",
        "carer_health",
        "carer_fluctuates",
        *CARER_PAGES,
        "carer_wellbeing",
        "carer_significant_impact",
        "person_phone",
        "person_email",
        "sharing_basis",
    ]


@pytest.mark.parametrize(
    ("answers", "shown", "hidden"),
    [
        ({"asker": "self"}, [], ["professional_organisation", *ASKER_CONTACT]),
        ({"asker": "family"}, ASKER_CONTACT, ["professional_organisation"]),
        (
            {"asker": "professional"},
            ["professional_role", "referral_dob", "sharing_basis"],
            ["postcode", "person_name", "person_dob", "consent", *ASKER_CONTACT],
        ),
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
    assert next_question({"asker": "professional"}, "about") == page("professional_kind")
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
        "asker": "family",
        "professional_role": "GP",
        "about": "adult",
        "adult_nutrition": ["needs_help"],
        "postcode": "SW1A 1AA",
        "asker_name": "Ann Patel",
        "made_up": "x",
    }

    assert prune({**answers, "about": "carer"}) == {
        "asker": "family",
        "about": "carer",
        "postcode": "SW1A 1AA",
        "asker_name": "Ann Patel",
    }
    assert prune({**answers, "asker": "self"}) == {
        "asker": "self",
        "about": "adult",
        "adult_nutrition": ["needs_help"],
        "postcode": "SW1A 1AA",
    }
    assert prune({**answers, "asker": "professional"}) == {
        "asker": "professional",
        "professional_role": "GP",
        "about": "adult",
        "adult_nutrition": ["needs_help"],
    }


def test_it_prunes_into_a_copy():
    answers = {"asker": "self", "about": "adult", "adult_hygiene": ["needs_help"]}

    pruned = prune(answers)
    pruned["adult_hygiene"].append("takes_longer")

    assert answers["adult_hygiene"] == ["needs_help"]


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
    assert seen[-1] in {"consent", "sharing_basis", "sharing_basis_reason"}


@given(CATALOGUE_ANSWERS)
def test_it_walks_back_to_the_first_page_without_a_cycle(answers):
    seen = []
    question = pages_for(answers)[-1]
    while question is not None:
        assert question.id not in seen
        seen.append(question.id)
        question = previous_question(answers, question.id)

    assert seen[-1] == "asker"
