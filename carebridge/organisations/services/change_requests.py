"""Change requests: a provider asks for its organisation, service or contact details to change,
and the council it chose approves (the change is made there and then) or rejects it.

Nothing a provider types changes a record directly. Raising a request keeps the values asked
for and the values as they were; approval changes the request's state with a compare-and-set
and makes the change through the record's own service, all in one transaction, and refuses when
the record has changed since in a field the request touches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.core.errors import Refused
from carebridge.core.formats import guide_datetime
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import PROVIDER_ROLES, can_edit
from carebridge.organisations.choices import (
    CONTACT_KINDS,
    DECISIONS,
    FIELD_LABELS,
    FIELDS_OF_KIND,
    ChangeRequestKind,
    ChangeRequestStatus,
    function_of,
)
from carebridge.organisations.models import ChangeRequest, Council, Provider, Service
from carebridge.organisations.selectors import councils_of_provider
from carebridge.organisations.services.records import provider_update, service_update
from carebridge.organisations.signals import contact_change_approved
from carebridge.organisations.validators import (
    normalise_email,
    normalise_phone,
    validate_fax,
    validate_mobile,
    validate_phone,
    validate_uprn,
    validate_usrn,
)
from carebridge.people.validators import normalise_postcode, validate_postcode

if TYPE_CHECKING:
    from carebridge.accounts.models import User

K = ChangeRequestKind
S = ChangeRequestStatus

NOTHING_CHANGED = (
    "You have not changed any details. Change at least one before you send the request."
)
_CONTACT_REQUIRED = {
    "first_name": "Enter the first name",
    "last_name": "Enter the last name",
    "email": "Enter the e-mail address",
    "role": "Choose a security role",
}
# The details a record cannot be without, and what to say when one is left empty.
REQUIRED: dict[ChangeRequestKind, dict[str, str]] = {
    K.UPDATE_ORGANISATION: {"name": "Enter the organisation's name"},
    K.UPDATE_SERVICE: {"name": "Enter the service's name"},
    K.NEW_CONTACT: _CONTACT_REQUIRED,
    K.UPDATE_CONTACT: _CONTACT_REQUIRED,
    K.REMOVE_ROLE: {},
}
EMAIL_MESSAGE = "Enter an e-mail address in the correct format, like name@example.com"
EMAIL_TAKEN = "There is already an account with this e-mail address"


class ChangeRequestRefused(Refused):
    """A decision the request's state or the record's state does not allow; says why in words."""


def _record_request(change_request: ChangeRequest, *, action: str, **event: Any) -> None:
    """An event about a request, in the log of the council it was sent to; one about contacts
    also in the log of every other council the provider works for, which sees the request too
    (docs/decisions/0006)."""
    councils = [change_request.council_id]
    if change_request.kind in CONTACT_KINDS:
        councils += list(
            councils_of_provider(change_request.provider_id)
            .exclude(pk=change_request.council_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    for council_id in councils:
        record(
            action=action,
            obj=change_request,
            council=council_id,
            provider=change_request.provider_id,
            **event,
        )


# --- Raising a request -----------------------------------------------------------------------


def _max_lengths(kind: ChangeRequestKind) -> dict[str, int]:
    model: type[Any] = {
        K.UPDATE_ORGANISATION: Provider,
        K.UPDATE_SERVICE: Service,
    }.get(kind, get_user_model())
    lengths = {}
    for name in FIELDS_OF_KIND[kind]:
        length = model._meta.get_field(name).max_length
        if length:
            lengths[name] = length
    return lengths


def _normalised(field: str, value: Any) -> str:
    text = " ".join(str(value or "").split()) if field != "email" else str(value or "").strip()
    if field == "postcode" and text:
        return normalise_postcode(text)
    if field in ("phone", "mobile", "fax"):
        return normalise_phone(text)
    if field == "email" and text:
        return normalise_email(text)
    return text


_VALUE_CHECKS = {
    "postcode": validate_postcode,
    "phone": validate_phone,
    "fax": validate_fax,
    "mobile": validate_mobile,
    "uprn": validate_uprn,
    "usrn": validate_usrn,
}


def _check_value(field: str, value: str) -> None:
    if not value:
        return
    if field == "email":
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(EMAIL_MESSAGE, code="invalid") from None
    elif field == "role":
        if value not in PROVIDER_ROLES:
            raise ValidationError("Choose one of the security roles", code="invalid")
    elif field in _VALUE_CHECKS:
        _VALUE_CHECKS[field](value)


def _validated(
    kind: ChangeRequestKind, current: dict[str, str], asked: dict[str, Any]
) -> dict[str, str]:
    """The fields whose value changes, checked and normalised; ValidationError lists every fault.

    Only a changed value is checked, so an old value that breaks today's rules does not stop a
    provider correcting another field."""
    fields = FIELDS_OF_KIND[kind]
    unknown = set(asked) - set(fields)
    if unknown:
        raise ValueError(f"Not a detail of this request: {', '.join(sorted(unknown))}")
    lengths = _max_lengths(kind)
    required = REQUIRED[kind]
    errors: dict[str, str] = {}
    changed: dict[str, str] = {}
    for field in fields:
        if field not in asked:
            continue
        value = _normalised(field, asked[field])
        if value == current.get(field, ""):
            continue
        if not value and field in required:
            errors[field] = required[field]
            continue
        try:
            _check_value(field, value)
        except ValidationError as error:
            errors[field] = error.messages[0]
            continue
        if field in lengths and len(value) > lengths[field]:
            errors[field] = f"{FIELD_LABELS[field]} must be {lengths[field]} characters or fewer"
            continue
        changed[field] = value
    if kind == K.NEW_CONTACT:
        for field, message in required.items():
            if not changed.get(field) and field not in errors:
                errors[field] = message
    if errors:
        raise ValidationError(errors)
    return changed


def _values(instance: Any, fields: tuple[str, ...]) -> dict[str, str]:
    return {field: str(getattr(instance, field) or "") for field in fields}


def _check_raiser(by: User, kind: ChangeRequestKind) -> Provider:
    if by.provider is None or not can_edit(by.role, function_of(kind)):
        raise PermissionDenied("Your security role cannot ask for this change.")
    return by.provider


def _reviewing_council(provider: Provider, council: Council | None) -> Council:
    """The council that reviews the request: the provider's only council, or the one it chose."""
    councils = list(councils_of_provider(provider.pk).order_by("name"))
    if council is not None:
        if council.pk not in {c.pk for c in councils}:
            raise ValidationError(
                {"council": "Choose one of the councils your organisation works for"}
            )
        return council
    if len(councils) == 1:
        return councils[0]
    if not councils:
        raise ValidationError(
            "Your organisation has no contract with a council yet, so no council can review "
            "this request."
        )
    raise ValidationError({"council": "Choose the council that should review this request"})


