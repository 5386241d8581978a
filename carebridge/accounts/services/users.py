"""Managing user accounts: creating and inviting, details and role, unlocking, restoring,
closing, and suspending those left unused."""

from typing import Any, Required, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from carebridge.accounts import tasks
from carebridge.accounts.access import AccountChange, check_account_change
from carebridge.accounts.models import CONTACT_DETAILS, ResetLink, User
from carebridge.accounts.policy import login_policy_for
from carebridge.accounts.services.common import on_request, record_about
from carebridge.accounts.services.links import setup_link_create
from carebridge.accounts.services.passwords import initial_password
from carebridge.accounts.services.sessions import sessions_end_all
from carebridge.audit.services import snapshot
from carebridge.core.calendar import now
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES, Role
from carebridge.organisations.models import ChangeRequest, Council, Provider
from carebridge.organisations.validators import normalise_email


def _check_change(
    by: User, user: User, change: AccountChange, change_request: ChangeRequest | None = None
) -> None:
    """Refuse unless `by` may make this change to the account of `user`."""
    check_account_change(
        by,
        council_id=user.council_id,
        provider_id=user.provider_id,
        change=change,
        change_request=change_request,
    )


@transaction.atomic
def account_unlock(*, user: User, by: User) -> bool:
    _check_change(by, user, AccountChange.UNLOCK)
    if not User.objects.filter(pk=user.pk, locked_at__isnull=False).update(
        locked_at=None, failed_attempts=0
    ):
        return False
    record_about(
        user,
        action="account.unlocked",
        by=by,
    )
    return True


@transaction.atomic
def account_reinstate(*, user: User, by: User) -> bool:
    """Restore a suspended account; its unused days count again from today."""
    _check_change(by, user, AccountChange.REINSTATE)
    if not User.objects.filter(pk=user.pk, suspended_at__isnull=False).update(
        suspended_at=None, last_login=now()
    ):
        return False
    record_about(
        user,
        action="account.reinstated",
        by=by,
    )
    return True


@transaction.atomic
def account_close(*, user: User, by: User, change_request: ChangeRequest | None = None) -> bool:
    """The person has left: they can no longer log in. Their history stays.

    `change_request`: the provider's own request this closure answers (docs/decisions/0006)."""
    if user.pk == by.pk:
        raise PermissionDenied("You cannot close your own account.")
    _check_change(by, user, AccountChange.CLOSE, change_request)
    if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
        return False
    record_about(user, action="account.closed", by=by, detail=on_request(change_request))
    sessions_end_all(user=user, by=by, why="the account closed")
    return True


@transaction.atomic
def account_sessions_end(*, user: User, by: User) -> bool:
    """An administrator ends every session of the account (a laptop left logged in, say): the
    person must log in again. True when there was a session to end."""
    _check_change(by, user, AccountChange.SESSIONS)
    return sessions_end_all(user=user, by=by, why="ended by an administrator") > 0


def _check_role_fits(role: str, *, council_id: int | None, provider_id: int | None) -> None:
    allowed = COUNCIL_ROLES if council_id is not None else PROVIDER_ROLES
    if role not in allowed:
        raise ValidationError({"role": "Choose a role for this kind of organisation"})


@transaction.atomic
def account_role_change(
    *, user: User, role: str, by: User, change_request: ChangeRequest | None = None
) -> User:
    """`change_request`: the provider's own request this change answers (docs/decisions/0006)."""
    _check_change(by, user, AccountChange.ROLE, change_request)
    _check_role_fits(role, council_id=user.council_id, provider_id=user.provider_id)
    if user.role == role:
        return user
    before = snapshot(user, ["role"])
    if not User.objects.filter(pk=user.pk, role=user.role).update(role=role):
        raise ValidationError("Someone else changed this account at the same time; try again")
    user.role = role
    record_about(
        user,
        action="account.role_changed",
        by=by,
        before=before,
        after=snapshot(user, ["role"]),
        detail=on_request(change_request),
    )
    return user


def _account_made_before(pk: int, call: dict[str, Any]) -> tuple[User, str] | None:
    """The account a repeated Add user made, without its one-off password: that was shown
    once, on the first page, and is kept nowhere."""
    user = User.objects.filter(pk=pk, email__iexact=normalise_email(call["email"])).first()
    return (user, "") if user is not None else None


