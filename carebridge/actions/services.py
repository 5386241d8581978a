"""Every write to actions: raising one (with its first post and attachments), commenting,
replying (which hands the action to the other side), requesting closure (the provider) and
closing (the council only). Each is one transaction and one audit event."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from carebridge.accounts.models import User
from carebridge.actions.choices import (
    HELD_BY_ID,
    RELATED_FIELD,
    TRANSITIONS,
    ActionStatus,
    PostKind,
    RelatedKind,
)
from carebridge.actions.models import Action, ActionType, Attachment, Post
from carebridge.actions.selectors import related_choices, teams_for
from carebridge.audit.services import record
from carebridge.core import related_to, uploads
from carebridge.core.calendar import now, today
from carebridge.core.errors import Refused
from carebridge.core.idempotency import create_once
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, Provider, Team

logger = logging.getLogger(__name__)


def action_type_create(
    *,
    council: Council,
    name: str,
    default_team: Team | None = None,
    is_safeguarding: bool = False,
    is_signed_contract: bool = False,
    by: Any = None,
) -> ActionType:
    """Add a type to the council's catalogue (no default team: chosen when an action is raised).
    A signed-contract type is the one residential and nursing providers send their paper
    signatures with (contracts/signed_contract.py)."""
    if default_team is not None and default_team.council_id != council.pk:
        raise ValidationError({"default_team": "Choose one of the council's own teams"})
    action_type = ActionType(
        council=council,
        name=name,
        default_team=default_team,
        is_safeguarding=is_safeguarding,
        is_signed_contract=is_signed_contract,
    )
    action_type.full_clean()
    action_type.save()
    record(action="action_type.created", by=by, obj=action_type, council=council)
    return action_type


class ActionRefused(Refused):
    """An action will not take this post (it is closed): nothing was written."""


def _organisation(user: User) -> str:
    organisation = user.provider or user.council
    return organisation.name if organisation is not None else ""


def _side_label(action: Action) -> str:
    team = action.assigned_team
    return team.name if team is not None else action.provider.name


def _require(user: User) -> None:
    if not can_edit(user.role, Function.ACTIONS):
        raise PermissionDenied("You cannot change actions.")


# A file the disk would not take (full, or over a quota): the post is not made at all.
NOT_SAVED_MESSAGE = "The file {name} could not be uploaded – try again later"


def _attach(post: Post, files: Sequence[UploadedFile], saved: list[str]) -> list[Attachment]:
    """Store the post's files, adding each stored name to `saved` (removed again if the post is
    not made, see _files_kept_if_made)."""
    attached = []
    for upload in files:
        checked = uploads.check(upload, by=post.author)
        attachment = Attachment(
            post=post,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        try:
            attachment.file.save(checked.name, upload, save=False)
        except OSError as error:
            logger.error("An attachment could not be stored: %s", error)
            raise ValidationError(
                {"attachments": NOT_SAVED_MESSAGE.format(name=checked.name)}
            ) from error
        saved.append(attachment.file.name)
        attachment.save()
        attached.append(attachment)
    return attached


@contextmanager
def _files_kept_if_made() -> Iterator[list[str]]:
    """The names of the files a post stores, removed again when the post is not made (a file the
    disk refused, the database gone mid-write): no file is kept that no row names."""
    saved: list[str] = []
    try:
        yield saved
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


def _check_files(files: Sequence[UploadedFile]) -> dict[str, str]:
    for upload in files:
        try:
            uploads.check(upload)
        except ValidationError as error:
            return {"attachments": error.messages[0]}
    return {}


@dataclass(frozen=True)
class NewAction:
    council: Council
    provider: Provider
    action_type: ActionType
    related_kind: str
    related_id: int | None
    due_date: date | None
    team: Team | None
    title: str
    text: str


def _audit_team(action: Action) -> str:
    """Whose eyes alone an action's audit events are for: a safeguarding concern's title, thread
    and files are the safeguarding team's (as `actions_visible_to` reads them), so its events
    are too; any other action's events are for the whole council's log."""
    return TeamKind.SAFEGUARDING if action.is_safeguarding else ""


def _record_on(action: Action, event: str, *, by: User, **extra: Any) -> None:
    """An audit event on an action, in its council's and provider's log, kept for its team."""
    record(
        action=event,
        by=by,
        obj=action,
        council=action.council_id,
        provider=action.provider_id,
        team_kind=_audit_team(action),
        **extra,
    )


def action_create(
    *,
    by: User,
    new: NewAction,
    files: Sequence[UploadedFile] = (),
    idempotency_key: str | None = None,
) -> Action:
    """Raise an action: the provider raises it with one of its councils (assigned to the type's
    team, or the team it chose); the council raises it with a provider (assigned to the
    provider). A safeguarding concern goes to the council's safeguarding team, urgent. A repeat
    of the form's key (a double click) returns the first action and tells nobody again."""
    with _files_kept_if_made() as saved, transaction.atomic():
        action, _created = create_once(
            key=idempotency_key,
            purpose="actions.action_create",
            create=lambda: _action_add(by=by, new=new, files=files, saved=saved),
            find=lambda pk: Action.objects.filter(pk=pk, created_by=by).first(),
        )
    return action