def _check_unique(
    kind: ChangeRequestKind,
    provider: Provider,
    changed: dict[str, str],
    *,
    service: Service | None,
    contact: User | None,
) -> None:
    errors = {}
    name = changed.get("name")
    if (
        kind == K.UPDATE_ORGANISATION
        and name
        and Provider.objects.filter(name__iexact=name).exclude(pk=provider.pk).exists()
    ):
        errors["name"] = "There is already an organisation with this name"
    if kind == K.UPDATE_SERVICE and name and service is not None:
        others = Service.objects.filter(provider=provider, name__iexact=name)
        if others.exclude(pk=service.pk).exists():
            errors["name"] = "Your organisation already has a service with this name"
    email = changed.get("email")
    if kind in (K.NEW_CONTACT, K.UPDATE_CONTACT) and email:
        accounts_with_it = get_user_model().objects.filter(email__iexact=email)
        if contact is not None:
            accounts_with_it = accounts_with_it.exclude(pk=contact.pk)
        if accounts_with_it.exists():
            errors["email"] = EMAIL_TAKEN
        elif ChangeRequest.objects.filter(
            kind=K.NEW_CONTACT, status=S.PENDING, proposed__email=email
        ).exists():
            errors["email"] = "A new contact with this e-mail address is already waiting for review"
    if errors:
        raise ValidationError(errors)


