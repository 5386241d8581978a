"""The service navigation: every item a role is shown opens for that role, on either side, so a
link never leads to a refusal."""

import pytest

from carebridge.core.permissions import PROVIDER_ROLES, Role
from carebridge.home.navigation import items_for, navigation_for
from tests.support import client_for, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(Role.values))
def test_every_item_a_role_is_shown_opens_for_it(role):
    council, provider = make_council(), make_provider()
    make_contract(council, provider)
    if role in PROVIDER_ROLES:
        user = make_user(provider=provider, role=role)
    else:
        user = make_user(council=council, role=role)
    items = items_for(user)
    assert items, "every role has at least Home"
    client = client_for(user)
    for item in items:
        response = client.get(item["url"])
        assert response.status_code == 200, f"{role}: {item['label']} {item['url']}"


def test_super_user_actuals_is_not_shown_scheduled_payments():
    provider = make_provider()
    user = make_user(provider=provider, role=Role.SUPER_USER_ACTUALS)
    labels = {item["label"] for item in items_for(user)}
    assert "Scheduled payments" not in labels
    scheduled = make_user(provider=provider, role=Role.SUPER_USER_SCHEDULED)
    assert "Scheduled payments" in {item["label"] for item in items_for(scheduled)}


def _nav_of(html: str, label: str) -> str:
    """The part of the page inside the <nav> with this accessible name."""
    start = html.index(f'aria-label="{label}"')
    return html[start : html.index("</nav>", start)]


@pytest.mark.parametrize("role", sorted(Role.values))
def test_every_page_a_role_may_use_is_two_clicks_from_any_other(role):
    """Every item's page shows every section in the menu (one click), and every section's page
    shows all of the section's pages in its sub-navigation (the second)."""
    council, provider = make_council(), make_provider()
    make_contract(council, provider)
    if role in PROVIDER_ROLES:
        user = make_user(provider=provider, role=role)
    else:
        user = make_user(council=council, role=role)
    client = client_for(user)
    navigation = navigation_for(user, "/")
    sections = navigation["sections"]
    for section in sections:
        html = client.get(section["url"]).content.decode()
        menu = _nav_of(html, "Menu")
        assert all(f'href="{other["url"]}"' in menu for other in sections), section["label"]
        if len(section["items"]) > 1:
            sub = _nav_of(html, section["label"])
            for item in section["items"]:
                assert f'href="{item["url"]}"' in sub, f"{role}: {item['label']}"
    for item in items_for(user):
        menu = _nav_of(client.get(item["url"]).content.decode(), "Menu")
        assert all(f'href="{section["url"]}"' in menu for section in sections), item["label"]


def test_a_providers_sections_are_the_ways_it_works():
    provider = make_provider()
    user = make_user(provider=provider, role=Role.SUPER_USER_SCHEDULED)
    labels = [section["label"] for section in navigation_for(user, "/")["sections"]]
    assert labels == [
        "Home",
        "Referrals",
        "Contracts",
        "Actuals",
        "Payments",
        "Messages",
        "Organisation",
    ]


def test_the_current_page_marks_its_section_and_its_item():
    provider = make_provider()
    user = make_user(provider=provider, role=Role.SUPER_USER_ACTUALS)
    navigation = navigation_for(user, "/actuals/periods/")
    sub = navigation["sub"]
    assert sub["label"] == "Actuals" and sub["current"]
    current = [item["label"] for item in sub["items"] if item["current"]]
    assert current == ["Confirm actuals"]
