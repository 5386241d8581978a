"""The council's home page counts the change requests waiting for its reviewers."""

import pytest

from carebridge.organisations import services as org
from carebridge.organisations.selectors import change_request_attention_for

pytestmark = pytest.mark.django_db


def test_it_counts_the_requests_waiting_for_the_councils_review(world):
    world.raise_("update_organisation", proposed={"phone": "0114 496 0399"})
    decided = world.raise_(
        "update_service", service=world.service, proposed={"phone": "0114 496 0400"}
    )
    org.change_request_reject(change_request=decided, by=world.reviewer, reason="Wrong number")
    world.raise_(
        "update_service",
        service=world.service,
        proposed={"phone": "0114 496 0401"},
        council=world.other_council,
    )

    [item] = change_request_attention_for(world.reviewer)

    assert (item.label, item.count) == ("Change requests waiting for review", 1)
    assert item.url == "/organisation/change-requests/?status=pending"


def test_it_shows_nothing_to_council_staff_who_do_not_review_nor_to_providers(world):
    world.raise_("update_organisation", proposed={"phone": "0114 496 0399"})

    assert change_request_attention_for(world.broker) == []
    assert change_request_attention_for(world.super_user) == []


def test_the_council_home_page_links_to_the_waiting_requests(world, client):
    world.raise_("update_organisation", proposed={"phone": "0114 496 0399"})
    client.force_login(world.reviewer)

    body = client.get("/").content.decode()

    assert "Change requests waiting for review" in body
    assert 'href="/organisation/change-requests/?status=pending"' in body
