"""The provider's details pages: its organisation, its services and its contacts.

"Edit", "New contact" and "Remove role" never change a record: each sends a change request to a
council, which makes the change when it approves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations import services
from carebridge.organisations.access import access_contact, access_service, provider_of
from carebridge.organisations.choices import (
    CONTACT_FIELDS,
    ORGANISATION_FIELDS,
    SERVICE_FIELDS,
    ChangeRequestKind,
)
from carebridge.organisations.forms import (
    ChangeRequestForm,
    ContactForm,
    OrganisationForm,
    RemoveRoleForm,
    ServiceForm,
)
from carebridge.organisations.models import ChangeRequest, Provider, Service
from carebridge.organisations.selectors import (
    change_requests_waiting,
    contacts_of,
    councils_of_provider,
    services_of,
)

if TYPE_CHECKING:
    from carebridge.accounts.models import User

K = ChangeRequestKind


def _councils(provider: Provider) -> list[Any]:
    return list(councils_of_provider(provider.pk).order_by("name"))


def _sent(request: HttpRequest, change_request: ChangeRequest) -> None:
    messages.success(
        request,
        f"Your request to {change_request.purpose} has been sent to "
        f"{change_request.council.name}. Nothing "
        "changes until they approve it; Change requests shows their answer.",
    )


def _raise(
    request: HttpRequest,
    form: ChangeRequestForm,
    *,
    kind: ChangeRequestKind,
    service: Service | None = None,
    contact: User | None = None,
) -> ChangeRequest | None:
    """Send the form's request; its errors go back onto the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        change_request = services.change_request_raise(
            by=acting_user(request),
            kind=kind,
            proposed=form.details(),
            council=form.council(),
            service=service,
            contact=contact,
            idempotency_key=key_from_form(request),
        )
    except ValidationError as error:
        form.add_errors(error)
        return None
    _sent(request, change_request)
    return change_request


def _posted(request: HttpRequest) -> Any:
    # A form with no fields (removing a role for the only council) still posts.
    return request.POST if request.method == "POST" else None


def _values(instance: Any, fields: tuple[str, ...]) -> dict[str, str]:
    return {field: getattr(instance, field) for field in fields}


def _edit_form(
    form_class: type[ChangeRequestForm],
    request: HttpRequest,
    record: Any,
    fields: tuple[str, ...],
    provider: Provider,
) -> Any:
    """The form asking to change a record's details, filled with what they are now."""
    return form_class(
        _posted(request), initial=_values(record, fields), councils=_councils(provider)
    )


def _request_page(
    request: HttpRequest,
    form: ChangeRequestForm,
    *,
    kind: ChangeRequestKind,
    back: str,
    back_pk: int | None = None,
    service: Service | None = None,
    contact: User | None = None,
    **page: Any,
) -> HttpResponse:
    """Send the form's change request and go back to the record's page (`back`, `back_pk`);
    until it is sent, show the form with the page's words (`page`)."""
    if _raise(request, form, kind=kind, service=service, contact=contact):
        return redirect(back, pk=back_pk) if back_pk is not None else redirect(back)
    context = {"form": form, **page, "back": back}
    if back_pk is not None:
        context["back_pk"] = back_pk
    return render(request, "organisations/details_edit.html", context)


# --- Organisation ----------------------------------------------------------------------------


@require_GET
def organisation(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    provider = provider_of(user, Function.ORGANISATION_DETAILS)
    context = {
        "provider": provider,
        "services": services_of(user),
        "waiting": change_requests_waiting(user, kinds=[K.UPDATE_ORGANISATION]),
        "can_edit": can_edit(user.role, Function.ORGANISATION_DETAILS),
    }
    return render(request, "organisations/organisation.html", context)


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    provider = provider_of(user, Function.ORGANISATION_DETAILS, for_change=True)
    form = _edit_form(OrganisationForm, request, provider, ORGANISATION_FIELDS, provider)
    return _request_page(
        request,
        form,
        kind=K.UPDATE_ORGANISATION,
        back="organisations:organisation",
        heading="Change your organisation's details",
        caption=provider.name,
    )


# --- Services --------------------------------------------------------------------------------


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    provider = provider_of(user, Function.ORGANISATION_DETAILS)
    historical = request.GET.get("historical") == "1"
    context = {
        "provider": provider,
        "services": services_of(user, historical=historical),
        "historical": historical,
    }
    return render(request, "organisations/service_list.html", context)


@require_GET
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    service = access_service(user, pk)
    context = {
        "service": service,
        "waiting": change_requests_waiting(user, kinds=[K.UPDATE_SERVICE], service=service),
        "can_edit": can_edit(user.role, Function.ORGANISATION_DETAILS),
    }
    return render(request, "organisations/service_detail.html", context)


@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    service = access_service(user, pk, for_change=True)
    form = _edit_form(ServiceForm, request, service, SERVICE_FIELDS, service.provider)
    return _request_page(
        request,
        form,
        kind=K.UPDATE_SERVICE,
        service=service,
        back="organisations:service_detail",
        back_pk=service.pk,
        heading="Change this service's details",
        caption=service.name,
    )


# --- Contacts --------------------------------------------------------------------------------


@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    provider = provider_of(user, Function.CONTACTS)
    historical = request.GET.get("historical") == "1"
    context = {
        "provider": provider,
        "contacts": contacts_of(user, closed=historical),
        "historical": historical,
        "waiting": change_requests_waiting(user, kinds=[K.NEW_CONTACT]),
        "can_edit": can_edit(user.role, Function.CONTACTS),
    }
    return render(request, "organisations/contact_list.html", context)


@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    provider = provider_of(user, Function.CONTACTS, for_change=True)
    form = ContactForm(_posted(request), councils=_councils(provider))
    return _request_page(
        request,
        form,
        kind=K.NEW_CONTACT,
        back="organisations:contact_list",
        heading="Ask for a new contact",
        caption=provider.name,
        intro=(
            "Someone who needs to use the portal. When the council approves the request, "
            "they are e-mailed a link to choose their password."
        ),
        button="Send new contact request",
    )


@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contact = access_contact(user, pk)
    context = {
        "contact": contact,
        "provider": contact.provider,
        "waiting": change_requests_waiting(
            user, kinds=[K.UPDATE_CONTACT, K.REMOVE_ROLE], contact=contact
        ),
        "can_edit": can_edit(user.role, Function.CONTACTS) and contact.is_active,
    }
    return render(request, "organisations/contact_detail.html", context)


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contact = access_contact(user, pk, for_change=True)
    assert contact.provider is not None
    form = _edit_form(ContactForm, request, contact, CONTACT_FIELDS, contact.provider)
    return _request_page(
        request,
        form,
        kind=K.UPDATE_CONTACT,
        contact=contact,
        back="organisations:contact_detail",
        back_pk=contact.pk,
        heading="Change this contact's details",
        caption=contact.full_name,
    )


@require_http_methods(["GET", "POST"])
def contact_remove_role(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    contact = access_contact(user, pk, for_change=True)
    assert contact.provider is not None
    form = RemoveRoleForm(_posted(request), councils=_councils(contact.provider))
    if _raise(request, form, kind=K.REMOVE_ROLE, contact=contact):
        return redirect("organisations:contact_detail", pk=contact.pk)
    return render(
        request,
        "organisations/contact_remove_role.html",
        {"form": form, "contact": contact},
    )
