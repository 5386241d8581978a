"""Every write of disputes: the council's catalogue of reasons, raising a dispute on a provider's
actual rows, and each status change by the TRANSITIONS table's one compare-and-set (the provider
requests resolution; the council resolves or reopens). Keyword-only, `by=` the acting user, in
one transaction with its audit event; a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import Action, ActionType
from carebridge.actions.services import NewAction, action_create, action_type_create
from carebridge.actuals.models import Actual
from carebridge.audit.services import record
from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from carebridge.core.calendar import now
from carebridge.core.errors import Refused
from carebridge.core.formats import guide_date
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES, Function, can_edit
from carebridge.disputes.choices import DEFAULT_REASONS, TRANSITIONS, DisputeEvent
from carebridge.disputes.models import (
    DETAILS_MAX,
    NOTE_MAX,
    RESPONSE_MAX,
    Dispute,
    DisputeReason,
    DisputeRow,
)
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, Team

if TYPE_CHECKING:
    from carebridge.accounts.models import User

DISPUTE_RAISE = "disputes.dispute_raise"
DISPUTE_REASON_ADD = "disputes.dispute_reason_add"
DISPUTE_ACTION_START = "disputes.dispute_action_start"
# The council's action type for a dispute's further dialogue, found by name in its catalogue or
# added to it the first time it is needed (as payments does for package reviews).
DISPUTE_ACTION_TYPE = "Dispute"
# The most rows one dispute takes: a provider's period of a large service, not a whole council.
MOST_ROWS = 500

NOT_A_COUNCIL_OFFICER = "Only the council's payments and contracts officers can do this."
NOT_A_PROVIDER_EDITOR = "Only the provider's users who may edit actuals can do this."
NOT_THE_COUNCILS_ROWS = "Some of the rows chosen are not your council's actuals: choose them again."
ONE_PROVIDER = (
    "The rows of a dispute must all be one provider's: raise a dispute for each provider."
)
NO_ROWS = "Choose at least one actual row to dispute"
TOO_MANY_ROWS = f"Choose {MOST_ROWS} rows or fewer for one dispute"
NOT_A_REASON = "Choose one of your council's reasons"
ACTION_NOT_THEIRS = "Link an action between this council and this provider"
ACTION_LINKED = "This dispute has an action linked to it already."
NOT_IN_THE_DIALOGUE = (
    "Only those who raise or answer this dispute, and may raise actions, can raise an action "
    "about it."
)
NO_DIALOGUE_TEAM = (
    "The council has no payments team in the portal to send this action to: contact the "
    "council's officer who raised the dispute."
)
DIALOGUE_SWITCHED_OFF = (
    "The council does not take actions about disputes in the portal: contact its payments team."
)
CHANGED_SINCE_SEEN = "This dispute changed while you were deciding: look at it again."
# What an event refuses in a status it may not happen from (its own target status is a repeat,
# which changes nothing: docs/decisions/0010-disputes.md).
MOVE_REFUSED = {
    DisputeEvent.REQUEST_RESOLUTION: (
        "You cannot request resolution of a dispute that has already been resolved"
    ),
    DisputeEvent.RESOLVE: "This dispute has been resolved already.",
    DisputeEvent.REOPEN: (
        "A resolved dispute cannot be reopened: raise a new dispute on its rows if you need to."
    ),
}


class DisputeRefused(Refused):
    """A dispute the rules will not raise or move; the message says why."""


def may_raise_dispute(user: User, council_id: int) -> bool:
    """Whether `user` may raise, resolve and reopen the council's disputes: its payments officers
    (who edit actuals) and contracts officers (who publish contract documents)."""
    return (
        user.role in COUNCIL_ROLES
        and user.council_id == council_id
        and (
            can_edit(user.role, Function.ACTUALS)
            or can_edit(user.role, Function.CONTRACT_DOCUMENTS)
        )
    )


def may_answer_dispute(user: User, provider_id: int) -> bool:
    """Whether `user` may answer the provider's disputes: amending the rows is editing actuals."""
    return (
        user.role in PROVIDER_ROLES
        and user.provider_id == provider_id
        and can_edit(user.role, Function.ACTUALS)
    )