def _check_none_waiting(
    kind: ChangeRequestKind,
    provider: Provider,
    *,
    service: Service | None,
    contact: User | None,
) -> None:
    """One pending request per kind and record: a second (or a double click) is refused."""
    if kind == K.NEW_CONTACT:
        return  # checked by e-mail address
    waiting = (
        ChangeRequest.objects.filter(
            provider=provider, kind=kind, status=S.PENDING, service=service, contact=contact
        )
        .select_related("council")
        .first()
    )
    if waiting is not None:
        raise ValidationError(
            f"A request to {waiting.purpose} is already "
            f"waiting for review by {waiting.council.name} (sent at "
            f"{guide_datetime(waiting.raised_at)}). Wait for their answer before asking again.",
            code="waiting",
        )


def _records_asked_about(
    kind: ChangeRequestKind,
    provider: Provider,
    *,
    service: Service | None,
    contact: User | None,
) -> tuple[Service | None, User | None]:
    """The service or contact the request is about, read afresh: only the provider's own, and a
    contact only while their account is open; none for a kind that is about neither."""
    if kind == K.UPDATE_SERVICE:
        if service is None or service.provider_id != provider.pk:
            raise PermissionDenied("Only your organisation's own services can be changed.")
        service = Service.objects.get(pk=service.pk)
    elif service is not None:
        raise ValueError("Only a service update names a service")
    if kind in (K.UPDATE_CONTACT, K.REMOVE_ROLE):
        if contact is None or contact.provider_id != provider.pk:
            raise PermissionDenied("Only your organisation's own contacts can be changed.")
        contact = get_user_model().objects.get(pk=contact.pk)
        if not contact.is_active:
            raise ValidationError(
                f"{contact.full_name}'s account is closed, so their details cannot be changed."
            )
    elif contact is not None:
        raise ValueError("Only a contact update or a role removal names a contact")
    return service, contact


def _changes_and_reviewer(
    kind: ChangeRequestKind,
    provider: Provider,
    council: Council | None,
    current: dict[str, str],
    proposed: dict[str, Any],
) -> tuple[dict[str, str], Council]:
    """The values that change and the council that reviews them; one ValidationError lists
    every fault in both."""
    errors: dict[str, Any] = {}
    changed: dict[str, str] = {}
    try:
        changed = _validated(kind, current, proposed)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        reviewer = _reviewing_council(provider, council)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return changed, reviewer


def _previous_and_name(
    kind: ChangeRequestKind,
    provider: Provider,
    current: dict[str, str],
    changed: dict[str, str],
    *,
    service: Service | None,
    contact: User | None,
) -> tuple[dict[str, str], str]:
    """The changed fields' values as they were, and the name of what the request is about."""
    if kind == K.REMOVE_ROLE:
        assert contact is not None
        return {"role": contact.role}, contact.full_name
    previous = {field: current[field] for field in changed} if current else {}
    entity_name = {
        K.UPDATE_ORGANISATION: provider.name,
        K.UPDATE_SERVICE: service.name if service else "",
        K.UPDATE_CONTACT: contact.full_name if contact else "",
        K.NEW_CONTACT: f"{changed.get('first_name', '')} {changed.get('last_name', '')}",
    }[kind]
    return previous, entity_name


