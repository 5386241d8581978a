"""The council's front-door settings: what a front-door officer sets (phone, office hours, the
out-of-hours team), opening and closing the public front door, and the outbound connections
(the directory feed and the CRM webhook, with its signing secret) only administrators set."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.outbound import url_refusal
from carebridge.frontdoor.models import FrontDoorSettings, FrontDoorTeam
from carebridge.frontdoor.requests.services.routing import due_times_recount
from carebridge.frontdoor.requests.tasks import decision_waits_recount
from carebridge.frontdoor.requests.waits import decision_waits_forget
from carebridge.integrations.connections import connections_editor_require, new_signing_secret
from carebridge.organisations.models import Council, Team

# What a front-door officer sets. Opening and closing the public front door is its own,
# confirmed action (front_door_open_set); the outbound addresses are the administrators'
# (front_door_connections_update). `is_open` stays here only for setting a council up.
SETTINGS_FIELDS = (
    "is_open",
    "contact_phone",
    "contact_hours",
    "emergency_contacts",
    "out_of_hours_contact",
    "office_opens",
    "office_closes",
    "office_days",
    "response_promise_hours",
    "default_team",
)
CONNECTION_FIELDS = ("directory_feed_url", "crm_webhook_url")


def _settings_row(council: Council) -> FrontDoorSettings:
    current, _created = FrontDoorSettings.objects.get_or_create(council=council)
    return current


def _audit_values(row: FrontDoorSettings, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(getattr(row, name)) for name in names}


@transaction.atomic
def front_door_settings_update(
    *, council: Council, by: User | None, **fields: Any
) -> FrontDoorSettings:
    """Change the council's front-door settings (made on first use). Only the fields given
    change: a form that did not carry a field never blanks it."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not front-door settings: {sorted(unknown)}")
    current = _settings_row(council)
    before = _audit_values(current, SETTINGS_FIELDS)
    hours_before = current.office_hours()
    promise_before = current.response_promise_hours
    team = fields.get("default_team")
    if team is not None and team.council_id != council.pk:
        raise ValidationError({"default_team": "Choose one of the council's front-door teams"})
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    if (current.office_hours(), current.response_promise_hours) != (hours_before, promise_before):
        # The open requests' due times follow the hours and the promise as they are now.
        due_times_recount(council.pk, current)
    if current.office_hours() != hours_before:
        # The figures count every wait in the office's current hours, as they always have:
        # forgotten at once (the figures count them meanwhile) and stored again in the
        # background, since a year of a county's requests takes seconds to write.
        decision_waits_forget(council.pk)
        transaction.on_commit(partial(decision_waits_recount, council.pk))
    record(
        action="front_door.settings",
        by=by,
        obj=current,
        council=council,
        before=before,
        after=_audit_values(current, SETTINGS_FIELDS),
    )
    return current


@transaction.atomic
def front_door_open_set(*, council: Council, by: User | None, is_open: bool) -> FrontDoorSettings:
    """Open or close the council's public front door (the officer confirms it first). Asking
    for what is already so changes nothing and records nothing, so a repeated click is safe."""
    current = _settings_row(council)
    changed = FrontDoorSettings.objects.filter(pk=current.pk, is_open=not is_open).update(
        is_open=is_open
    )
    current.refresh_from_db()
    if changed:
        record(
            action="front_door.opened" if is_open else "front_door.closed",
            by=by,
            obj=current,
            council=council,
            before={"is_open": not is_open},
            after={"is_open": is_open},
        )
    return current


def _refuse_outbound(fields: dict[str, Any]) -> None:
    errors = {}
    for name, value in fields.items():
        refusal = url_refusal(value) if value else ""
        if refusal:
            errors[name] = refusal
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def front_door_connections_update(
    *, council: Council, by: User | None, **fields: str
) -> tuple[FrontDoorSettings, str]:
    """Set where the council's directory feed is read from and where its CRM webhook posts:
    council administrators only, and only addresses the outbound guard accepts. A CRM webhook
    set with no signing secret gets one, returned (the only time it is shown) with the row;
    otherwise "" comes back."""
    connections_editor_require(council, by)
    unknown = set(fields) - set(CONNECTION_FIELDS)
    if unknown:
        raise TypeError(f"not front-door connections: {sorted(unknown)}")
    _refuse_outbound(fields)
    current = _settings_row(council)
    before = _audit_values(current, CONNECTION_FIELDS)
    for name, value in fields.items():
        setattr(current, name, value)
    secret = ""
    if current.crm_webhook_url and not current.crm_webhook_secret:
        secret = current.crm_webhook_secret = new_signing_secret()
    current.full_clean()
    current.save()
    record(
        action="front_door.connections",
        by=by,
        obj=current,
        council=council,
        before=before,
        after=_audit_values(current, CONNECTION_FIELDS),
        # Whether a secret was made, never what it is.
        detail={"signing_secret": "made"} if secret else None,
    )
    return current, secret


@transaction.atomic
def crm_secret_renew(*, council: Council, by: User | None) -> str:
    """Make a new signing secret for the council's CRM posts and return it: it is shown once,
    to the administrator who made it, and never again (the audit log says only that it
    changed). Posts are signed with it from now on."""
    connections_editor_require(council, by)
    current = _settings_row(council)
    secret = new_signing_secret()
    FrontDoorSettings.objects.filter(pk=current.pk).update(crm_webhook_secret=secret)
    record(
        action="front_door.crm_secret_renewed",
        by=by,
        obj=current,
        council=council,
        detail={"signing_secret": "renewed"},
    )
    return secret


TEAM_FIELDS = ("team", "order", "routes", "needs", "districts")


def _team_values(row: FrontDoorTeam) -> dict[str, str]:
    return {name: str(getattr(row, name)) for name in TEAM_FIELDS}


@transaction.atomic
def front_door_team_save(
    *,
    council: Council,
    by: User | None,
    row: FrontDoorTeam | None = None,
    team: Team,
    order: int,
    routes: list[str],
    needs: list[str],
    districts: str,
) -> FrontDoorTeam:
    """Add one of the council's teams to the front door's routing, or change the routes, needs
    and postcode districts it takes and its place in the order."""
    if row is not None and row.council_id != council.pk:
        raise ValidationError("Not one of the council's front-door teams")
    if team.council_id != council.pk:
        raise ValidationError({"team": "Choose one of the council's teams"})
    current = row or FrontDoorTeam(council=council)
    before = _team_values(current) if row else None
    current.team = team
    current.order = order
    current.routes = sorted(set(routes))
    current.needs = sorted(set(needs))
    current.districts = " ".join(dict.fromkeys(districts.upper().split()))
    current.full_clean()
    current.save()
    record(
        action="front_door.team_saved",
        by=by,
        obj=current,
        council=council,
        before=before,
        after=_team_values(current),
    )
    return current


@transaction.atomic
def front_door_team_remove(*, council: Council, by: User | None, row: FrontDoorTeam) -> None:
    """Take a team out of the front door's routing (its requests keep their team; the default
    is unset when it was this team)."""
    if row.council_id != council.pk:
        raise ValidationError("Not one of the council's front-door teams")
    before = _team_values(row)
    FrontDoorSettings.objects.filter(council=council, default_team=row).update(default_team=None)
    record(action="front_door.team_removed", by=by, obj=row, council=council, before=before)
    row.delete()