def _require_council_officer(by: User, council_id: int) -> None:
    if not may_raise_dispute(by, council_id):
        raise DisputeRefused(NOT_A_COUNCIL_OFFICER)


def _require_provider_editor(by: User, provider_id: int) -> None:
    if not may_answer_dispute(by, provider_id):
        raise DisputeRefused(NOT_A_PROVIDER_EDITOR)


def _text(value: str, *, field: str, most: int, missing: str | None = None) -> str:
    """The text stripped and bounded; `missing`: the message when it is required and empty."""
    value = value.strip()
    if missing is not None and not value:
        raise ValidationError({field: missing})
    if len(value) > most:
        raise ValidationError({field: f"{field.capitalize()} must be {most:,} characters or fewer"})
    if has_control_characters(value):
        raise ValidationError({field: CONTROL_CHARACTERS_MESSAGE})
    return value


@transaction.atomic
def dispute_reasons_ensure(council: Council, *, by: Any = None) -> list[DisputeReason]:
    """The council's catalogue of reasons: a council that keeps none yet is given the default
    list once (two callers at once add it once: the labels are unique per council)."""
    if not DisputeReason.objects.filter(council=council).exists():
        made = DisputeReason.objects.bulk_create(
            [
                DisputeReason(council=council, label=label, order=n)
                for n, label in enumerate(DEFAULT_REASONS, start=1)
            ],
            ignore_conflicts=True,
        )
        record(
            action="dispute_reason.defaults_added",
            by=by,
            council=council,
            detail={"reasons": len(made)},
        )
    return list(DisputeReason.objects.filter(council=council, active=True))


@transaction.atomic
@once_per_key(
    DISPUTE_REASON_ADD,
    find=lambda pk, call: DisputeReason.objects.filter(pk=pk, council=call["council"]).first(),
)
def dispute_reason_add(
    *, by: User, council: Council, label: str, idempotency_key: str | None = None
) -> DisputeReason:
    """Add a reason at the end of the council's catalogue (a repeat of the form adds it once)."""
    _require_council_officer(by, council.pk)
    dispute_reasons_ensure(council, by=by)
    label = _text(label, field="label", most=200, missing="Enter the reason")
    if DisputeReason.objects.filter(council=council, label__iexact=label).exists():
        raise ValidationError({"label": "Your council has this reason already"})
    last = DisputeReason.objects.filter(council=council).order_by("-order").first()
    try:
        # Two officers adding the same label at once: the unique label decides, the loser is
        # told as if it had been there first.
        with transaction.atomic():
            reason = DisputeReason.objects.create(
                council=council, label=label, order=(last.order if last else 0) + 1
            )
    except IntegrityError:
        raise ValidationError({"label": "Your council has this reason already"}) from None
    record(action="dispute_reason.added", by=by, obj=reason, council=council.pk)
    return reason


@transaction.atomic
def dispute_reason_set_active(*, by: User, reason: DisputeReason, active: bool) -> DisputeReason:
    """Offer a reason for new disputes, or stop offering it (disputes raised with it keep it)."""
    _require_council_officer(by, reason.council_id)
    if reason.active != active:
        DisputeReason.objects.filter(pk=reason.pk).update(active=active)
        reason.active = active
        record(
            action="dispute_reason.activated" if active else "dispute_reason.deactivated",
            by=by,
            obj=reason,
            council=reason.council_id,
        )
    return reason


def _row_names(rows: Iterable[Actual]) -> str:
    return "; ".join(
        f"{row.service_user.full_name}, week of {guide_date(row.week_start)}"
        for row in sorted(rows, key=lambda row: (row.service_user.full_name, row.week_start))
    )


