"""Who manages the accounts of a provider that works for several councils (docs/decisions/0006),
and every council's audit log seeing every event about those accounts."""

import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from carebridge.accounts import services
from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.organisations import services as org
from carebridge.organisations.models import ChangeRequest, Council, Provider
from carebridge.organisations.selectors import change_request_attention_for
from tests.support import PASSCODE, PASSWORD, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db


@dataclass
class Councils:
    """Two councils sharing a provider (as Northshire and Westbrook share Larkspur), and a
    provider that works for the first alone."""

    north: Council
    west: Council
    shared: Provider
    own: Provider
    north_admin: User
    west_admin: User
    super_user: User
    administration: User
    carer: User
    own_carer: User


@pytest.fixture
def councils() -> Councils:
    north, west = make_council("Ashdown Vale Council"), make_council("Brackenfold Council")
    shared, own = make_provider("Bluebell Lane Care"), make_provider("Zephyrine Care")
    make_contract(north, shared)
    make_contract(west, shared)
    make_contract(north, own)
    return Councils(
        north=north,
        west=west,
        shared=shared,
        own=own,
        north_admin=make_user(council=north, role="council_administrator"),
        west_admin=make_user(council=west, role="council_administrator"),
        super_user=make_user(provider=shared, role="super_user_actuals"),
        administration=make_user(provider=shared, role="administration"),
        carer=make_user(provider=shared, role="read_only"),
        own_carer=make_user(provider=own, role="read_only"),
    )


def logged_in(client, user):
    client.force_login(user)
    return client


def events_about(user: User, action: str) -> set[int | None]:
    """The councils whose logs hold this event about the account."""
    return set(
        Event.objects.filter(
            object_type="accounts.user", object_id=str(user.pk), action=action
        ).values_list("council_id", flat=True)
    )


def audit_page(client, admin: User, action: str) -> str:
    response = logged_in(client, admin).get(reverse("audit:event_list"), {"action": action})
    assert response.status_code == 200
    return response.content.decode()


def lock(user: User) -> None:
    for _ in range(3):
        services.login_check_password(email=user.email, password="Not-the-password-1")
    user.refresh_from_db()
    assert user.is_locked


# --- What a council administrator may do to a shared provider's accounts --------------------


def test_it_refuses_a_council_administrator_adding_a_contact_to_a_shared_provider(client, councils):
    url = reverse("accounts:user_create")
    form = logged_in(client, councils.north_admin).get(url).content.decode()
    assert f'value="provider-{councils.own.pk}"' in form
    assert f'value="provider-{councils.shared.pk}"' not in form
    assert "Bluebell Lane Care also works for another council" in form

    response = client.post(
        url,
        {
            "first_name": "Morgan",
            "last_name": "Reeve",
            "email": "morgan.reeve@example.org",
            "organisation": f"provider-{councils.shared.pk}",
            "role": "super_user_actuals",
        },
    )

    assert response.status_code == 200
    assert "Choose one of the organisations in the list" in response.content.decode()
    assert not User.objects.filter(email="morgan.reeve@example.org").exists()
    assert not Event.objects.filter(action="account.created", actor=councils.north_admin).exists()
    morgan = {
        "email": "morgan.reeve@example.org",
        "first_name": "Morgan",
        "last_name": "Reeve",
        "role": "super_user_actuals",
        "provider": councils.shared,
    }
    with pytest.raises(PermissionDenied):
        services.account_create(by=councils.north_admin, **morgan)
    with pytest.raises(PermissionDenied):
        services.account_invite(by=councils.west_admin, **morgan)
    assert not User.objects.filter(email="morgan.reeve@example.org").exists()


def test_it_refuses_a_council_administrator_changing_a_shared_providers_contact_role(
    client, councils
):
    detail = reverse("accounts:user_detail", args=[councils.carer.pk])
    page = logged_in(client, councils.north_admin).get(detail).content.decode()
    assert "Change role" not in page
    assert "Close account" not in page
    assert "its own Super Users and Administration manage its contacts" in page

    response = client.post(detail, {"role": "super_user_actuals"})

    assert response.status_code == 403
    assert User.objects.get(pk=councils.carer.pk).role == "read_only"
    assert events_about(councils.carer, "account.role_changed") == set()
    with pytest.raises(PermissionDenied):
        services.account_role_change(
            user=councils.carer, role="super_user_actuals", by=councils.west_admin
        )
    with pytest.raises(PermissionDenied):
        services.account_details_update(
            user=councils.carer, by=councils.west_admin, email="takeover@example.org"
        )
    assert User.objects.get(pk=councils.carer.pk).role == "read_only"


