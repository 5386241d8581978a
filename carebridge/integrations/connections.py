"""Writes of a council's connections to its own systems: the case-management system (its address,
API key and signing secret, polling and updates on or off), the Dynamics 365 / Dataverse
environment the front door pushes to, and the NHS Personal Demographics Service the
professionals' front door fills a person's details from. Only the council's administrators
change them.

Secrets are write-only: a key, client secret or private key given replaces the one kept, a
blank one keeps it, and none is ever shown back. The signing secret is made here, never typed, and returned
once to be shown once. The audit log says a secret changed, never what it is."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from carebridge.audit.services import record, record_listed
from carebridge.core.calendar import now
from carebridge.core.outbound import url_refusal
from carebridge.core.permissions import Function, can_edit
from carebridge.integrations.models import CaseSystem, DataverseConnection, PdsConnection
from carebridge.integrations.pds import private_key_refusal
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User

CASE_SYSTEM_FIELDS = ("name", "base_url", "polling_enabled", "updates_enabled")
DATAVERSE_FIELDS = ("environment_url", "token_url", "client_id", "team_id", "enabled")
PDS_FIELDS = (
    "base_url",
    "token_url",
    "api_key",
    "key_id",
    "ods_code",
    "trusted_email_domains",
    "enabled",
)


def connections_editor_require(council: Council, by: User | None) -> None:
    """None is the system (set-up commands, the demo); a person must be this council's
    administrator, whatever page they came from."""
    if by is not None and (
        by.council_id != council.pk or not can_edit(by.role, Function.CONNECTIONS)
    ):
        raise PermissionDenied("Only the council's administrators set its connections")


def _refuse_outbound(**addresses: str) -> None:
    errors = {name: refusal for name, value in addresses.items() if (refusal := url_refusal(value))}
    if errors:
        raise ValidationError(errors)


def new_signing_secret() -> str:
    """A signing secret for what the portal sends a council's systems, shown once when made."""
    return secrets.token_urlsafe(32)


def _values(row: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(getattr(row, name)) for name in names}


@transaction.atomic
def case_system_update(
    *,
    council: Council,
    by: User | None,
    name: str,
    base_url: str,
    polling_enabled: bool,
    updates_enabled: bool,
    api_key: str = "",
) -> tuple[CaseSystem, str]:
    """Set the council's case-management system (made on first save). A blank `api_key` keeps
    the one kept. A system with no signing secret gets one, returned (the only time it is
    shown) with the row; otherwise "" comes back."""
    connections_editor_require(council, by)
    _refuse_outbound(base_url=base_url)
    system = CaseSystem.objects.select_for_update().filter(council=council).first()
    made = system is None
    system = system or CaseSystem(council=council)
    before = None if made else _values(system, CASE_SYSTEM_FIELDS)
    reached_anew = made or base_url != system.base_url or bool(api_key)
    system.name, system.base_url = name, base_url
    system.polling_enabled, system.updates_enabled = polling_enabled, updates_enabled
    detail: dict[str, str] = {}
    if api_key:
        system.api_key = api_key
        detail["api_key"] = "changed"
    if reached_anew:
        # A new address or key is what an administrator mends a failing feed with: the next
        # poll should try it now, not after the hour the back-off may have reached.
        system.failures, system.next_poll_at = 0, now()
    secret = ""
    if not system.signing_secret:
        secret = system.signing_secret = new_signing_secret()
        detail["signing_secret"] = "made"  # noqa: S105 (what happened, not the secret)
    system.full_clean()
    system.save()
    record(
        action="case_system.updated",
        by=by,
        obj=system,
        council=council,
        before=before,
        after=_values(system, CASE_SYSTEM_FIELDS),
        detail=detail or None,
    )
    return system, secret


