"""No copy of a page or download with personal data is kept by a browser or a proxy: every
response to a logged-in user or a system's key, and every public front-door page, says
`Cache-Control: no-store`; static files stay cacheable."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.frontdoor.requests import services as frontdoor
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from carebridge.integrations.services import api_token_create
from tests.access_matrix import REGISTRY, build_world
from tests.support import client_for

pytestmark = pytest.mark.django_db


def kept_by_no_cache(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_it_keeps_every_page_and_download_of_a_logged_in_user_out_of_caches():
    # Imported here: the matrix lists the URLs when imported, which needs the app loaded.
    from tests.test_access_matrix import ALL_URLS, SESSION_ENDING

    world = build_world()
    problems = []
    # Every object's pages and downloads (contract document PDF, attachment, ...) as its owner.
    for name, entry in REGISTRY.items():
        if entry.owner is None:
            continue
        response = client_for(entry.owner(world)).get(reverse(name, kwargs=entry.kwargs(world)))
        if not kept_by_no_cache(response):
            problems.append(f"{name} -> {response.status_code} {response.get('Cache-Control')}")
    # Every page without arguments (lists, CSV and Excel exports, ...) as every council role and
    # the provider role that may use every provider function.
    for persona, user in world.personas.items():
        if user is None or not persona.startswith(("council:", "provider:super_user_scheduled")):
            continue
        client = client_for(user)
        for name, _pattern, takes_args in ALL_URLS:
            if takes_args or name in SESSION_ENDING:
                continue
            response = client.get(reverse(name))
            if not kept_by_no_cache(response):
                problems.append(f"{persona} {name} -> {response.status_code}")
    assert problems == []


def test_it_keeps_the_cpli_downloads_out_of_caches():
    world = build_world()
    client = client_for(world.other_council_broker)
    for name in ("cplis:cpli_export_csv", "cplis:cpli_export_xlsx"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert kept_by_no_cache(response), name


def test_it_keeps_a_residents_answers_and_tracking_out_of_caches():
    council = open_council()
    sent = submit(council, likely_answers())
    client = Client()
    start = client.get(reverse("care:start", kwargs={"council": council.slug}))
    assert kept_by_no_cache(start)
    link = re.sub(r"^https?://[^/]+", "", frontdoor.track_link(sent))
    detail = client.get(client.get(link)["Location"])
    assert detail.status_code == 200 and sent.reference in detail.content.decode()
    assert kept_by_no_cache(detail)


def test_it_keeps_the_apis_answers_out_of_caches():
    world = build_world()
    _token, key = api_token_create(council=world.other_council, name="Case system", by=None)
    response = Client().get(
        reverse("api_referral_detail", args=[world.other_referral.pk]),
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200
    assert kept_by_no_cache(response)


def test_it_lets_static_files_be_cached():
    client = client_for(build_world().personas["council:broker"])
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert not kept_by_no_cache(response)


def test_it_lets_a_public_page_without_personal_data_be_cached():
    response = Client().get(reverse("core:accessibility"))
    assert response.status_code == 200
    assert not kept_by_no_cache(response)