def _action_add(
    *, by: User, new: NewAction, files: Sequence[UploadedFile], saved: list[str]
) -> Action:
    _require(by)
    _require_own_side(by, new)
    errors = _new_action_errors(new, due_date_required=due_date_required(by, new.council))
    related, related_id, related_errors = _related_of(by, new)
    errors.update(related_errors)
    team, safeguarding, assignment_errors = _assignment(
        by, new, type_ok="action_type" not in errors
    )
    errors.update(assignment_errors)
    errors.update(_check_files(files))
    if errors:
        raise ValidationError(errors)

    action, post = _action_save(
        by, new, related=(related, related_id), team=team, safeguarding=safeguarding
    )
    _attach(post, files, saved)
    _record_on(
        action,
        "action.created",
        by=by,
        detail={"type": new.action_type.name, "assigned_to": post.assigned_to},
    )
    _announce(action, post)
    return action


def _require_own_side(by: User, new: NewAction) -> None:
    if by.provider_id is not None and new.provider.pk != by.provider_id:
        raise PermissionDenied("A provider raises actions for itself only.")
    if by.council_id is not None and new.council.pk != by.council_id:
        raise PermissionDenied("A council raises actions for itself only.")


def due_date_required(by: User, council: Council) -> bool:
    """Whether the user's new action with the council must carry a due date: a council's own
    always does; a provider's unless the council's rulebook lets it leave one unset."""
    if by.provider_id is None:
        return True
    return bool(council.rulebook.actions_provider_due_date_required)


def _new_action_errors(new: NewAction, *, due_date_required: bool) -> dict[str, str]:
    """What is missing or wrong in the new action's own fields: its type, title, text and due
    date (none at all, where the council lets the provider leave it unset)."""
    errors: dict[str, str] = {}
    if new.action_type.council_id != new.council.pk or not new.action_type.is_active:
        errors["action_type"] = "Choose the type of action"
    if not new.title.strip():
        errors["title"] = "Enter a title"
    if not new.text.strip():
        errors["text"] = "Enter the text of the action"
    if new.due_date is None:
        if due_date_required:
            errors["due_date"] = "Enter the due date"
    elif new.due_date < today():
        errors["due_date"] = "The due date must be today or in the future"
    return errors


def _related_of(by: User, new: NewAction) -> tuple[Any, int | None, dict[str, str]]:
    """The thing the new action is about (None when it is about the provider), or the id of
    one an app above actions holds (an invoice), or the error that says it is not one the user
    may choose."""
    if new.related_kind not in RelatedKind.values:
        return None, None, {"related_kind": "Choose what the action is related to"}
    if new.related_kind in (RelatedKind.PROVIDER, RelatedKind.DISPUTE):
        # A provider is the action's own; a dispute holds the link to its action itself
        # (disputes.services.dispute_action_start links it in the same transaction).
        return None, None, {}
    label = RelatedKind(new.related_kind).label.lower()
    if new.related_kind in HELD_BY_ID:
        offered = related_to.choices(by, new.council, new.provider.pk, new.related_kind)
        if all(pk != new.related_id for pk, _label in offered):
            return None, None, {"related_id": f"Choose the {label}"}
        return None, new.related_id, {}
    related = (
        related_choices(by, new.council, new.provider.pk, new.related_kind)
        .filter(pk=new.related_id)
        .first()
    )
    if related is None:
        # Another provider's client looks exactly like no client at all.
        return None, None, {"related_id": f"Choose the {label}"}
    return related, None, {}