@transaction.atomic
def case_system_secret_renew(*, council: Council, by: User | None) -> str:
    """A new signing secret for the updates sent to the council's system, returned to be shown
    once: updates are signed with it from now on, and the old one stops working at once."""
    connections_editor_require(council, by)
    system = CaseSystem.objects.select_for_update().filter(council=council).first()
    if system is None:
        raise ValidationError("Set up the case-management system first")
    secret = new_signing_secret()
    CaseSystem.objects.filter(pk=system.pk).update(signing_secret=secret)
    record(
        action="case_system.secret_renewed",
        by=by,
        obj=system,
        council=council,
        detail={"signing_secret": "renewed"},
    )
    return secret


@transaction.atomic
def dataverse_update(
    *,
    council: Council,
    by: User | None,
    environment_url: str,
    token_url: str,
    client_id: str,
    team_id: str,
    enabled: bool,
    client_secret: str = "",
) -> DataverseConnection:
    """Set the council's Dataverse environment (made on first save). A blank `client_secret`
    keeps the one kept; the first save needs one."""
    connections_editor_require(council, by)
    _refuse_outbound(environment_url=environment_url, token_url=token_url)
    connection = DataverseConnection.objects.select_for_update().filter(council=council).first()
    if connection is None and not client_secret:
        raise ValidationError({"client_secret": "Enter the client secret"})
    before = None if connection is None else _values(connection, DATAVERSE_FIELDS)
    connection = connection or DataverseConnection(council=council)
    connection.environment_url, connection.token_url = environment_url, token_url
    connection.client_id, connection.team_id, connection.enabled = client_id, team_id, enabled
    if client_secret:
        connection.client_secret = client_secret
    connection.full_clean()
    connection.save()
    record(
        action="dataverse.updated",
        by=by,
        obj=connection,
        council=council,
        before=before,
        after=_values(connection, DATAVERSE_FIELDS),
        detail={"client_secret": "changed"} if client_secret else None,
    )
    return connection


@transaction.atomic
def pds_update(
    *,
    council: Council,
    by: User | None,
    base_url: str,
    token_url: str,
    api_key: str,
    key_id: str,
    ods_code: str,
    trusted_email_domains: str,
    enabled: bool,
    private_key: str = "",
) -> PdsConnection:
    """Set the council's access to the NHS Personal Demographics Service (made on first save).
    A blank `private_key` keeps the one kept; the first save needs one, and it must be an RSA
    private key (PEM) that can sign."""
    connections_editor_require(council, by)
    _refuse_outbound(base_url=base_url, token_url=token_url)
    private_key = private_key.replace("\r\n", "\n").strip()
    connection = PdsConnection.objects.select_for_update().filter(council=council).first()
    if connection is None and not private_key:
        raise ValidationError({"private_key": "Enter the private key"})
    if private_key and (refusal := private_key_refusal(private_key)):
        raise ValidationError({"private_key": refusal})
    before = None if connection is None else _values(connection, PDS_FIELDS)
    connection = connection or PdsConnection(council=council)
    connection.base_url, connection.token_url = base_url, token_url
    connection.api_key, connection.key_id, connection.ods_code = api_key, key_id, ods_code
    connection.trusted_email_domains, connection.enabled = trusted_email_domains, enabled
    if private_key:
        connection.private_key = private_key
    connection.full_clean()
    connection.save()
    record(
        action="pds.updated",
        by=by,
        obj=connection,
        council=council,
        before=before,
        after=_values(connection, PDS_FIELDS),
        detail={"private_key": "changed"} if private_key else None,
    )
    return connection


def log_read_record(*, council: Council, by: User, log: str, rows: int, page: int) -> None:
    """A page of the delivery or poll log read, when it showed text a peer wrote (an error, a
    refusal's reason), which may repeat what was sent of a person: `rows` is how many such rows
    it showed. A page without any names no one and is not recorded."""
    if rows:
        record_listed(
            action=f"integrations.{log}_read",
            by=by,
            counts={council.pk: rows},
            detail={"page": page},
        )