@transaction.atomic
@once_per_key(
    "organisations.change_request_raise",
    find=lambda pk, call: ChangeRequest.objects.filter(
        pk=pk, provider_id=call["by"].provider_id
    ).first(),
)
def change_request_raise(
    *,
    by: User,
    kind: str,
    proposed: dict[str, Any] | None = None,
    council: Council | None = None,
    service: Service | None = None,
    contact: User | None = None,
    idempotency_key: str | None = None,
) -> ChangeRequest:
    """Ask the council to change a detail. `proposed` holds the form's values; only those that
    differ from the record are kept, with the record's values beside them. A repeat of the
    form's key (Send clicked twice) returns the first request."""
    kind = K(kind)
    provider = _check_raiser(by, kind)
    service, contact = _records_asked_about(kind, provider, service=service, contact=contact)
    target: Any = {
        K.UPDATE_ORGANISATION: provider,
        K.UPDATE_SERVICE: service,
        K.UPDATE_CONTACT: contact,
    }.get(kind)
    current = _values(target, FIELDS_OF_KIND[kind]) if target is not None else {}
    changed, reviewer = _changes_and_reviewer(kind, provider, council, current, proposed or {})
    if kind != K.REMOVE_ROLE and not changed:
        raise ValidationError(NOTHING_CHANGED, code="unchanged")
    _check_unique(kind, provider, changed, service=service, contact=contact)
    _check_none_waiting(kind, provider, service=service, contact=contact)
    previous, entity_name = _previous_and_name(
        kind, provider, current, changed, service=service, contact=contact
    )
    moment = now()
    change_request = ChangeRequest.objects.create(
        provider=provider,
        council=reviewer,
        kind=kind,
        service=service,
        contact=contact,
        entity_name=entity_name.strip(),
        previous=previous,
        proposed=changed,
        raised_at=moment,
        raised_by=by,
        changed_at=moment,
    )
    _record_request(
        change_request,
        action="change_request.raised",
        by=by,
        before=previous,
        after=changed,
        detail={"kind": kind.value},
    )
    return change_request


# --- Deciding a request ----------------------------------------------------------------------


def _check_reviewer(change_request: ChangeRequest, by: User) -> None:
    if by.council_id != change_request.council_id or not can_edit(
        by.role, function_of(change_request.kind)
    ):
        raise PermissionDenied("Only the council the request was sent to can decide it.")


def decision_refusal(change_request: ChangeRequest) -> ChangeRequestRefused | None:
    """Why the request cannot be decided any more (it has been already); None while pending."""
    if DECISIONS.allows(S(change_request.status), S.APPROVED):
        return None
    who = change_request.decided_by.full_name if change_request.decided_by else "someone"
    return ChangeRequestRefused(
        f"This request was {change_request.get_status_display().lower()} by {who} at "
        f"{guide_datetime(change_request.decided_at)}, so it cannot be decided again."
    )