def _disputable(council_id: int, actual_ids: Iterable[int]) -> list[Actual]:
    """The council's actual rows, all one provider's, in periods not paid yet and in no open
    dispute; refused otherwise."""
    wanted = set(actual_ids)
    if not wanted:
        raise ValidationError({"rows": NO_ROWS})
    if len(wanted) > MOST_ROWS:
        raise ValidationError({"rows": TOO_MANY_ROWS})
    rows = list(
        Actual.objects.filter(pk__in=wanted, council_id=council_id).select_related(
            "period", "service_user"
        )
    )
    if len(rows) != len(wanted):
        raise DisputeRefused(NOT_THE_COUNCILS_ROWS)
    if len({row.provider_id for row in rows}) > 1:
        raise DisputeRefused(ONE_PROVIDER)
    paid = [row for row in rows if row.period.is_paid]
    if paid:
        raise DisputeRefused(
            "The payment of these rows has been processed, so they can no longer be disputed: "
            + _row_names(paid)
        )
    disputed = set(
        DisputeRow.objects.filter(open=True, actual_id__in=wanted).values_list(
            "actual_id", flat=True
        )
    )
    if disputed:
        raise DisputeRefused(_already_disputed([row for row in rows if row.pk in disputed]))
    return rows


def _already_disputed(rows: Sequence[Actual]) -> str:
    named = f": {_row_names(rows)}" if rows else ""
    return f"Some of these rows are in an open dispute already{named}"


@transaction.atomic
@once_per_key(
    DISPUTE_RAISE,
    find=lambda pk, call: Dispute.objects.filter(pk=pk, council_id=call["by"].council_id).first(),
)
def dispute_raise(
    *,
    by: User,
    reason: DisputeReason,
    details: str,
    actual_ids: Iterable[int],
    idempotency_key: str | None = None,
) -> Dispute:
    """The council disputes one provider's actual rows, with a reason from its catalogue and
    details for the provider; the rows are held from payment until the dispute is resolved."""
    council_id = by.council_id
    if council_id is None:
        raise DisputeRefused(NOT_A_COUNCIL_OFFICER)
    _require_council_officer(by, council_id)
    if reason.council_id != council_id or not reason.active:
        raise ValidationError({"reason": NOT_A_REASON})
    details = _text(details, field="details", most=DETAILS_MAX, missing="Enter the details")
    rows = _disputable(council_id, actual_ids)
    moment = now()
    dispute = Dispute(
        council_id=council_id,
        provider_id=rows[0].provider_id,
        reason=reason,
        details=details,
        raised_at=moment,
        raised_by=by,
        changed_at=moment,
        changed_by=by,
    )
    try:
        # A savepoint: a row disputed by another officer a moment ago (the database's partial
        # unique constraint decides) leaves this transaction usable for the refusal.
        with transaction.atomic():
            dispute.save()
            DisputeRow.objects.bulk_create(
                [DisputeRow(dispute_id=dispute.pk, actual_id=row.pk) for row in rows]
            )
    except IntegrityError:
        raise DisputeRefused(_already_disputed([])) from None
    record(
        action="dispute.raised",
        by=by,
        obj=dispute,
        council=council_id,
        provider=dispute.provider_id,
        after={"status": dispute.status, "reason": reason.label},
        detail={"rows": len(rows)},
    )
    return dispute


# What each event stamps on the dispute besides its status.
_STAMPS = {
    DisputeEvent.REQUEST_RESOLUTION: ("resolution_requested_at", "resolution_requested_by"),
    DisputeEvent.RESOLVE: ("resolved_at", "resolved_by"),
    DisputeEvent.REOPEN: ("reopened_at", "reopened_by"),
}


def _move(
    by: User,
    dispute: Dispute,
    event: DisputeEvent,
    *,
    as_seen: bool = False,
    **changes: Any,
) -> tuple[Dispute, bool]:
    """One status change by the table's compare-and-set, with its audit event: (the dispute,
    whether this call moved it). A dispute already in the event's status is a repeat, which
    changes nothing; `as_seen`: only if it has not changed since the caller read it."""
    moment = now()
    at, who = _STAMPS[event]
    guard = {"status": dispute.status, "changed_at": dispute.changed_at} if as_seen else None
    before = dispute.status
    moved = TRANSITIONS.move(
        Dispute,
        dispute.pk,
        event,
        guard=guard,
        changed_at=moment,
        changed_by=by,
        **{at: moment, who: by},
        **changes,
    )
    current = Dispute.objects.get(pk=dispute.pk)
    if not moved:
        if current.status == TRANSITIONS.target(event):
            return current, False
        if as_seen and TRANSITIONS.allows(current.status, event):
            raise DisputeRefused(CHANGED_SINCE_SEEN)
        raise DisputeRefused(MOVE_REFUSED[event])
    record(
        action=f"dispute.{event}",
        by=by,
        obj=current,
        council=current.council_id,
        provider=current.provider_id,
        before={"status": before},
        after={"status": current.status},
        # The text is on the dispute, for those who may see it; the log says only that it changed.
        detail={"text_fields": sorted(changes)},
    )
    return current, True