def _assignment(
    by: User, new: NewAction, *, type_ok: bool
) -> tuple[Team | None, bool, dict[str, str]]:
    """The council team a new action goes to (None: the provider), whether it is a safeguarding
    concern, and the errors that leave it with nowhere to go. The council's own actions go to
    the provider; the provider's to the type's team, or the team it chose."""
    if not type_ok:
        return None, False, {}
    safeguarding = bool(new.action_type.is_safeguarding)
    if by.provider_id is None:
        return None, safeguarding, {}
    if safeguarding:
        team = Team.objects.filter(council=new.council, kind=TeamKind.SAFEGUARDING).first()
        if team is None:
            return (
                None,
                safeguarding,
                {
                    "action_type": "This council has no safeguarding team in the portal: call its "
                    "safeguarding line now"
                },
            )
        return team, safeguarding, {}
    if new.action_type.default_team_id is not None:
        return new.action_type.default_team, safeguarding, {}
    if new.team is None or new.team.pk not in {t.pk for t in teams_for(by, new.council)}:
        return None, safeguarding, {"team": "Choose the team to assign the action to"}
    # Whatever its type, what a provider sends the safeguarding team is a concern: urgent, and
    # read by that team alone.
    return new.team, new.team.kind == TeamKind.SAFEGUARDING, {}


def _action_save(
    by: User,
    new: NewAction,
    *,
    related: tuple[Any, int | None],
    team: Team | None,
    safeguarding: bool,
) -> tuple[Action, Post]:
    """The new action and the first post of its thread, which carries its text. `related` is
    the thing it is about, or the id of one an app above actions holds."""
    moment = now()
    thing, related_id = related
    action = Action(
        council=new.council,
        provider=new.provider,
        action_type=new.action_type,
        title=new.title.strip(),
        related_kind=new.related_kind,
        related_id=related_id,
        due_date=new.due_date,
        assigned_team=team,
        urgent=safeguarding,
        is_safeguarding=safeguarding,
        created_by=by,
        created_at=moment,
        last_post_at=moment,
    )
    if thing is not None:
        setattr(action, RELATED_FIELD[RelatedKind(new.related_kind)], thing)
    action.save()
    post = Post.objects.create(
        action=action,
        kind=PostKind.CREATED,
        author=by,
        organisation=_organisation(by),
        text=new.text.strip(),
        assigned_to=_side_label(action),
        due_date=action.due_date,
        created_at=moment,
    )
    return action, post


# Why a post on a closed action is refused.
CLOSED_MESSAGE = "This action is closed: raise a new action if there is more to say."

# What each kind of post may be made by, and what it does to the assignment.
PROVIDER_POSTS = frozenset({PostKind.COMMENT, PostKind.REPLY, PostKind.CLOSURE_REQUESTED})
COUNCIL_POSTS = frozenset({PostKind.COMMENT, PostKind.REPLY, PostKind.CLOSED})


def action_post(
    *,
    by: User,
    action: Action,
    kind: str,
    text: str,
    team: Team | None = None,
    due_date: date | None = None,
    files: Sequence[UploadedFile] = (),
    idempotency_key: str | None = None,
) -> Post:
    """Add to an action's thread. A comment leaves it where it is; a reply hands it to the other
    side (the provider's reply to the team it chooses, or the one it had); a closure request
    hands it to a council team; only the council closes it. A repeat of the form's key (a double
    click) returns the first post and e-mails nobody again."""
    with _files_kept_if_made() as saved, transaction.atomic():
        post, _created = create_once(
            key=idempotency_key,
            purpose="actions.action_post",
            create=lambda: _post_add(
                by=by,
                action=action,
                kind=kind,
                text=text,
                team=team,
                due_date=due_date,
                files=files,
                saved=saved,
            ),
            find=lambda pk: Post.objects.filter(pk=pk, action=action, author=by).first(),
        )
    return post