def _fresh(change_request: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_related(
        "provider", "council", "service", "contact", "decided_by"
    ).get(pk=change_request.pk)


def _decide(change_request: ChangeRequest, to: ChangeRequestStatus, by: User, **stamp: Any) -> None:
    """Compare-and-set the request from pending to its decision; a lost race is refused."""
    moment = now()
    if not DECISIONS.move(
        ChangeRequest,
        change_request.pk,
        to,
        decided_at=moment,
        decided_by=by,
        changed_at=moment,
        **stamp,
    ):
        refusal = decision_refusal(_fresh(change_request))
        raise refusal or ChangeRequestRefused("This request has just been decided by someone else.")


def stale_fields(change_request: ChangeRequest, *, lock: bool = False) -> list[str]:
    """The fields the request touches whose record has changed since it was raised: approving
    would overwrite someone else's change, so the request must be rejected and raised again.

    `lock` (inside a transaction): keep the record locked until it commits, so two approvals
    cannot both pass this check on PostgreSQL."""
    target: Any = {
        K.UPDATE_ORGANISATION: change_request.provider,
        K.UPDATE_SERVICE: change_request.service,
        K.UPDATE_CONTACT: change_request.contact,
        K.REMOVE_ROLE: change_request.contact,
    }.get(K(change_request.kind))
    if target is None:
        return []
    records = type(target).objects
    target = (records.select_for_update() if lock else records).get(pk=target.pk)
    return [
        field
        for field, was in change_request.previous.items()
        if str(getattr(target, field) or "") != was
    ]


def _check_still_possible(change_request: ChangeRequest) -> None:
    kind = K(change_request.kind)
    contact = change_request.contact
    if (
        kind in (K.UPDATE_CONTACT, K.REMOVE_ROLE)
        and contact is not None
        and not get_user_model().objects.filter(pk=contact.pk, is_active=True).exists()
    ):
        raise ChangeRequestRefused(
            f"{contact.full_name}'s account has been closed since this request was raised. "
            "Reject it, saying why."
        )
    stale = stale_fields(change_request, lock=True)
    if stale:
        names = ", ".join(FIELD_LABELS.get(field, field) for field in stale)
        raise ChangeRequestRefused(
            f"{change_request.entity_name} has changed since this request was raised ({names}), "
            "so approving it would overwrite that change. Reject it, saying why, and the "
            "provider can raise it again from the details as they are now."
        )
    email = change_request.proposed.get("email")
    if kind in (K.NEW_CONTACT, K.UPDATE_CONTACT) and email:
        others = get_user_model().objects.filter(email__iexact=email)
        if contact is not None:
            others = others.exclude(pk=contact.pk)
        if others.exists():
            raise ChangeRequestRefused(
                f"There is now an account with the e-mail address {email}. Reject this request, "
                "saying why."
            )


def _apply(change_request: ChangeRequest, by: User) -> None:
    """Make the change through the record's own service."""
    kind = K(change_request.kind)
    proposed = dict(change_request.proposed)
    if kind == K.UPDATE_ORGANISATION:
        provider_update(provider=change_request.provider, by=by, **proposed)
    elif kind == K.UPDATE_SERVICE:
        assert change_request.service is not None
        service_update(service=change_request.service, by=by, **proposed)
    else:
        # A contact's log-in is accounts' to change (organisations.signals says why a signal).
        answers = contact_change_approved.send(
            sender=ChangeRequest, change_request=change_request, by=by
        )
        if not answers:
            raise ImproperlyConfigured("Nothing receives contact_change_approved (accounts)")
        if kind == K.NEW_CONTACT:
            _receiver, account = answers[0]
            ChangeRequest.objects.filter(pk=change_request.pk).update(contact=account)


@transaction.atomic
def change_request_approve(*, change_request: ChangeRequest, by: User) -> ChangeRequest:
    """Approve the request and make the change, all or nothing.

    Raises ChangeRequestRefused when it was decided already or its record has changed since, and
    ValidationError when the record's own rules refuse the change; either way nothing changes."""
    change_request = _fresh(change_request)
    _check_reviewer(change_request, by)
    refusal = decision_refusal(change_request)
    if refusal is not None:
        raise refusal
    _check_still_possible(change_request)
    _decide(change_request, S.APPROVED, by)
    _apply(change_request, by)
    change_request = _fresh(change_request)
    _record_request(
        change_request,
        action="change_request.approved",
        by=by,
        before=change_request.previous,
        after=change_request.proposed,
        detail={"kind": change_request.kind},
    )
    return change_request


@transaction.atomic
def change_request_reject(*, change_request: ChangeRequest, by: User, reason: str) -> ChangeRequest:
    """Reject the request with the reason the provider will read; nothing else changes."""
    change_request = _fresh(change_request)
    _check_reviewer(change_request, by)
    refusal = decision_refusal(change_request)
    if refusal is not None:
        raise refusal
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why you are rejecting this request, so the provider can put it right"}
        )
    _decide(change_request, S.REJECTED, by, rejection_reason=reason)
    change_request = _fresh(change_request)
    _record_request(
        change_request,
        action="change_request.rejected",
        by=by,
        before={"status": S.PENDING.value},
        after={"status": S.REJECTED.value, "rejection_reason": reason},
        detail={"kind": change_request.kind},
    )
    return change_request