@transaction.atomic
def dispute_request_resolution(*, by: User, dispute: Dispute, response: str) -> Dispute:
    """The provider has answered the dispute (amending its rows as needed) and asks the council
    to resolve it, with its response."""
    _require_provider_editor(by, dispute.provider_id)
    response = _text(response, field="response", most=RESPONSE_MAX, missing="Enter your response")
    moved, _changed = _move(by, dispute, DisputeEvent.REQUEST_RESOLUTION, response=response)
    return moved


@transaction.atomic
def dispute_resolve(
    *, by: User, dispute: Dispute, note: str = "", as_seen: bool = False
) -> Dispute:
    """The council closes the dispute: its rows are no longer held, and are paid at their value
    now. Final."""
    _require_council_officer(by, dispute.council_id)
    note = _text(note, field="note", most=NOTE_MAX)
    moved, changed = _move(by, dispute, DisputeEvent.RESOLVE, as_seen=as_seen, resolution_note=note)
    if changed:
        DisputeRow.objects.filter(dispute=moved).update(open=False)
    return moved


@transaction.atomic
def dispute_reopen(*, by: User, dispute: Dispute, note: str, as_seen: bool = False) -> Dispute:
    """The council is not satisfied with the provider's answer: the dispute is In Dispute again,
    with a note saying what is still wrong."""
    _require_council_officer(by, dispute.council_id)
    note = _text(note, field="note", most=NOTE_MAX, missing="Enter what is still in dispute")
    moved, _changed = _move(by, dispute, DisputeEvent.REOPEN, as_seen=as_seen, reopen_note=note)
    return moved


@transaction.atomic
def dispute_action_link(*, by: User, dispute: Dispute, action: Action) -> Dispute:
    """Link the action on which the council and the provider talk the dispute through (either
    side, by those who answer or raise disputes). Once: another action is refused, and the same
    action again changes nothing."""
    if not (
        may_raise_dispute(by, dispute.council_id) or may_answer_dispute(by, dispute.provider_id)
    ):
        raise DisputeRefused(NOT_A_COUNCIL_OFFICER)
    if action.council_id != dispute.council_id or action.provider_id != dispute.provider_id:
        raise ValidationError({"action": ACTION_NOT_THEIRS})
    linked = Dispute.objects.filter(pk=dispute.pk, action__isnull=True).update(
        action=action, changed_at=now(), changed_by=by
    )
    if not linked:
        current = Dispute.objects.get(pk=dispute.pk)
        if current.action_id == action.pk:
            # A repeat of the same link changes nothing and writes no event.
            return current
        raise DisputeRefused(ACTION_LINKED)
    dispute.refresh_from_db()
    record(
        action="dispute.action_linked",
        by=by,
        obj=dispute,
        council=dispute.council_id,
        provider=dispute.provider_id,
        detail={"action": action.pk},
    )
    return dispute


def may_start_dialogue(user: User, dispute: Dispute) -> bool:
    """Whether `user` may raise the action on which the dispute is talked through: one who
    raises or answers the dispute and may raise actions."""
    return can_edit(user.role, Function.ACTIONS) and (
        may_raise_dispute(user, dispute.council_id) or may_answer_dispute(user, dispute.provider_id)
    )


def _payments_team(council_id: int) -> Team | None:
    """The council's payments team that providers may send actions to, if it has one."""
    return (
        Team.objects.filter(council_id=council_id, kind=TeamKind.PAYMENTS, internal_only=False)
        .order_by("pk")
        .first()
    )


