"""The details the providers' guides keep beyond name and telephone: a contact's address and
mobile, an organisation's and a service's country and fax (Norfolk section 3, Stockport sections
4-6). Each is asked through a change request, shown before and after, made when the council
approves and left as it was when it rejects; none is ever typed straight into a record."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.organisations import services as org
from carebridge.organisations.models import ChangeRequest, Provider, Service
from tests.support import client_for

pytestmark = pytest.mark.django_db

PLACE_DETAILS = {"country": "United Kingdom", "fax": "0114 496 0388"}
CONTACT_DETAILS = {
    "address_line_1": "9 Heron Walk",
    "address_line_2": "Upper Green",
    "address_line_3": "Kestrel Park",
    "town": "Hollowmere",
    "county": "Westshire",
    "postcode": "m1 1ab",
    "country": "United Kingdom",
    "mobile": "07700 900 456",
    "phone": "0114 496 0777",
}
SHOWN = {**CONTACT_DETAILS, "postcode": "M1 1AB"}  # postcodes are kept normalised
LABELS = {
    "address_line_1": "Address line 1",
    "address_line_2": "Address line 2",
    "address_line_3": "Address line 3",
    "town": "Town or city",
    "county": "County",
    "postcode": "Postcode",
    "country": "Country",
    "mobile": "Mobile",
    "phone": "Telephone",
    "fax": "Fax",
}


def _place(world, kind: str) -> Provider | Service:
    model = Provider if kind == "update_organisation" else Service
    pk = world.provider.pk if kind == "update_organisation" else world.service.pk
    return model.objects.get(pk=pk)


def _raise_place(world, kind: str, details: dict) -> ChangeRequest:
    service = world.service if kind == "update_service" else None
    return world.raise_(kind, proposed=details, service=service)


def _approve(world, change_request: ChangeRequest) -> ChangeRequest:
    return org.change_request_approve(change_request=change_request, by=world.reviewer)


def _reject(world, change_request: ChangeRequest) -> ChangeRequest:
    return org.change_request_reject(
        change_request=change_request, by=world.reviewer, reason="Not our records"
    )


# --- Organisations and services: country and fax --------------------------------------------


@pytest.mark.parametrize("kind", ["update_organisation", "update_service"])
def test_a_country_and_fax_are_asked_and_shown_before_and_after(world, kind):
    request = _raise_place(world, kind, PLACE_DETAILS)
    assert request.proposed == PLACE_DETAILS
    assert request.previous == {"country": "", "fax": ""}
    assert [(c.label, c.before, c.after) for c in request.changes()] == [
        ("Country", "(blank)", "United Kingdom"),
        ("Fax", "(blank)", "0114 496 0388"),
    ]
    assert (_place(world, kind).country, _place(world, kind).fax) == ("", "")


@pytest.mark.parametrize("kind", ["update_organisation", "update_service"])
def test_approving_makes_the_country_and_fax_change(world, kind):
    _approve(world, _raise_place(world, kind, PLACE_DETAILS))
    place = _place(world, kind)
    assert (place.country, place.fax) == ("United Kingdom", "0114 496 0388")
    # and a later request, by the provider's next visit, shows the approved value as "before"
    world.super_user = User.objects.get(pk=world.super_user.pk)
    again = _raise_place(world, kind, {"fax": "0114 496 0300"})
    assert [(c.before, c.after) for c in again.changes()] == [("0114 496 0388", "0114 496 0300")]


@pytest.mark.parametrize("kind", ["update_organisation", "update_service"])
def test_rejecting_leaves_the_country_and_fax_as_they_were(world, kind):
    _reject(world, _raise_place(world, kind, PLACE_DETAILS))
    place = _place(world, kind)
    assert (place.country, place.fax) == ("", "")


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        ({"fax": "12"}, "fax", "Enter a UK fax number, like 01632 960 002"),
        ({"fax": "fax me"}, "fax", "Enter a UK fax number"),
        ({"country": "x" * 101}, "country", "Country must be 100 characters or fewer"),
    ],
)
def test_a_bad_fax_or_overlong_country_is_refused(world, details, field, message):
    for kind in ("update_organisation", "update_service"):
        with pytest.raises(ValidationError) as refused:
            _raise_place(world, kind, details)
        assert message in refused.value.message_dict[field][0]
    assert not ChangeRequest.objects.exists()


def test_a_fax_is_kept_as_typed_with_its_spaces_tidied(world):
    request = _raise_place(world, "update_organisation", {"fax": " (0114)  496-0388 "})
    assert request.proposed == {"fax": "(0114) 496-0388"}


def test_the_organisation_and_service_pages_show_the_country_and_fax(world):
    _approve(world, _raise_place(world, "update_organisation", PLACE_DETAILS))
    _approve(world, _raise_place(world, "update_service", {"fax": "0114 496 0399"}))
    client = client_for(world.super_user)
    organisation = client.get(reverse("organisations:organisation")).content.decode()
    assert _row("Country", "United Kingdom") in organisation
    assert _row("Fax", "0114 496 0388") in organisation
    service = client.get(
        reverse("organisations:service_detail", args=[world.service.pk])
    ).content.decode()
    assert _row("Fax", "0114 496 0399") in service
    assert _row("Country", "—") in service


def _row(key: str, value: str) -> str:
    return (
        f'<dt class="govuk-summary-list__key">{key}</dt>'
        f'<dd class="govuk-summary-list__value">{value}</dd>'
    )


def test_the_edit_forms_ask_for_the_country_and_fax(world):
    client = client_for(world.super_user)
    for url in (
        reverse("organisations:organisation_edit"),
        reverse("organisations:service_edit", args=[world.service.pk]),
    ):
        form = client.get(url).content.decode()
        assert 'name="country"' in form
        assert 'name="fax"' in form and 'type="tel"' in form
    response = client.post(
        reverse("organisations:organisation_edit"),
        {
            "name": world.provider.name,
            "address_line_1": "4 Kestrel Court",
            "town": "Hollowmere",
            "postcode": "M1 1AA",
            "phone": "0114 496 0311",
            "email": "office@bluebell.example",
            "council": world.council.pk,
            **PLACE_DETAILS,
        },
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get().proposed == PLACE_DETAILS


def test_control_characters_in_a_country_are_refused_by_the_form(world):
    response = client_for(world.super_user).post(
        reverse("organisations:service_edit", args=[world.service.pk]),
        {"name": world.service.name, "country": "United\x00Kingdom", "council": world.council.pk},
    )
    assert response.status_code == 200
    assert "Remove the hidden control characters" in response.content.decode()
    assert not ChangeRequest.objects.exists()


# --- Contacts: address, mobile and telephone -------------------------------------------------


def test_a_contacts_address_mobile_and_telephone_are_asked_and_shown_before_and_after(world):
    request = world.raise_("update_contact", contact=world.payments, proposed=CONTACT_DETAILS)
    assert request.proposed == SHOWN
    lines = [(c.label, c.before, c.after) for c in request.changes()]
    assert lines == [(LABELS[field], "(blank)", value) for field, value in SHOWN.items()]
    assert User.objects.get(pk=world.payments.pk).town == ""


def test_approving_a_contact_update_makes_the_address_and_mobile_change(world):
    _approve(
        world, world.raise_("update_contact", contact=world.payments, proposed=CONTACT_DETAILS)
    )
    contact = User.objects.get(pk=world.payments.pk)
    assert {field: getattr(contact, field) for field in SHOWN} == SHOWN


def test_rejecting_a_contact_update_changes_nothing(world):
    _reject(world, world.raise_("update_contact", contact=world.payments, proposed=CONTACT_DETAILS))
    contact = User.objects.get(pk=world.payments.pk)
    assert (contact.address_line_1, contact.mobile, contact.country) == ("", "", "")


def test_a_new_contact_is_made_with_their_address_and_mobile(world):
    proposed = {
        "first_name": "Imani",
        "last_name": "Okafor",
        "email": "imani@bluebell.example",
        "role": "reports",
        **CONTACT_DETAILS,
    }
    request = world.raise_("new_contact", proposed=proposed)
    assert ("Mobile", None, "07700 900 456") in [
        (c.label, c.before, c.after) for c in request.changes()
    ]
    approved = _approve(world, request)
    contact = User.objects.get(pk=approved.contact_id)
    assert {field: getattr(contact, field) for field in SHOWN} == SHOWN


def test_a_rejected_new_contact_gets_no_account(world):
    proposed = {
        "first_name": "Imani",
        "last_name": "Okafor",
        "email": "imani@bluebell.example",
        "role": "reports",
        **CONTACT_DETAILS,
    }
    _reject(world, world.raise_("new_contact", proposed=proposed))
    assert not User.objects.filter(email="imani@bluebell.example").exists()


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        ({"mobile": "0114 496 0311"}, "mobile", "Enter a UK mobile number"),
        ({"phone": "123"}, "phone", "Enter a UK telephone number"),
        ({"postcode": "XX"}, "postcode", "Enter a real postcode"),
        ({"address_line_1": "x" * 201}, "address_line_1", "200 characters or fewer"),
        ({"town": "x" * 101}, "town", "100 characters or fewer"),
        ({"country": "x" * 101}, "country", "100 characters or fewer"),
    ],
)
def test_a_contacts_bad_or_overlong_detail_is_refused(world, details, field, message):
    with pytest.raises(ValidationError) as refused:
        world.raise_("update_contact", contact=world.payments, proposed=details)
    assert message in refused.value.message_dict[field][0]
    assert not ChangeRequest.objects.exists()


def test_a_contact_has_no_fax_to_ask_for(world):
    with pytest.raises(ValueError, match="fax"):
        world.raise_("update_contact", contact=world.payments, proposed={"fax": "0114 496 0388"})


def test_the_contact_page_and_form_show_the_address_and_mobile(world):
    _approve(
        world, world.raise_("update_contact", contact=world.payments, proposed=CONTACT_DETAILS)
    )
    client = client_for(world.administration)
    shown = client.get(
        reverse("organisations:contact_detail", args=[world.payments.pk])
    ).content.decode()
    for field, value in SHOWN.items():
        assert _row(LABELS[field], value) in shown
    form = client.get(
        reverse("organisations:contact_edit", args=[world.payments.pk])
    ).content.decode()
    assert 'value="9 Heron Walk"' in form
    assert 'value="07700 900 456"' in form
    assert 'name="fax"' not in form


def test_a_contact_update_is_sent_from_the_form_with_the_new_details(world):
    contact = world.payments
    response = client_for(world.administration).post(
        reverse("organisations:contact_edit", args=[contact.pk]),
        {
            "title": contact.title,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "email": contact.email,
            "phone": contact.phone,
            "role": contact.role,
            "council": world.council.pk,
            "mobile": "07700 900 456",
            "town": "Hollowmere",
        },
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get().proposed == {"mobile": "07700 900 456", "town": "Hollowmere"}
