"""The header every page shares, made cheaper for the week page (issue 22): the councils a
provider works with without their rulebooks (the help pages read those for the councils in view
in one query), and the navigation worked out once per role and address prefix, never leaking one
request's current page into the next."""

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix

from carebridge.core.permissions import Role
from carebridge.home.navigation import items_for, navigation_for
from carebridge.organisations.focus import focus_of
from tests.support import (
    TwoCouncilProvider,
    client_for,
    make_provider,
    make_two_council_provider,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two() -> TwoCouncilProvider:
    return make_two_council_provider()


def test_the_header_reads_the_councils_names_and_not_their_rulebooks(two):
    client = client_for(two.carer)
    url = reverse("organisations:council_focus")
    client.get(url)  # the session's first read is not the page's
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    assert "Looking at <strong>all 2 of your councils</strong>" in page
    assert not [q["sql"] for q in captured.captured_queries if "organisations_rulebook" in q["sql"]]


def test_the_councils_in_view_bring_their_rulebooks_in_one_query(two, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = two.carer
    request.session = SessionBase()
    focus = focus_of(request)
    with django_assert_num_queries(1):
        in_view = focus.in_view
        shown = {c.name: c.rulebook.actuals_period for c in in_view}
    assert shown == {two.weekly.name: "weekly", two.four_weekly.name: "four_weekly"}
    with django_assert_num_queries(0):
        assert focus.in_view == in_view


def test_the_current_page_of_one_request_is_not_marked_on_the_next():
    user = make_user(provider=make_provider(), role=Role.SUPER_USER_ACTUALS)
    on_actuals = navigation_for(user, reverse("actuals:week"))
    at_home = navigation_for(user, reverse("home:home"))
    assert [s["label"] for s in on_actuals["sections"] if s["current"]] == ["Actuals"]
    assert [s["label"] for s in at_home["sections"] if s["current"]] == ["Home"]
    assert not any(i["current"] for s in at_home["sections"] for i in s["items"][1:])


def test_the_navigation_follows_the_prefix_the_site_is_served_under():
    user = make_user(provider=make_provider(), role=Role.SUPER_USER_ACTUALS)
    plain = [item["url"] for item in items_for(user)]
    set_script_prefix("/portal/")
    try:
        prefixed = [item["url"] for item in items_for(user)]
    finally:
        set_script_prefix("/")
    assert prefixed == [f"/portal{url}" for url in plain]
