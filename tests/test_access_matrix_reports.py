"""Every registered report, its page and each download, as every role of our council and our
provider: a role the report is not for is refused (403, anonymous visitors sent to log in), a
role it is for gets it (200), and no page or file shows the other council's or provider's data
(the matrix's markers), whatever filters name them."""

import pytest
from django.urls import reverse

from carebridge.reports.base import REGISTRY
from tests.access_matrix import World, build_world
from tests.support import client_for
from tests.test_access_matrix import body_of, refused

pytestmark = pytest.mark.django_db

FORMATS = ("csv", "xlsx", "pdf")


@pytest.fixture
def world() -> World:
    return build_world()


def _urls(slug: str, world: World) -> list[str]:
    page = reverse("reports:report", kwargs={"slug": slug})
    # Filters naming the other organisations: a report must not widen its rows to them.
    tampered = f"?council={world.other_council.pk}&provider={world.other_provider.pk}"
    downloads = [reverse("reports:download", kwargs={"slug": slug, "fmt": f}) for f in FORMATS]
    return [page, page + tampered, *downloads, *[url + tampered for url in downloads]]


def _text(response) -> str:
    """What a person would read: a spreadsheet's cells, a PDF's bytes (its text is compressed,
    so the names are checked in the CSV and on the page, which carry the same rows)."""
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.getvalue()), read_only=True)
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return body_of(response)


def test_every_report_refuses_the_roles_it_is_not_for_and_shows_only_our_data(world):
    problems = []
    for persona, user in world.personas.items():
        client = client_for(user)
        for slug, report in sorted(REGISTRY.items()):
            allowed = user is not None and report.may_use(user)
            for url in _urls(slug, world):
                response = client.get(url)
                if allowed:
                    # A filter naming another organisation is not one of the choices: the page
                    # shows the field's error, and the download is refused.
                    ok = response.status_code in ((200, 400) if "?" in url else (200,))
                else:
                    ok = refused(response, anonymous=user is None)
                if not ok:
                    problems.append(f"{persona} GET {url} -> {response.status_code}")
                text = _text(response) if response.status_code == 200 else body_of(response)
                problems += [f"{persona} GET {url} shows {m!r}" for m in world.markers if m in text]
    assert problems == []


def test_the_reports_page_lists_only_reports_the_role_may_use(world):
    for persona, user in world.personas.items():
        if user is None:
            continue
        response = client_for(user).get(reverse("reports:index"))
        usable = [report for report in REGISTRY.values() if report.may_use(user)]
        if not usable:
            assert response.status_code == 403, persona
            continue
        body = response.content.decode()
        for report in REGISTRY.values():
            link = reverse("reports:report", kwargs={"slug": report.slug})
            assert (f'href="{link}"' in body) == (report in usable), (persona, report.slug)