def test_it_refuses_a_council_administrator_closing_a_shared_providers_contact(client, councils):
    close = reverse("accounts:user_action", args=[councils.carer.pk, "close"])

    response = logged_in(client, councils.west_admin).post(close)

    assert response.status_code == 403
    assert User.objects.get(pk=councils.carer.pk).is_active
    assert events_about(councils.carer, "account.closed") == set()


def test_either_council_administrator_can_still_unlock_and_restore_a_shared_providers_contact(
    client, councils
):
    lock(councils.carer)

    response = logged_in(client, councils.west_admin).post(
        reverse("accounts:user_action", args=[councils.carer.pk, "unlock"])
    )

    assert response.status_code == 302
    assert not User.objects.get(pk=councils.carer.pk).is_locked
    assert events_about(councils.carer, "account.unlocked") == {
        councils.north.pk,
        councils.west.pk,
    }
    User.objects.filter(pk=councils.carer.pk).update(suspended_at=now())
    assert services.account_reinstate(user=councils.carer, by=councils.north_admin)
    assert events_about(councils.carer, "account.reinstated") == {
        councils.north.pk,
        councils.west.pk,
    }


def test_a_council_cannot_touch_the_accounts_of_a_provider_that_does_not_work_for_it(councils):
    lock(councils.own_carer)
    with pytest.raises(PermissionDenied):
        services.account_unlock(user=councils.own_carer, by=councils.west_admin)
    assert User.objects.get(pk=councils.own_carer.pk).is_locked


def test_a_provider_working_for_one_council_keeps_its_councils_administration(client, councils):
    client = logged_in(client, councils.north_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "first_name": "Morgan",
            "last_name": "Reeve",
            "email": "morgan.reeve@example.org",
            "organisation": f"provider-{councils.own.pk}",
            "role": "payments",
        },
    )
    assert response.status_code == 200
    created = User.objects.get(email="morgan.reeve@example.org")
    assert created.provider == councils.own

    detail = reverse("accounts:user_detail", args=[created.pk])
    assert "Change role" in client.get(detail).content.decode()
    assert client.post(detail, {"role": "read_only"}).status_code == 302
    close = reverse("accounts:user_action", args=[created.pk, "close"])
    assert client.post(close).status_code == 302

    created.refresh_from_db()
    assert (created.role, created.is_active) == ("read_only", False)
    for action in ("account.created", "account.role_changed", "account.closed"):
        assert events_about(created, action) == {councils.north.pk}


# --- The provider manages its own contacts, through change requests every council sees -------


def test_the_providers_super_user_adds_a_contact_that_every_council_sees(client, councils):
    request = org.change_request_raise(
        by=councils.super_user,
        kind="new_contact",
        council=councils.north,
        proposed={
            "first_name": "Morgan",
            "last_name": "Reeve",
            "email": "morgan.reeve@example.org",
            "role": "super_user_actuals",
        },
    )

    # Westbrook sees the request about a log-in to its data, but only Northshire decides it.
    client = logged_in(client, councils.west_admin)
    queue = client.get(reverse("organisations:change_request_list")).content.decode()
    assert "Morgan Reeve" in queue
    assert f"Sent to {councils.north.name}" in queue
    detail = reverse("organisations:change_request_detail", args=[request.pk])
    page = client.get(detail).content.decode()
    assert f"sent this request to {councils.north.name}, which decides it" in page
    assert reverse("organisations:change_request_approve", args=[request.pk]) not in page
    approve = reverse("organisations:change_request_approve", args=[request.pk])
    assert client.post(approve).status_code == 403
    assert change_request_attention_for(councils.west_admin) == []
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"

    org.change_request_approve(change_request=request, by=councils.north_admin)

    contact = User.objects.get(email="morgan.reeve@example.org")
    assert contact.provider == councils.shared
    assert events_about(contact, "account.created") == {councils.north.pk, councils.west.pk}
    shown = audit_page(client, councils.west_admin, "account.created")
    assert "morgan.reeve@example.org" in shown
    assert "change_request.approved" in audit_page(client, councils.west_admin, "change_request")