@transaction.atomic
@once_per_key("accounts.account_create", find=_account_made_before, pk_of=lambda made: made[0].pk)
def account_create(
    *,
    by: User | None,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    council: Council | None = None,
    provider: Provider | None = None,
    phone: str = "",
    title: str = "",
    change_request: ChangeRequest | None = None,
    idempotency_key: str | None = None,
) -> tuple[User, str]:
    """A new account with a one-off password the user must change at first log-in.

    `change_request`: the provider's own request for this contact (docs/decisions/0006)."""
    if (council is None) == (provider is None):
        raise ValueError("An account belongs to exactly one organisation")
    check_account_change(
        by,
        council_id=council.pk if council else None,
        provider_id=provider.pk if provider else None,
        change=AccountChange.CREATE,
        change_request=change_request,
    )
    _check_role_fits(
        role,
        council_id=council.pk if council else None,
        provider_id=provider.pk if provider else None,
    )
    email = normalise_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "There is already an account with this e-mail address"})
    user = User(
        email=email,
        title=title.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone,
        role=Role(role),
        council=council,
        provider=provider,
        created_at=now(),
        must_change_password=True,
    )
    password = initial_password(user)
    user.set_password(password)
    user.save()
    record_about(
        user,
        action="account.created",
        by=by,
        after=snapshot(user, ["email", "first_name", "last_name", "role", "council", "provider"]),
        detail=on_request(change_request),
    )
    return user, password


class NewAccount(TypedDict, total=False):
    """What `account_create` is told about a new account (and `account_invite` passes on)."""

    email: Required[str]
    first_name: Required[str]
    last_name: Required[str]
    role: Required[str]
    council: Council | None
    provider: Provider | None
    phone: str
    title: str
    change_request: ChangeRequest | None


@transaction.atomic
def account_invite(
    *, by: User | None, **account: Unpack[NewAccount]
) -> tuple[User, ResetLink, str]:
    """A new account whose holder chooses their own password from a set-up link, e-mailed to
    them once the transaction commits.

    Nobody ever knows a password for it until then: no one-off password is shown to anyone. The
    first log-in then asks for a passcode as usual. Returns the account, the link and its token.
    """
    user, _unused = account_create(by=by, **account)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    link, token = setup_link_create(user=user, by=by)
    transaction.on_commit(lambda: tasks.send_setup_link_email(link.pk, token))
    return user, link, token


ACCOUNT_DETAILS = ("title", "first_name", "last_name", "email", "phone", *CONTACT_DETAILS)


@transaction.atomic
def account_details_update(
    *, user: User, by: User, change_request: ChangeRequest | None = None, **details: str
) -> User:
    """Change a person's name, title, e-mail address (their log-in), telephone number, or a
    contact's address and mobile.

    `change_request`: the provider's own request this change answers (docs/decisions/0006)."""
    unknown = set(details) - set(ACCOUNT_DETAILS)
    if unknown:
        raise ValueError(f"Not an account detail: {', '.join(sorted(unknown))}")
    _check_change(by, user, AccountChange.DETAILS, change_request)
    user = User.objects.get(pk=user.pk)
    before = snapshot(user, list(details))
    for field, value in details.items():
        value = value.strip()
        setattr(user, field, normalise_email(value) if field == "email" else value)
    if (
        "email" in details
        and User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists()
    ):
        raise ValidationError({"email": "There is already an account with this e-mail address"})
    user.full_clean(exclude=["password", "passcode", "council", "provider", "role"])
    user.save(update_fields=list(details))
    after = snapshot(user, list(details))
    if after != before:
        record_about(
            user,
            action="account.details_changed",
            by=by,
            before=before,
            after=after,
            detail=on_request(change_request),
        )
    return user


def accounts_suspend_unused(*, at=None) -> int:
    """Suspend every account not used for its rulebook's number of days. Returns how many."""
    at = at or now()
    suspended = 0
    candidates = User.objects.filter(is_active=True, suspended_at__isnull=True)
    organisations = candidates.values_list("council_id", "provider_id").distinct()
    for council_id, provider_id in organisations:
        sample = candidates.filter(council_id=council_id, provider_id=provider_id).first()
        if sample is None:
            continue
        cutoff = at - login_policy_for(sample).suspend_after
        stale = candidates.filter(council_id=council_id, provider_id=provider_id).filter(
            Q(last_login__lt=cutoff) | Q(last_login__isnull=True, created_at__lt=cutoff)
        )
        with transaction.atomic():
            for user in stale.select_for_update():
                if User.objects.filter(pk=user.pk, suspended_at__isnull=True).update(
                    suspended_at=at
                ):
                    record_about(
                        user,
                        action="account.suspended",
                        detail={"unused_since": str(user.last_login or user.created_at)},
                    )
                    sessions_end_all(user=user, by=None, why="the account was suspended")
                    suspended += 1
    return suspended
