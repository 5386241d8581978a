"""The details and change-request pages, tried as the provider's roles, the council's reviewer and
broker, and another provider."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.home.navigation import items_for
from carebridge.organisations import services as org
from carebridge.organisations.models import ChangeRequest, Provider
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db


def page(user, name, *args, **params) -> str:
    response = client_for(user).get(reverse(f"organisations:{name}", args=args), params)
    assert response.status_code == 200, f"{name} -> {response.status_code}"
    return response.content.decode()


def status(user, name, *args, method="get", data=None) -> int:
    client = client_for(user)
    return getattr(client, method)(
        reverse(f"organisations:{name}", args=args), data or {}
    ).status_code


ORGANISATION_FORM = {
    "name": "Bluebell Lane Care",
    "address_line_1": "4 Kestrel Court",
    "town": "Hollowmere",
    "postcode": "M1 1AA",
    "phone": "0114 496 0311",
    "email": "office@bluebell.example",
}


# --- The provider's details pages ------------------------------------------------------------


def test_the_organisation_page_shows_the_details_and_edit_to_those_who_may(world):
    shown = page(world.super_user, "organisation")
    assert "4 Kestrel Court" in shown
    assert "USRN" in shown
    assert "Bluebell Lane Care – Hollowmere" in shown
    assert reverse("organisations:organisation_edit") in shown
    read_only = page(world.read_only, "organisation")
    assert "4 Kestrel Court" in read_only
    assert reverse("organisations:organisation_edit") not in read_only


def test_roles_without_the_function_and_council_staff_are_refused_the_details(world):
    assert status(world.payments, "organisation") == 403
    assert status(world.payments, "contact_list") == 403
    assert status(world.reviewer, "organisation") == 403
    assert status(world.reviewer, "contact_list") == 403
    assert status(world.reviewer, "service_detail", world.service.pk) == 404


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("organisation_edit", []),
        ("service_edit", ["service"]),
        ("contact_new", []),
        ("contact_edit", ["contact"]),
        ("contact_remove_role", ["contact"]),
    ],
)
def test_view_only_roles_get_403_on_edit_pages(world, name, args):
    values = [{"service": world.service.pk, "contact": world.payments.pk}[a] for a in args]
    assert status(world.read_only, name, *values) == 403
    assert status(world.read_only, name, *values, method="post") == 403
    assert not ChangeRequest.objects.exists()


def test_the_reports_role_may_edit_organisation_details_but_not_contacts(world):
    assert status(world.reports, "organisation_edit") == 200
    assert status(world.reports, "service_edit", world.service.pk) == 200
    assert status(world.reports, "contact_new") == 403
    assert status(world.reports, "contact_list") == 403


def test_editing_sends_a_request_and_changes_nothing(world):
    client = client_for(world.super_user)
    response = client.post(
        reverse("organisations:organisation_edit"),
        {**ORGANISATION_FORM, "phone": "0114 496 0399", "council": world.council.pk},
        follow=True,
    )
    shown = response.content.decode()
    assert "has been sent to Ashdown Vale Council" in shown
    assert "Waiting for review" in shown
    request = ChangeRequest.objects.get()
    assert request.proposed == {"phone": "0114 496 0399"}
    assert Provider.objects.get(pk=world.provider.pk).phone == "0114 496 0311"


def test_an_edit_that_changes_nothing_is_refused_with_a_message(world):
    response = client_for(world.super_user).post(
        reverse("organisations:organisation_edit"),
        {**ORGANISATION_FORM, "council": world.council.pk},
    )
    shown = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in shown
    assert "You have not changed any details" in shown
    assert not ChangeRequest.objects.exists()


def test_bad_values_show_an_error_summary_against_the_fields(world):
    response = client_for(world.super_user).post(
        reverse("organisations:service_edit", args=[world.service.pk]),
        {"name": "", "postcode": "XX", "email": "nope", "phone": "12"},
    )
    shown = response.content.decode()
    assert response.status_code == 200
    assert shown.count("<title>Error: ") == 1
    assert "govuk-error-summary" in shown
    assert "Enter the service&#x27;s name" in shown
    assert "Enter a real postcode, like SW1A 1AA" in shown
    assert "Enter an e-mail address in the correct format" in shown
    assert "Enter a UK telephone number" in shown
    assert "Choose the council that should review this request" in shown
    assert not ChangeRequest.objects.exists()


def test_a_provider_with_one_council_is_not_asked_to_choose(world):
    shown = page(world.stranger, "service_edit", world.other_service.pk)
    assert "Which council should review this request?" not in shown
    assert "Which council should review this request?" in page(
        world.super_user, "organisation_edit"
    )


def test_the_services_list_hides_historical_services_unless_asked(world):
    org.service_create(
        provider=world.provider, name="Bluebell Lane Care – Old Town", is_active=False
    )
    assert "Old Town" not in page(world.read_only, "service_list")
    assert "Old Town" in page(world.read_only, "service_list", historical="1")
    assert "Zephyrine" not in page(world.read_only, "service_list", historical="1")
    assert "12 Chapel Street" in page(world.read_only, "service_detail", world.service.pk)


def test_another_providers_service_and_contact_are_not_found(world):
    assert status(world.super_user, "service_detail", world.other_service.pk) == 404
    assert status(world.super_user, "service_edit", world.other_service.pk) == 404
    assert status(world.super_user, "contact_detail", world.stranger.pk) == 404
    assert status(world.super_user, "contact_edit", world.stranger.pk, method="post") == 404
    assert status(world.super_user, "contact_remove_role", world.stranger.pk) == 404


def test_the_contacts_page_lists_colleagues_with_their_roles(world):
    shown = page(world.administration, "contact_list")
    assert world.read_only.email in shown
    assert "Read Only" in shown
    assert "New contact" in shown
    assert world.stranger.email not in shown
    detail = page(world.administration, "contact_detail", world.read_only.pk)
    assert "Remove role" in detail
    assert "Organisation: Bluebell Lane Care" in detail
    assert "Remove role" not in page(world.read_only, "contact_detail", world.payments.pk)


def test_a_new_contact_request_is_sent_from_the_form(world):
    response = client_for(world.administration).post(
        reverse("organisations:contact_new"),
        {
            "first_name": "Imani",
            "last_name": "Okafor",
            "email": "imani@bluebell.example",
            "role": "reports",
            "council": world.other_council.pk,
        },
        follow=True,
    )
    assert "has been sent to Brackenfold Borough Council" in response.content.decode()
    request = ChangeRequest.objects.get()
    assert (request.kind, request.council) == ("new_contact", world.other_council)


def test_removing_a_role_asks_for_confirmation_then_sends_a_request(world):
    shown = page(world.administration, "contact_remove_role", world.payments.pk)
    assert world.payments.email in shown
    client = client_for(world.administration)
    url = reverse("organisations:contact_remove_role", args=[world.payments.pk])
    assert client.post(url, {"council": world.council.pk}).status_code == 302
    assert ChangeRequest.objects.get().kind == "remove_role"
    assert User.objects.get(pk=world.payments.pk).is_active


# --- Change requests -------------------------------------------------------------------------


@pytest.fixture
def raised(world):
    return world.raise_("update_organisation", proposed={"phone": "0114 496 0399"})


def test_the_provider_list_shows_status_words_and_the_details(world, raised):
    shown = page(world.read_only, "change_request_list")
    assert "Pending review" in shown
    assert "govuk-tag--orange" in shown
    assert "Update organisation" in shown
    assert "Telephone: 0114 496 0311" in shown
    assert "0114 496 0399" in shown
    assert "Zephyrine" not in shown


def test_rejected_requests_show_the_reason_in_red(world, raised):
    org.change_request_reject(change_request=raised, by=world.reviewer, reason="Wrong number")
    shown = page(world.super_user, "change_request_list")
    assert "govuk-tag--red" in shown
    assert "Rejected" in shown
    assert "Wrong number" in shown


def test_another_provider_sees_none_of_them(world, raised):
    shown = page(world.stranger, "change_request_list")
    assert "Bluebell" not in shown
    assert status(world.stranger, "change_request_detail", raised.pk) == 404


def test_roles_without_actions_are_refused_the_list(world):
    invoices = make_user(provider=world.provider, role="invoice_only")
    assert status(invoices, "change_request_list") == 403


def test_the_council_queue_and_review_page(world, raised):
    queue = page(world.reviewer, "change_request_list")
    assert "Bluebell Lane Care" in queue
    assert "Review" in queue
    detail = page(world.reviewer, "change_request_detail", raised.pk)
    assert "Before" in detail
    assert "After" in detail
    assert "Approve" in detail
    assert "Reject" in detail
    assert "No change requests match." in page(
        world.reviewer, "change_request_list", status="approved"
    )
    # The other council was not asked, and a broker only views details.
    assert status(world.other_reviewer, "change_request_detail", raised.pk) == 404
    assert "No provider has sent your council a change request yet." in page(
        world.other_reviewer, "change_request_list"
    )
    assert status(world.broker, "change_request_list") == 403
    assert status(world.broker, "change_request_detail", raised.pk) == 404


def test_the_provider_sees_the_request_without_the_decision_buttons(world, raised):
    detail = page(world.super_user, "change_request_detail", raised.pk)
    assert "0114 496 0399" in detail
    assert reverse("organisations:change_request_approve", args=[raised.pk]) not in detail
    assert status(world.super_user, "change_request_approve", raised.pk, method="post") == 403
    assert status(world.super_user, "change_request_reject", raised.pk) == 403


def test_approving_from_the_page(world, raised):
    client = client_for(world.reviewer)
    url = reverse("organisations:change_request_approve", args=[raised.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "Approved. The change to Bluebell Lane Care has been made." in response.content.decode()
    assert Provider.objects.get(pk=world.provider.pk).phone == "0114 496 0399"
    again = client.post(url, follow=True).content.decode()
    assert "was approved by" in again


def test_a_stale_request_shows_why_it_cannot_be_approved(world, raised):
    org.provider_update(provider=world.provider, by=world.reviewer, phone="0114 496 0555")
    detail = page(world.reviewer, "change_request_detail", raised.pk)
    assert "have changed since the request was raised" in detail
    response = client_for(world.reviewer).post(
        reverse("organisations:change_request_approve", args=[raised.pk]), follow=True
    )
    assert "has changed since this request was raised (Telephone)" in response.content.decode()
    assert ChangeRequest.objects.get(pk=raised.pk).status == "pending"


def test_rejecting_needs_a_reason(world, raised):
    client = client_for(world.reviewer)
    url = reverse("organisations:change_request_reject", args=[raised.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    shown = response.content.decode()
    assert "govuk-error-summary" in shown
    assert "Say why you are rejecting this request" in shown
    response = client.post(url, {"reason": "That number is not yours."}, follow=True)
    assert "Rejected." in response.content.decode()
    assert ChangeRequest.objects.get(pk=raised.pk).rejection_reason == "That number is not yours."
    assert "cannot be decided again" in client.get(url).content.decode()


def test_an_approved_new_contact_is_emailed_from_the_page(
    world, django_capture_on_commit_callbacks
):
    request = world.raise_(
        "new_contact",
        by=world.administration,
        proposed={
            "first_name": "Imani",
            "last_name": "Okafor",
            "email": "imani@bluebell.example",
            "role": "reports",
        },
    )
    url = reverse("organisations:change_request_approve", args=[request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.reviewer).post(url, follow=True)
    assert "a link to set it up has been e-mailed to imani@bluebell.example" in (
        response.content.decode()
    )
    assert len(mail.outbox) == 1


def test_navigation_shows_the_details_pages_to_the_right_people(world):
    def offered(user) -> set[str]:
        return {str(item["url"]) for item in items_for(user)}

    provider_nav = offered(world.administration)
    for name in ("organisation", "contact_list", "change_request_list"):
        assert reverse(f"organisations:{name}") in provider_nav
    reports_nav = offered(world.reports)
    assert reverse("organisations:contact_list") not in reports_nav
    assert reverse("organisations:organisation") in reports_nav
    assert reverse("organisations:change_request_list") in offered(world.reviewer)
    assert reverse("organisations:change_request_list") not in offered(world.broker)


def _queries(user, name, **params) -> int:
    client = client_for(user)
    url = reverse(f"organisations:{name}")
    client.get(url, params)  # the first request of a session saves its last-seen time
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def _raise_some(world, count: int) -> None:
    for number in range(count):
        world.raise_(
            "new_contact",
            proposed={
                "first_name": "Sam",
                "last_name": f"Ellery{number}",
                "email": f"sam{number}.{count}@bluebell.example",
                "role": "read_only",
            },
        )


@pytest.mark.parametrize(
    ("persona", "name", "params"),
    [
        ("super_user", "change_request_list", {}),
        ("super_user", "change_request_list", {"historical": "1"}),
        ("reviewer", "change_request_list", {}),
        ("reviewer", "change_request_list", {"status": "pending"}),
        ("read_only", "contact_list", {"historical": "1"}),
        ("read_only", "service_list", {"historical": "1"}),
    ],
)
def test_the_lists_run_a_fixed_number_of_queries(world, persona, name, params):
    user = getattr(world, persona)
    _raise_some(world, 2)
    few = _queries(user, name, **params)
    _raise_some(world, 12)
    for number in range(5):
        make_user(provider=world.provider, role="read_only")
        org.service_create(provider=world.provider, name=f"Bluebell Lane Care – Site {number}")
    assert _queries(user, name, **params) == few