def _dialogue_team(dispute: Dispute) -> Team | None:
    """The council team a provider's action about the dispute goes to: the council's payments
    team or, for a council with none in the portal, the team of the officer who raised the
    dispute; never a team kept for the council's own messages (providers cannot assign those)."""
    team = _payments_team(dispute.council_id)
    if team is None and dispute.raised_by_id is not None:
        team = Team.objects.filter(
            council_id=dispute.council_id, staff=dispute.raised_by_id, internal_only=False
        ).first()
    return team


def _dialogue_type(dispute: Dispute) -> ActionType:
    """The council's action type for disputes, found by name in its catalogue or added to it
    the first time (its team: the payments team, if the council has one); a council that has
    switched it off takes no actions about disputes."""
    found = ActionType.objects.filter(council_id=dispute.council_id, name=DISPUTE_ACTION_TYPE)
    action_type = found.first()
    if action_type is None:
        payments = _payments_team(dispute.council_id)
        try:
            with transaction.atomic():
                # The portal's own addition to the catalogue, made by no one.
                action_type = action_type_create(
                    council=dispute.council, name=DISPUTE_ACTION_TYPE, default_team=payments
                )
        except (IntegrityError, ValidationError):
            # Added by another request a moment ago.
            action_type = found.get()
    if not action_type.is_active:
        raise DisputeRefused(DIALOGUE_SWITCHED_OFF)
    return action_type


@transaction.atomic
@once_per_key(
    DISPUTE_ACTION_START,
    find=lambda pk, call: Action.objects.filter(pk=pk, disputes=call["dispute"]).first(),
)
def dispute_action_start(
    *,
    by: User,
    dispute: Dispute,
    text: str,
    due_date: date | None,
    idempotency_key: str | None = None,
) -> Action:
    """Raise the action on which the council and the provider talk the dispute through, and link
    it, in one transaction: a link refused leaves no action. The council's action goes to the
    provider; the provider's to the type's team, or else the council's payments team, or else
    the team of the officer who raised the dispute. A repeat of the form makes one action; a
    dispute with an action already is refused (its page links to that one)."""
    if not may_start_dialogue(by, dispute):
        raise DisputeRefused(NOT_IN_THE_DIALOGUE)
    # Two sides starting at once: the second waits here and then finds the first's action.
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("council", "provider", "reason")
        .get(pk=dispute.pk)
    )
    if dispute.action_id is not None:
        raise DisputeRefused(ACTION_LINKED)
    team = None
    if by.provider_id is not None:
        team = _dialogue_team(dispute)
    action_type = _dialogue_type(dispute)
    if by.provider_id is not None and action_type.default_team_id is None and team is None:
        raise DisputeRefused(NO_DIALOGUE_TEAM)
    action = action_create(
        by=by,
        new=NewAction(
            council=dispute.council,
            provider=dispute.provider,
            action_type=action_type,
            related_kind=RelatedKind.DISPUTE,
            related_id=None,
            due_date=due_date,
            team=team,
            title=f"Dispute {dispute.pk}: {dispute.reason.label}"[:200],
            text=text,
        ),
    )
    dispute_action_link(by=by, dispute=dispute, action=action)
    return action


def dispute_viewed(*, by: User, dispute: Dispute, ip: str | None = None) -> None:
    """A dispute's rows name the provider's clients: every view is audited, in the log of its
    council and its provider."""
    record(
        action="dispute.viewed",
        by=by,
        obj=dispute,
        council=dispute.council_id,
        provider=dispute.provider_id,
        ip_address=ip,
    )


def dispute_rows_listed(
    *, by: User, council_id: int, provider_id: int, period_id: int, rows: int, ip: str | None = None
) -> None:
    """The raise page lists a provider's rows of a period, naming its clients: one event with
    the count, in the council's and the provider's log."""
    record(
        action="dispute.rows_listed",
        by=by,
        council=council_id,
        provider=provider_id,
        ip_address=ip,
        detail={"period": period_id, "rows": rows},
    )
