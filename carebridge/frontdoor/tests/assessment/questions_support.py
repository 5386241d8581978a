"""What the question tests share: a fixed today, the outcome and contact pages in their order,
reading a page by its id, and answers of every kind for the property tests: the catalogue's
own choices, and junk."""

from datetime import date

from hypothesis import strategies as st

from carebridge.frontdoor.assessment.questions import QUESTIONS, by_id
from carebridge.frontdoor.choices import CarerOutcome, Outcome

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
