import pytest
from django.urls import reverse

from carebridge.home.navigation import items_for
from tests.support import make_user

pytestmark = pytest.mark.django_db


def test_the_information_governance_officer_has_the_item(council):
    items = items_for(make_user(council=council, role="information_governance"))
    found = [i for i in items if i["label"] == "Information governance"]
    assert [i["url"] for i in found] == [reverse("subjectaccess:request_list")]


@pytest.mark.parametrize("role", ["broker", "council_administrator", "payments_officer"])
def test_other_council_roles_do_not(council, role):
    items = items_for(make_user(council=council, role=role))
    assert "Information governance" not in [i["label"] for i in items]
