"""The service navigation: every item a role is shown opens for that role, on either side, so a
link never leads to a refusal."""

import pytest

from carebridge.core.permissions import PROVIDER_ROLES, Role
from carebridge.home.navigation import items_for
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