def test_the_providers_administration_changes_a_role_and_removes_a_contact(councils):
    re_role = org.change_request_raise(
        by=councils.administration,
        kind="update_contact",
        contact=councils.carer,
        council=councils.west,
        proposed={"role": "payments"},
    )
    org.change_request_approve(change_request=re_role, by=councils.west_admin)
    assert User.objects.get(pk=councils.carer.pk).role == "payments"
    event = Event.objects.filter(action="account.role_changed", council=councils.north).get()
    assert event.detail == {"change_request": re_role.pk}

    removal = org.change_request_raise(
        by=councils.administration,
        kind="remove_role",
        contact=councils.carer,
        council=councils.west,
    )
    org.change_request_approve(change_request=removal, by=councils.west_admin)
    assert not User.objects.get(pk=councils.carer.pk).is_active
    assert events_about(councils.carer, "account.closed") == {councils.north.pk, councils.west.pk}


def test_a_request_approved_by_one_council_does_not_let_another_act_on_it(councils):
    request = org.change_request_raise(
        by=councils.super_user,
        kind="update_contact",
        contact=councils.carer,
        council=councils.north,
        proposed={"role": "payments"},
    )
    with pytest.raises(PermissionDenied):
        services.account_role_change(
            user=councils.carer, role="payments", by=councils.west_admin, change_request=request
        )
    assert User.objects.get(pk=councils.carer.pk).role == "read_only"


# --- Every account event of a shared provider in each council's log ---------------------------


def test_every_account_event_of_a_shared_provider_reaches_each_councils_audit_log(client, councils):
    person = councils.carer
    lock(person)  # login.failed, account.locked
    services.account_unlock(user=person, by=councils.north_admin)
    services.reset_link_request(email=person.email, purpose="password")
    services.password_change(user=person, new_password="Quiet-Orchard-77", by=person)
    services.passcode_change(user=person, new_passcode="246813", by=person)
    services.login_complete(user=person)
    logged_in(client, person).post(reverse("accounts:logout"))
    User.objects.filter(pk=person.pk).update(last_login=now() - timedelta(days=400))
    services.accounts_suspend_unused()

    both = {councils.north.pk, councils.west.pk}
    for action in (
        "account.created",
        "password.changed",
        "passcode.changed",
        "login.failed",
        "account.locked",
        "account.unlocked",
        "reset.requested",
        "login.succeeded",
        "account.suspended",
        "logout",
    ):
        assert events_about(person, action) == both, action
    # One copy in each log, not one per council in every log.
    west_log = Event.objects.filter(council=councils.west, object_id=str(person.pk))
    assert west_log.filter(action="account.locked").count() == 1
    shown = audit_page(client, councils.west_admin, "account.unlocked")
    assert person.email in shown
    assert councils.north_admin.full_name in shown


def test_an_idle_session_ending_reaches_each_councils_audit_log(client, councils):
    client = logged_in(client, councils.carer)
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] = time.time() - 31 * 60
    session.save()

    assert client.get("/")["Location"] == reverse("accounts:login")

    assert events_about(councils.carer, "session.timed_out") == {
        councils.north.pk,
        councils.west.pk,
    }


def test_the_account_page_shows_each_event_once(client, councils):
    lock(councils.carer)
    services.account_unlock(user=councils.carer, by=councils.north_admin)

    page = (
        logged_in(client, councils.west_admin)
        .get(reverse("accounts:user_detail", args=[councils.carer.pk]))
        .content.decode()
    )

    assert page.count(">account.unlocked<") == 1
    assert page.count(">account.locked<") == 1


def test_the_shared_providers_staff_still_log_in(client, councils):
    response = client.post(
        reverse("accounts:login"), {"email": councils.carer.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.post(reverse("accounts:login_second_step"), {"passcode": PASSCODE})
    assert response["Location"] == reverse("home:home")
    assert events_about(councils.carer, "login.succeeded") == {
        councils.north.pk,
        councils.west.pk,
    }
