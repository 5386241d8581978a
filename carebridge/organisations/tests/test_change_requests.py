"""Change requests through the services: raising each kind, who may, what is refused, and the
council's decision (all or nothing, once only, never over a newer change)."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from carebridge.accounts import services as accounts
from carebridge.accounts.models import ResetLink, User
from carebridge.accounts.services import LinkProblem, Outcome
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.organisations import services as org
from carebridge.organisations.access import access_change_request, access_contact, access_service
from carebridge.organisations.models import ChangeRequest, Provider, Service
from carebridge.organisations.selectors import (
    change_requests_for_council,
    change_requests_for_provider,
)
from carebridge.organisations.services import ChangeRequestRefused
from tests.support import make_council

pytestmark = pytest.mark.django_db

NEW_CONTACT = {
    "title": "Ms",
    "first_name": "Imani",
    "last_name": "Okafor",
    "email": "Imani.Okafor@Bluebell.example",
    "phone": "0114 496 0999",
    "role": "reports",
}


def approve(world, change_request, by=None):
    return org.change_request_approve(change_request=change_request, by=by or world.reviewer)


# --- Raising ---------------------------------------------------------------------------------


def test_it_raises_an_organisation_update_holding_only_what_changes(world):
    request = world.raise_(
        "update_organisation",
        proposed={"name": "Bluebell Lane Care", "phone": "0114 496 0399", "postcode": "m11aa"},
    )
    assert request.status == "pending"
    assert request.council == world.council
    assert request.proposed == {"phone": "0114 496 0399"}
    assert request.previous == {"phone": "0114 496 0311"}
    assert request.entity_name == "Bluebell Lane Care"
    assert [(c.label, c.before, c.after) for c in request.changes()] == [
        ("Telephone", "0114 496 0311", "0114 496 0399")
    ]
    assert Provider.objects.get(pk=world.provider.pk).phone == "0114 496 0311"  # not yet
    event = Event.objects.get(action="change_request.raised")
    assert event.before == {"phone": "0114 496 0311"}
    assert event.after == {"phone": "0114 496 0399"}
    assert (event.council_id, event.provider_id) == (world.council.pk, world.provider.pk)


def test_it_raises_a_service_update_with_the_postcode_normalised(world):
    request = world.raise_(
        "update_service",
        service=world.service,
        proposed={"postcode": "sw1a1aa", "usrn": "21403780", "mobile": "07700 900982"},
    )
    assert request.proposed == {
        "postcode": "SW1A 1AA",
        "usrn": "21403780",
        "mobile": "07700 900982",
    }
    assert request.previous == {"postcode": "M1 1AA", "usrn": "", "mobile": ""}
    assert request.service == world.service


def test_it_raises_a_new_contact_request(world):
    request = world.raise_("new_contact", proposed=NEW_CONTACT)
    assert request.proposed["email"] == "imani.okafor@bluebell.example"
    assert request.previous == {}
    assert request.entity_name == "Imani Okafor"
    assert request.contact is None
    assert not User.objects.filter(email__iexact=NEW_CONTACT["email"]).exists()


def test_it_raises_a_contact_update_and_a_role_removal(world):
    update = world.raise_(
        "update_contact",
        contact=world.read_only,
        proposed={"last_name": "Penhaligon", "role": "payments"},
    )
    assert update.previous == {"last_name": world.read_only.last_name, "role": "read_only"}
    removal = world.raise_("remove_role", by=world.administration, contact=world.payments)
    assert removal.previous == {"role": "payments"}
    assert removal.proposed == {}
    assert [c.after for c in removal.changes()] == ["Removed: the account is closed"]


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("read_only", "update_organisation"),
        ("payments", "update_organisation"),
        ("read_only", "new_contact"),
        ("reports", "new_contact"),
        ("reports", "remove_role"),
    ],
)
def test_it_refuses_a_role_without_edit_on_the_function(world, role, kind):
    by = {"read_only": world.read_only, "payments": world.payments, "reports": world.reports}[role]
    fields = {
        "update_organisation": {"proposed": {"phone": "0114 496 0399"}},
        "new_contact": {"proposed": NEW_CONTACT},
        "remove_role": {"contact": world.read_only},
    }[kind]
    with pytest.raises(PermissionDenied):
        world.raise_(kind, by=by, **fields)
    assert not ChangeRequest.objects.exists()


def test_the_reports_role_may_ask_to_change_organisation_details(world):
    assert world.raise_("update_organisation", by=world.reports, proposed={"county": "Northshire"})


def test_council_staff_cannot_raise_a_request(world):
    with pytest.raises(PermissionDenied):
        org.change_request_raise(
            by=world.reviewer, kind="update_organisation", proposed={"county": "Northshire"}
        )


def test_it_refuses_an_edit_that_changes_nothing(world):
    with pytest.raises(ValidationError) as refused:
        world.raise_(
            "update_organisation",
            proposed={
                "name": "Bluebell Lane Care",
                "phone": " 0114  496 0311 ",
                "postcode": "m1 1aa",
            },
        )
    assert "You have not changed any details" in str(refused.value)
    assert not ChangeRequest.objects.exists()


def test_it_checks_every_changed_value_and_says_which(world):
    with pytest.raises(ValidationError) as refused:
        world.raise_(
            "update_organisation",
            proposed={
                "name": "",
                "postcode": "NOT A POSTCODE",
                "email": "office-at-bluebell",
                "phone": "12345",
                "mobile": "0114 496 0311",
                "uprn": "12ab",
            },
        )
    errors = refused.value.message_dict
    assert set(errors) == {"name", "postcode", "email", "phone", "mobile", "uprn"}
    assert errors["postcode"] == ["Enter a real postcode, like SW1A 1AA"]


def test_a_new_contact_needs_names_an_email_and_a_role(world):
    with pytest.raises(ValidationError) as refused:
        world.raise_("new_contact", proposed={"title": "Mr"})
    assert set(refused.value.message_dict) == {"first_name", "last_name", "email", "role"}


def test_a_new_contact_cannot_take_an_address_already_in_use(world):
    with pytest.raises(ValidationError) as refused:
        world.raise_("new_contact", proposed={**NEW_CONTACT, "email": world.stranger.email})
    assert refused.value.message_dict["email"] == [
        "There is already an account with this e-mail address"
    ]


def test_a_provider_with_several_councils_must_choose_one(world):
    with pytest.raises(ValidationError) as refused:
        world.raise_("update_organisation", council=None, proposed={"county": "Northshire"})
    assert refused.value.message_dict["council"] == [
        "Choose the council that should review this request"
    ]
    with pytest.raises(ValidationError) as refused:
        world.raise_("update_organisation", council=make_council(), proposed={"county": "X"})
    assert refused.value.message_dict["council"] == [
        "Choose one of the councils your organisation works for"
    ]
    request = world.raise_(
        "update_organisation", council=world.other_council, proposed={"county": "Northshire"}
    )
    assert request.council == world.other_council


def test_a_provider_with_one_council_has_it_chosen_for_them(world):
    request = org.change_request_raise(
        by=world.stranger,
        kind="update_service",
        service=world.other_service,
        proposed={"town": "Fairholt"},
    )
    assert request.council == world.council


def test_a_second_request_for_the_same_record_waits_for_the_first(world):
    world.raise_("update_organisation", proposed={"county": "Northshire"})
    with pytest.raises(ValidationError) as refused:
        world.raise_("update_organisation", proposed={"town": "Kettleby"})
    assert "already waiting for review" in str(refused.value)


def test_a_provider_cannot_ask_about_another_providers_records(world):
    with pytest.raises(PermissionDenied):
        world.raise_("update_service", service=world.other_service, proposed={"town": "X"})
    with pytest.raises(PermissionDenied):
        world.raise_("remove_role", contact=world.stranger)


# --- Approving -------------------------------------------------------------------------------


def test_approval_makes_every_change_at_once(world):
    request = world.raise_(
        "update_service",
        service=world.service,
        proposed={"name": "Bluebell Lane Care – Marple", "phone": "0114 496 0400", "county": ""},
    )
    approved = approve(world, request)
    assert approved.status == "approved"
    assert approved.decided_by == world.reviewer
    assert approved.decided_at is not None
    service = Service.objects.get(pk=world.service.pk)
    assert (service.name, service.phone) == ("Bluebell Lane Care – Marple", "0114 496 0400")
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"change_request.approved", "service.updated"} <= actions
    event = Event.objects.get(action="change_request.approved")
    assert event.before == {"name": "Bluebell Lane Care – Hollowmere", "phone": "0114 496 0312"}


def test_approval_changes_nothing_when_any_part_fails(world):
    request = world.raise_(
        "update_contact",
        contact=world.read_only,
        proposed={"first_name": "Morwenna", "role": "payments"},
    )
    with (
        mock.patch.object(
            accounts, "account_role_change", side_effect=ValidationError("Role refused")
        ),
        pytest.raises(ValidationError),
    ):
        approve(world, request)
    contact = User.objects.get(pk=world.read_only.pk)
    assert (contact.first_name, contact.role) == ("Alex", "read_only")
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"
    assert not Event.objects.filter(action="change_request.approved").exists()


def test_approval_refuses_a_change_the_records_own_rules_now_forbid(world):
    request = world.raise_(
        "update_service", service=world.service, proposed={"name": "Bluebell Central", "town": "X"}
    )
    org.service_create(provider=world.provider, name="Bluebell Central")  # arrives in between
    with pytest.raises(ValidationError):
        approve(world, request)
    assert Service.objects.get(pk=world.service.pk).town == "Hollowmere"
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"


def test_a_request_is_approved_once_only(world):
    request = world.raise_("update_organisation", proposed={"county": "Northshire"})
    approve(world, request)
    with pytest.raises(ChangeRequestRefused) as refused:
        approve(world, request)
    assert "was approved by" in refused.value.message
    with pytest.raises(ChangeRequestRefused):
        org.change_request_reject(change_request=request, by=world.reviewer, reason="Too late")
    assert Event.objects.filter(action="change_request.approved").count() == 1


def test_a_lost_race_is_refused_by_the_compare_and_set(world):
    """An approval that read the request as pending just before a rejection was saved: the
    compare-and-set finds it decided, and nothing changes."""
    request = world.raise_("update_organisation", proposed={"county": "Northshire"})
    org.change_request_reject(change_request=request, by=world.reviewer, reason="Decided")
    real_refusal = org.decision_refusal
    with (
        mock.patch(
            "carebridge.organisations.services.change_requests.decision_refusal",
            side_effect=[None, real_refusal(ChangeRequest.objects.get(pk=request.pk))],
        ),
        pytest.raises(ChangeRequestRefused) as refused,
    ):
        approve(world, request)
    assert "was rejected by" in refused.value.message
    assert Provider.objects.get(pk=world.provider.pk).county == ""
    assert ChangeRequest.objects.get(pk=request.pk).status == "rejected"


def test_approval_refuses_when_the_record_changed_since(world):
    first = world.raise_("update_organisation", proposed={"phone": "0114 496 0399"})
    org.provider_update(provider=world.provider, by=world.reviewer, phone="0114 496 0555")
    with pytest.raises(ChangeRequestRefused) as refused:
        approve(world, first)
    assert "has changed since this request was raised (Telephone)" in refused.value.message
    assert Provider.objects.get(pk=world.provider.pk).phone == "0114 496 0555"
    assert ChangeRequest.objects.get(pk=first.pk).status == "pending"
    assert org.stale_fields(first) == ["phone"]


def test_a_change_to_another_field_does_not_make_a_request_stale(world):
    request = world.raise_("update_organisation", proposed={"phone": "0114 496 0399"})
    org.provider_update(provider=world.provider, by=world.reviewer, county="Northshire")
    approve(world, request)
    provider = Provider.objects.get(pk=world.provider.pk)
    assert (provider.phone, provider.county) == ("0114 496 0399", "Northshire")


def test_approving_a_new_contact_makes_an_account_and_emails_a_set_up_link(
    world, django_capture_on_commit_callbacks
):
    request = world.raise_("new_contact", proposed=NEW_CONTACT)
    with django_capture_on_commit_callbacks(execute=True):
        approved = approve(world, request)
    contact = User.objects.get(email="imani.okafor@bluebell.example")
    assert approved.contact == contact
    assert (contact.provider, contact.role, contact.title) == (world.provider, "reports", "Ms")
    assert contact.must_change_password
    assert not contact.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [contact.email]
    token = re.search(r"/accounts/set-up/([\w-]+)/", mail.outbox[0].body).group(1)
    assert not ResetLink.objects.filter(token_hash=token).exists()  # only its hash is kept

    assert accounts.reset_link_use(token=token, purpose="password", secret="Kestrel-Lantern-71")
    contact.refresh_from_db()
    assert not contact.must_change_password
    assert (
        accounts.login_check_password(email=contact.email, password="Kestrel-Lantern-71").outcome
        is Outcome.OK
    )
    assert accounts.second_step_is_set_up(contact) is False  # the passcode is chosen next
    again = accounts.reset_link_use(token=token, purpose="password", secret="Another-Lantern-72")
    assert again is LinkProblem.USED


def test_a_set_up_link_expires_after_seven_days(world, django_capture_on_commit_callbacks):
    request = world.raise_("new_contact", proposed=NEW_CONTACT)
    with django_capture_on_commit_callbacks(execute=True):
        approve(world, request)
    link = ResetLink.objects.get(user__email="imani.okafor@bluebell.example")
    assert link.expires_at - link.created_at == timedelta(days=7)
    token = re.search(r"/accounts/set-up/([\w-]+)/", mail.outbox[0].body).group(1)
    ResetLink.objects.filter(pk=link.pk).update(expires_at=now() - timedelta(seconds=1))
    assert accounts.reset_link_check(token=token, purpose="password") is LinkProblem.EXPIRED


def test_a_new_contact_whose_address_was_taken_meanwhile_is_refused(
    world, django_capture_on_commit_callbacks
):
    request = world.raise_("new_contact", proposed=NEW_CONTACT)
    accounts.account_create(
        by=None,
        email=NEW_CONTACT["email"],
        first_name="Someone",
        last_name="Else",
        role="read_only",
        provider=world.other_provider,
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ChangeRequestRefused):
        approve(world, request)
    assert mail.outbox == []
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"


def test_approving_a_contact_update_changes_details_and_role(world):
    request = world.raise_(
        "update_contact",
        contact=world.read_only,
        proposed={"title": "Dr", "email": "Reader@Bluebell.example", "role": "payments"},
    )
    approve(world, request)
    contact = User.objects.get(pk=world.read_only.pk)
    assert (contact.title, contact.email, contact.role) == (
        "Dr",
        "reader@bluebell.example",
        "payments",
    )
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"account.details_changed", "account.role_changed"} <= actions


def test_approving_a_role_removal_closes_the_account(world):
    request = world.raise_("remove_role", contact=world.payments)
    approve(world, request)
    assert not User.objects.get(pk=world.payments.pk).is_active
    assert Event.objects.filter(action="account.closed", object_id=str(world.payments.pk)).exists()


def test_a_removal_for_an_account_closed_meanwhile_is_refused(world):
    request = world.raise_("remove_role", contact=world.payments)
    # The provider itself closed it (the reviewing council may not: the provider is shared).
    accounts.account_close(user=world.payments, by=world.super_user)
    with pytest.raises(ChangeRequestRefused):
        approve(world, request)


# --- Rejecting -------------------------------------------------------------------------------


def test_rejection_records_the_reason_who_and_when(world):
    request = world.raise_("update_organisation", proposed={"county": "Northshire"})
    rejected = org.change_request_reject(
        change_request=request, by=world.reviewer, reason="  Our records show no such county.  "
    )
    assert rejected.status == "rejected"
    assert rejected.rejection_reason == "Our records show no such county."
    assert rejected.decided_by == world.reviewer
    assert rejected.decided_at is not None
    assert Provider.objects.get(pk=world.provider.pk).county == ""
    event = Event.objects.get(action="change_request.rejected")
    assert event.after["rejection_reason"] == "Our records show no such county."


def test_rejection_needs_a_reason(world):
    request = world.raise_("update_organisation", proposed={"county": "Northshire"})
    with pytest.raises(ValidationError) as refused:
        org.change_request_reject(change_request=request, by=world.reviewer, reason="   ")
    assert "reason" in refused.value.message_dict
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"


def test_a_request_is_rejected_once_only(world):
    request = world.raise_("update_organisation", proposed={"county": "Northshire"})
    org.change_request_reject(change_request=request, by=world.reviewer, reason="No")
    with pytest.raises(ChangeRequestRefused):
        org.change_request_reject(change_request=request, by=world.reviewer, reason="No again")
    with pytest.raises(ChangeRequestRefused):
        approve(world, request)


# --- Who may see and decide ------------------------------------------------------------------


def test_only_the_chosen_councils_reviewers_may_decide(world):
    request = world.raise_("update_organisation", proposed={"county": "Northshire"})
    for outsider in (world.other_reviewer, world.broker, world.super_user):
        with pytest.raises(PermissionDenied):
            approve(world, request, by=outsider)
        with pytest.raises(PermissionDenied):
            org.change_request_reject(change_request=request, by=outsider, reason="No")
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"


def test_a_council_sees_only_the_requests_sent_to_it(world):
    ours = world.raise_("update_organisation", proposed={"county": "Northshire"})
    theirs = world.raise_(
        "update_service",
        service=world.service,
        council=world.other_council,
        proposed={"county": "Northshire"},
    )
    assert list(change_requests_for_council(world.reviewer)) == [ours]
    assert list(change_requests_for_council(world.other_reviewer)) == [theirs]
    assert list(change_requests_for_council(world.broker)) == []
    with pytest.raises(Http404):
        access_change_request(world.reviewer, theirs.pk)
    assert access_change_request(world.other_reviewer, theirs.pk) == theirs


def test_another_provider_cannot_see_or_act_on_the_requests_or_details(world):
    request = world.raise_("update_organisation", proposed={"county": "Northshire"})
    assert list(change_requests_for_provider(world.stranger, at=now())) == []
    for check in (
        lambda: access_change_request(world.stranger, request.pk),
        lambda: access_change_request(world.stranger, request.pk, for_change=True),
        lambda: access_service(world.stranger, world.service.pk),
        lambda: access_contact(world.stranger, world.read_only.pk),
    ):
        with pytest.raises(Http404):
            check()


def test_the_providers_list_keeps_decided_requests_for_thirty_days(world):
    old = world.raise_("update_organisation", proposed={"county": "Northshire"})
    org.change_request_reject(change_request=old, by=world.reviewer, reason="No")
    ChangeRequest.objects.filter(pk=old.pk).update(decided_at=now() - timedelta(days=31))
    recent = world.raise_("update_service", service=world.service, proposed={"county": "Y"})
    approve(world, recent)
    waiting = world.raise_("remove_role", contact=world.payments)
    shown = set(change_requests_for_provider(world.super_user, at=now()))
    assert shown == {recent, waiting}
    everything = set(change_requests_for_provider(world.super_user, at=now(), historical=True))
    assert everything == {old, recent, waiting}


def test_the_councils_queue_puts_pending_requests_first(world):
    decided = world.raise_("update_organisation", proposed={"county": "Northshire"})
    approve(world, decided)
    first = world.raise_("update_service", service=world.service, proposed={"county": "Y"})
    second = world.raise_("remove_role", contact=world.payments)
    queue = list(change_requests_for_council(world.reviewer))
    assert queue == [first, second, decided]
    assert list(change_requests_for_council(world.reviewer, status="approved")) == [decided]
    assert list(change_requests_for_council(world.reviewer, provider=world.other_provider.pk)) == []
