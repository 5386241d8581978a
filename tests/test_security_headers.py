"""What every response says and refuses (ASVS 3.4.3, 3.4.6, 13.4.3, 13.4.4, 16.5.1): the CSP's
directives read from the header, the API's Swagger UI under a nonce-based CSP of its own, TRACE
refused on every URL, no directory listing of /static/ or /media/, and the product's own 500
page, without a traceback, when a view fails."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from tests.support import client_for, make_council, make_user
from tests.test_access_matrix import ALL_URLS

pytestmark = pytest.mark.django_db

INTERNAL = "Zq8-internal-detail-of-the-failure"


@login_not_required
def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(INTERNAL)


# The project's URLs with two that fail, for the 500 page (`pytest.mark.urls(__name__)`).
urlpatterns = [
    path("security-test/fails/", fails),
    path("api/security-test/fails/", fails),
    path("", include("carebridge.urls")),
]
handler403 = "carebridge.core.errors.forbidden"
handler404 = "carebridge.core.errors.not_found"
handler500 = "carebridge.core.errors.server_error"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def nonce_of(policy: dict[str, list[str]], directive: str) -> str:
    [nonce] = [v[len("'nonce-") : -1] for v in policy[directive] if v.startswith("'nonce-")]
    return nonce


@pytest.fixture
def officer():
    return make_user(council=make_council(), role="council_administrator")


def test_every_kind_of_page_has_the_sites_csp(officer):
    council = make_council()
    pages = [
        (Client(), reverse("accounts:login")),
        (client_for(officer), reverse("home:home")),
        (Client(), reverse("care:start", kwargs={"council": council.slug})),
        (client_for(officer), "/no-such-page/"),
    ]
    for client, url in pages:
        policy = directives(client.get(url))
        assert policy["base-uri"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["default-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in policy["script-src"], url
        assert "'unsafe-eval'" not in policy["script-src"], url


def test_no_template_sets_a_base_address():
    """`base-uri 'none'` would stop a <base> element: no page has one."""
    templates = [
        p for p in Path(settings.BASE_DIR, "carebridge").rglob("*.html") if "templates" in p.parts
    ]
    assert len(templates) > 50
    assert [str(p) for p in templates if re.search(r"<base[\s>/]", p.read_text())] == []


def test_the_api_docs_have_a_nonce_based_csp_of_their_own():
    response = Client().get(reverse("api_docs"))

    assert response.status_code == 200
    policy = directives(response)
    nonce = nonce_of(policy, "script-src")
    assert nonce_of(policy, "style-src") == nonce
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]
    page = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", page)
    assert len(scripts) == 3
    assert all(f'nonce="{nonce}"' in attributes for attributes in scripts)
    sources = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', page)
    assert len(sources) == 2
    assert all(source.startswith(settings.STATIC_URL) for source in sources)
    assert all(f'nonce="{nonce}"' in s for s in re.findall(r"<style\b[^>]*>", page))
    # The sidecar's files are served from our own /static/, under 'self'.
    for source in sources:
        assert Client().get(source).status_code == 200


def test_each_api_docs_page_has_a_new_nonce():
    first, second = (directives(Client().get(reverse("api_docs"))) for _ in range(2))

    assert nonce_of(first, "script-src") != nonce_of(second, "script-src")


def test_trace_is_refused_on_every_url(officer):
    urls = [reverse(name) for name, _pattern, takes_args in ALL_URLS if not takes_args]
    urls += ["/service-users/1/", "/api/v1/referrals/", "/static/app.mjs", "/no-such-page/"]
    assert len(urls) > 50
    for client in (Client(), client_for(officer)):
        for url in urls:
            for method in ("TRACE", "TRACK"):
                response = client.generic(method, url)
                assert response.status_code == 405, f"{method} {url}"
                assert response.content == b""


@pytest.mark.parametrize(
    "url",
    [
        "/static/",
        "/static/drf_spectacular_sidecar/",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/",
        "/media/",
        "/media/actions/",
    ],
)
def test_no_directory_is_listed(url, officer):
    for client in (Client(), client_for(officer)):
        response = client.get(url)
        assert response.status_code == 404, url
        page = response.content.decode()
        assert "swagger-ui.css" not in page and "Index of" not in page


def test_a_named_static_file_is_served():
    """The control of the test above: the same folder's files are there to be named."""
    url = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"

    assert Client().get(url).status_code == 200


@pytest.mark.urls(__name__)
def test_a_failing_page_shows_the_products_own_500_page_without_internals(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/security-test/fails/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert "govuk-template" in page  # the GOV.UK page, not a bare server error
    for internal in (INTERNAL, "Traceback", "RuntimeError", "fails", "File &quot;"):
        assert internal not in page


@pytest.mark.urls(__name__)
def test_a_failing_api_call_answers_the_apis_own_error_without_internals(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/api/security-test/fails/")

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "status": 500,
            "message": "Sorry, there is a problem with the service. Try again later.",
            "fields": {},
        }
    }
