"""What a change request asks, written as a sentence for every kind: "Your request to add Imani
Okafor as a new contact has been sent", "Review the request to add Imani Okafor as a new
contact", never "Your request to new contact Imani Okafor"."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from carebridge.organisations.choices import ChangeRequestKind, request_to
from carebridge.organisations.models import ChangeRequest
from tests.support import client_for

pytestmark = pytest.mark.django_db

CONTACT = "Imani Okafor"
SERVICE = "Bluebell Lane Care – Hollowmere"


def _asks(world) -> dict[str, str]:
    """What each kind of request in the world asks for, in words."""
    return {
        "update_organisation": "change the organisation details of Bluebell Lane Care",
        "update_service": f"change the service details of {SERVICE}",
        "new_contact": f"add {CONTACT} as a new contact",
        "update_contact": f"change the contact details of {world.payments.full_name}",
        "remove_role": f"remove the security role of {world.payments.full_name}",
    }


def _post(world, kind: str):
    """Send one request of each kind from its page, as the provider does."""
    council = {"council": world.council.pk}
    payments = world.payments
    contact_form = {
        "first_name": payments.first_name,
        "last_name": payments.last_name,
        "email": payments.email,
        "role": payments.role,
    }
    name, args, data = {
        "update_organisation": (
            "organisation_edit",
            [],
            {"name": "Bluebell Lane Care", "fax": "0114 496 0388"},
        ),
        "update_service": (
            "service_edit",
            [world.service.pk],
            {"name": SERVICE, "fax": "0114 496 0388"},
        ),
        "new_contact": (
            "contact_new",
            [],
            {
                "first_name": "Imani",
                "last_name": "Okafor",
                "email": "imani@bluebell.example",
                "role": "reports",
            },
        ),
        "update_contact": (
            "contact_edit",
            [payments.pk],
            {**contact_form, "mobile": "07700 900 456"},
        ),
        "remove_role": ("contact_remove_role", [payments.pk], {}),
    }[kind]
    return client_for(world.super_user).post(
        reverse(f"organisations:{name}", args=args), {**data, **council}, follow=True
    )


def test_every_kind_has_its_sentence():
    assert {kind.value for kind in ChangeRequestKind} == {
        "update_organisation",
        "update_service",
        "new_contact",
        "update_contact",
        "remove_role",
    }
    assert request_to("new_contact", CONTACT) == f"add {CONTACT} as a new contact"


@pytest.mark.parametrize("kind", [kind.value for kind in ChangeRequestKind])
def test_the_provider_is_told_what_it_asked_in_a_sentence(world, kind):
    shown = _post(world, kind).content.decode()
    asked = _asks(world)[kind]
    assert ChangeRequest.objects.get().purpose == asked
    assert f"Your request to {asked} has been sent to Ashdown Vale Council." in shown
    label = ChangeRequestKind(kind).label.lower()
    assert f"Your request to {label}" not in shown


@pytest.mark.parametrize("kind", [kind.value for kind in ChangeRequestKind])
def test_the_council_is_asked_to_review_it_in_a_sentence(world, kind):
    _post(world, kind)
    shown = (
        client_for(world.reviewer)
        .get(reverse("organisations:change_request_list"))
        .content.decode()
    )
    asked = _asks(world)[kind]
    assert f'Review<span class="govuk-visually-hidden"> the request to {asked}</span>' in shown
    label = ChangeRequestKind(kind).label.lower()
    assert f"the request to {label}" not in shown


@pytest.mark.parametrize(
    "kind", ["update_organisation", "update_service", "update_contact", "remove_role"]
)
def test_a_second_request_is_refused_in_a_sentence(world, kind):
    _post(world, kind)
    service = world.service if kind == "update_service" else None
    contact = world.payments if kind in ("update_contact", "remove_role") else None
    proposed = {} if kind == "remove_role" else {"mobile": "07700 900 111"}
    with pytest.raises(ValidationError) as refused:
        world.raise_(kind, service=service, contact=contact, proposed=proposed)
    message = refused.value.messages[0]
    assert message.startswith(f"A request to {_asks(world)[kind]} is already waiting for review")