def _post_add(
    *,
    by: User,
    action: Action,
    kind: str,
    text: str,
    team: Team | None,
    due_date: date | None,
    files: Sequence[UploadedFile],
    saved: list[str],
) -> Post:
    _require(by)
    allowed = PROVIDER_POSTS if by.provider_id is not None else COUNCIL_POSTS
    if kind not in allowed:
        raise PermissionDenied("You cannot do that to an action.")
    # Lock the row where the database can: two replies at once are told apart by the thread.
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("assigned_team", "provider")
        .get(pk=action.pk)
    )
    if not TRANSITIONS.allows(ActionStatus(action.status), PostKind(kind)):
        raise ActionRefused(CLOSED_MESSAGE)
    errors: dict[str, str] = {}
    if not text.strip() and kind != PostKind.CLOSED:
        errors["text"] = "Enter your comment"
    if due_date is not None and due_date < today():
        errors["due_date"] = "The due date must be today or in the future"
    new_team = action.assigned_team
    if kind in (PostKind.REPLY, PostKind.CLOSURE_REQUESTED):
        if by.provider_id is not None:
            chosen = team or action.assigned_team or action.action_type.default_team
            if action.is_safeguarding:
                chosen = action.assigned_team
            if chosen is None or chosen.pk not in {t.pk for t in teams_for(by, action.council)}:
                errors["team"] = "Choose the team to assign the action to"
            new_team = chosen
        else:
            new_team = None  # the council's reply goes to the provider
    errors.update(_check_files(files))
    if errors:
        raise ValidationError(errors)

    moment = now()
    changes: dict[str, Any] = {"last_post_at": moment, "assigned_team": new_team}
    if due_date is not None:
        changes["due_date"] = due_date
    if kind == PostKind.CLOSED:
        changes.update(closed_at=moment, closed_by=by)
    if not TRANSITIONS.move(Action, action.pk, PostKind(kind), **changes):
        # Closed by someone else since it was read (where the database cannot lock the row).
        raise ActionRefused(CLOSED_MESSAGE)
    action.refresh_from_db()
    post = Post.objects.create(
        action=action,
        kind=kind,
        author=by,
        organisation=_organisation(by),
        text=text.strip(),
        assigned_to=_side_label(action) if kind != PostKind.CLOSED else "",
        due_date=due_date,
        created_at=moment,
    )
    _attach(post, files, saved)
    _record_on(action, f"action.{kind}", by=by, detail={"assigned_to": post.assigned_to})
    _announce(action, post)
    return post


def _announce(action: Action, post: Post) -> None:
    """Tell whoever the action now waits for (immediate e-mails; the daily digest reads the
    thread itself). A safeguarding concern tells the safeguarding team at once."""
    from carebridge.actions.emails import action_posted

    # Robust: the post is saved whatever happens to the e-mails (the outbox sweep retries).
    transaction.on_commit(lambda: action_posted(action.pk, post.pk), robust=True)


# What an action can be about that names a client: reading its thread reads about them.
# A dispute's dialogue is about its rows, each a client's week; a spot or value commitment is
# a client's CPLI.
ABOUT_A_CLIENT = frozenset(
    {
        RelatedKind.CLIENT,
        RelatedKind.CPLI,
        RelatedKind.CONTRACT_DOCUMENT,
        RelatedKind.DISPUTE,
        RelatedKind.SPOT_COMMITMENT,
        RelatedKind.VALUE_COMMITMENT,
    }
)


def action_viewed(*, by: User, action: Action, ip: str | None = None) -> None:
    """Reading the thread of an action about a client, or of a safeguarding concern, is
    recorded like a look at the client's record; other threads (an invoice query about the
    provider) name nobody and are not."""
    if action.related_kind not in ABOUT_A_CLIENT and not action.is_safeguarding:
        return
    _record_on(action, "action.viewed", by=by, ip_address=ip)


def attachment_downloaded(*, by: User, attachment: Attachment, ip: str | None = None) -> None:
    """Who read which file of an action, for the audit log (the file itself never changes)."""
    action = attachment.post.action
    _record_on(
        action,
        "action.attachment_downloaded",
        by=by,
        detail={"attachment": attachment.pk, "name": attachment.name},
        ip_address=ip,
    )
