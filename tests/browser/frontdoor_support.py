"""What the front door's browser journeys share: an open council, the links in its e-mails
as paths for the live server, a browser page with its JavaScript errors and the check that
there were none, and answering the question pages as a person would."""

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from playwright.sync_api import expect

from carebridge.frontdoor.assessment import questions
from carebridge.frontdoor.assessment.eligibility import Assessment
from carebridge.frontdoor.requests import services
from carebridge.organisations.models import Council
from tests.browser.conftest import axe_check, console_errors, new_context
from tests.browser.pages import heading
from tests.support import make_council, make_district

PHONE = "01632 960 100"
EMERGENCY = "Adult social care out of hours: 01632 960 999"
QUESTION_PATH = re.compile(r"/questions/(?P<slug>[a-z0-9-]+)/")
MAX_PAGES = 40  # more question pages than any journey has: a loop that never ends fails


# --- Set-up, through the product's services ------------------------------------------------------


def open_council(name: str = "") -> Council:
    """A council whose front door is open, with a district covering WB1 and WB2."""
    council = make_council(name)
    make_district(council, postcode_districts="WB1 WB2")
    services.front_door_settings_update(
        council=council, by=None, is_open=True, contact_phone=PHONE, emergency_contacts=EMERGENCY
    )
    return council


def local_path(url: str) -> str:
    """A link from an e-mail (written for SITE_URL) as a path for the live server."""
    assert url.startswith(django_settings.SITE_URL), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def link_in(body: str, path_part: str) -> str:
    found = re.search(rf"https?://\S*{re.escape(path_part)}\S*", body)
    assert found, f"No link with {path_part} in:\n{body}"
    return found.group(0)


def browser_page(chromium: Any) -> tuple[Any, Any, list[str]]:
    """A fresh context's page, and the uncaught JavaScript errors seen on it."""
    context = new_context(chromium)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{error} ({page.url})"))
    return context, page, errors


def assert_quiet(page: Any, page_errors: list[str]) -> None:
    """No uncaught JavaScript error, and nothing in the console but the browser's note of an
    error page's status (a form with a mistake answers 400)."""
    noise = re.compile(r"^Failed to load resource: the server responded with a status of 40[0-9]")
    logged = [error for error in console_errors(page) if not noise.match(error)]
    assert not page_errors, "Uncaught JavaScript errors:\n" + "\n".join(page_errors)
    assert not logged, "Console errors:\n" + "\n".join(logged)


# --- The question pages ---------------------------------------------------------------------------


def current_question(page: Any) -> questions.Question | None:
    match = QUESTION_PATH.search(urlsplit(page.url).path)
    if match is None:
        return None
    found = questions.by_slug(match["slug"])
    assert found is not None, f"No question for {page.url}"
    return found


def page_heading(question: questions.Question, answers: dict[str, Any]) -> str:
    """The page's h1 (and its field's label): the question, marked when it may be skipped."""
    return question.heading_for(answers) + ("" if question.required else " (optional)")


def fill_question(page: Any, question: questions.Question, answers: dict[str, Any]) -> None:
    """Answer one question page as a person would: by the labels they read."""
    value = answers[question.id]
    labels = {choice.value: choice.label for choice in question.choices_for(answers)}
    if question.kind == "radios":
        page.get_by_role("radio", name=labels[value], exact=True).check()
    elif question.kind == "checkboxes":
        for item in value:
            page.get_by_role("checkbox", name=labels[item], exact=True).check()
        for item, label in labels.items():
            box = page.get_by_role("checkbox", name=label, exact=True)
            if item in value:
                expect(box).to_be_checked()
            else:
                expect(box).not_to_be_checked()
    elif question.kind == "date":
        group = page.get_by_role("group", name=page_heading(question, answers))
        day = date.fromisoformat(value) if value else None
        group.get_by_label("Day").fill(str(day.day) if day else "")
        group.get_by_label("Month").fill(str(day.month) if day else "")
        group.get_by_label("Year").fill(str(day.year) if day else "")
    else:
        page.get_by_label(page_heading(question, answers), exact=True).fill(value)


def answer_questions(page: Any, answers: dict[str, Any], *, until: str = "") -> int:
    """Answer each question page with axe on it, until check your answers (or the page of the
    question `until`, unanswered). The number of pages answered."""
    answered = 0
    while (question := current_question(page)) is not None and question.id != until:
        assert answered < MAX_PAGES, f"Still on question pages at {page.url}"
        expect(heading(page)).to_have_text(page_heading(question, answers))
        expect(page.locator(".govuk-caption-l")).to_have_text(question.section_for(answers))
        axe_check(page)
        fill_question(page, question, answers)
        page.get_by_role("button", name="Continue").click()
        answered += 1
    return answered


def start_questions(page: Any, base_url: str, council: Council) -> None:
    page.goto(f"{base_url}/care-and-support/{council.slug}/")
    expect(heading(page)).to_have_text("Ask for care and support")
    expect(page.locator("main")).to_contain_text("call 999 now")
    axe_check(page)
    page.get_by_role("button", name="Start now").click()
    expect(heading(page)).to_have_text("Who is asking?")


def open_reasons(page: Any, assessment: Assessment) -> None:
    """The result's "How we worked this out", opened: every reason the rules gave."""
    details = page.locator("details", has_text="How we worked this out")
    details.locator("summary").click()
    for reason in assessment.reasons:
        expect(details).to_contain_text(reason)
    assert assessment.reasons, "The rules gave no reasons"
    axe_check(page)
