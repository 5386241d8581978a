"""The e-mails a user subscribes to (Email Notifications in the guide): immediate ones about
actions and password changes, and a daily summary of actions, CPLIs and contract documents.

Each e-mail is first an outbox row (Notification) whose key makes it once only; the sending
task claims the row before sending, so a retry or a second worker never sends it twice.
Subjects never name a client: e-mail subjects show on lock screens and in shared inboxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.accounts.roles import Function, can_view
from carebridge.actions.models import Action, Notification, NotificationKind, Post, Subscription
from carebridge.actions.selectors import actions_visible_to
from carebridge.audit.services import record
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.contracts.selectors import contract_documents_visible_to, cplis_visible_to
from carebridge.core.calendar import LONDON, now, to_london
from carebridge.organisations.choices import TeamKind

DAILY_SECTIONS = (
    NotificationKind.DAILY_ACTIONS,
    NotificationKind.DAILY_CPLIS,
    NotificationKind.DAILY_CONTRACT_DOCUMENTS,
)
SUBSCRIPTION_FIELDS = (
    "daily_actions",
    "daily_cplis",
    "daily_contract_documents",
    "actions_immediate",
    "password_immediate",
)


def _link(name: str, *args: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def _preferences_link() -> str:
    return _link("actions:subscriptions")


def subscription_for(user: User) -> Subscription:
    """The user's choices, or the defaults (an unsaved row) when they never chose."""
    return Subscription.objects.filter(user=user).first() or Subscription(user=user)


def is_subscribed(user: User, kind: str) -> bool:
    return bool(getattr(subscription_for(user), kind))


@transaction.atomic
def subscription_update(*, user: User, by: User, choices: dict[str, bool]) -> Subscription:
    """Save the user's choice of e-mails (only their own: the page acts for the logged-in user)."""
    values = {field: bool(choices.get(field, False)) for field in SUBSCRIPTION_FIELDS}
    subscription, _created = Subscription.objects.update_or_create(user=user, defaults=values)
    record(action="subscription.updated", by=by, obj=user, after=values)
    return subscription


# The sweep gives up on a row after this many attempts, or this long after it was made; such a
# row is undelivered, and support can see and retry it (`carebridge notifications`).
MAX_ATTEMPTS = 6
GIVE_UP_AFTER = timedelta(days=2)
# How long the outbox keeps a row, sent or not. Its unique key only has to outlive the sweep
# (GIVE_UP_AFTER) and the digest of a day, which are never made again after that.
KEEP_FOR = timedelta(days=90)


def undelivered(moment: datetime | None = None) -> QuerySet[Notification]:
    """The e-mails that failed, newest first: not sent, with an error or given up on."""
    moment = moment or now()
    return (
        Notification.objects.filter(sent_at__isnull=True)
        .filter(
            Q(attempts__gte=MAX_ATTEMPTS)
            | Q(created_at__lt=moment - GIVE_UP_AFTER)
            | ~Q(last_error="")
        )
        .select_related("user")
        .order_by("-created_at")
    )


@transaction.atomic
def notification_retry(*, notification: Notification, by: User | None) -> bool:
    """Send an undelivered e-mail again (say, once its address is corrected); False if it went
    out meanwhile. Its last error stays until a send succeeds."""
    retried = Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
        attempts=0, claimed_at=None
    )
    if retried:
        record(
            action="notification.retried",
            by=by,
            obj=notification.user or notification,
            # The kind, not the subject: a subject can say that a safeguarding concern exists.
            after={"notification": notification.pk, "kind": notification.kind},
        )
        _queue([notification])
    return bool(retried)


def notifications_purge(moment: datetime | None = None) -> int:
    """Delete the outbox rows older than KEEP_FOR; how many went."""
    moment = moment or now()
    deleted, _by_model = Notification.objects.filter(created_at__lt=moment - KEEP_FOR).delete()
    return deleted


def email_queue(*, to: str, kind: str, key: str, subject: str, body: str) -> Notification | None:
    """Queue an e-mail to an address with no account behind it (a resident who used the front
    door), once only for its key; None when that key was queued before."""
    notification = _create(user=None, to_email=to, kind=kind, key=key, subject=subject, body=body)
    if notification is not None:
        _queue([notification])
    return notification


def _queue(notifications: list[Notification]) -> None:
    from carebridge.actions import tasks

    for notification in notifications:
        transaction.on_commit(partial(tasks.send_notification, notification.pk))


def _create(
    *, user: User | None, kind: str, key: str, subject: str, body: str, to_email: str = ""
) -> Notification | None:
    """The outbox row for this key, or None when it exists already (a repeat or a race)."""
    if Notification.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user,
                to_email=to_email,
                kind=kind,
                key=key,
                subject=subject,
                body=body,
                created_at=now(),
            )
    except IntegrityError:
        return None


def _can_read_actions(users: QuerySet[User]) -> list[User]:
    return [
        u
        for u in users.filter(is_active=True, suspended_at__isnull=True).order_by("pk")
        if can_view(u.role, Function.ACTIONS)
    ]


def _waiting_side(action: Action) -> list[User]:
    """Whom the action waits for: the provider's users, or the members of the assigned team.
    A closed action waits for no one, but the provider hears that the council closed it."""
    if action.assigned_team_id is None or not action.is_open:
        return _can_read_actions(User.objects.filter(provider_id=action.provider_id))
    return _can_read_actions(
        User.objects.filter(team_id=action.assigned_team_id, council_id=action.council_id)
    )


def _post_subject(action: Action, post: Post) -> str:
    kind = action.action_type.name
    if not action.is_open:
        return f"Action {action.pk} ({kind}) has been closed"
    if action.is_safeguarding:
        return f"Urgent safeguarding concern: action {action.pk}"
    return f"Action {action.pk} ({kind}) is waiting for you"


def action_posted(action_id: int, post_id: int) -> list[Notification]:
    """After a post on an action: tell each user the action now waits for, if they subscribe to
    immediate action e-mails (never the post's author). The safeguarding team always hears of
    a safeguarding concern at once, whatever their choice."""
    post = (
        Post.objects.select_related(
            "author", "action__action_type", "action__assigned_team", "action__provider"
        )
        .filter(pk=post_id, action_id=action_id)
        .first()
    )
    if post is None:
        return []
    action = post.action
    safeguarding_team = (
        action.is_safeguarding
        and action.assigned_team is not None
        and action.assigned_team.kind == TeamKind.SAFEGUARDING
        and action.is_open
    )
    recipients = [u for u in _waiting_side(action) if u.pk != post.author_id]
    if not safeguarding_team:
        chosen = set(
            Subscription.objects.filter(user__in=recipients, actions_immediate=False).values_list(
                "user_id", flat=True
            )
        )
        recipients = [u for u in recipients if u.pk not in chosen]

    subject = _post_subject(action, post)
    created = []
    for user in recipients:
        body = render_to_string(
            "actions/email/action_posted.txt",
            {
                "user": user,
                "action": action,
                "post": post,
                "safeguarding": safeguarding_team,
                "link": _link("actions:action_detail", action.pk),
                "preferences": _preferences_link(),
            },
        )
        notification = _create(
            user=user,
            kind=NotificationKind.ACTIONS_IMMEDIATE,
            key=f"action-post:{post.pk}:{user.pk}",
            subject=subject,
            body=body,
        )
        if notification is not None:
            created.append(notification)
    _queue(created)
    return created


def password_changed(user_id: int, changed_at: datetime) -> Notification | None:
    """Tell the user their password was changed, so a change they did not make is noticed."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not is_subscribed(user, NotificationKind.PASSWORD_IMMEDIATE):
        return None
    local = to_london(changed_at)
    body = render_to_string(
        "actions/email/password_changed.txt",
        {
            "user": user,
            "changed_at": local,
            "reset": _link("accounts:reset"),
            "preferences": _preferences_link(),
        },
    )
    notification = _create(
        user=user,
        kind=NotificationKind.PASSWORD_IMMEDIATE,
        key=f"password:{user.pk}:{changed_at.isoformat()}",
        subject="Your Carebridge password has been changed",
        body=body,
    )
    if notification is not None:
        _queue([notification])
    return notification


SECOND_STEP_CHANGES = {
    "passcode": "Your 6-digit passcode was changed",
    "authenticator": "An authenticator app was set up to log in to your account",
    "authenticator removed": (
        "Your authenticator app was removed: you now log in with your 6-digit passcode"
    ),
}


def second_step_changed(user_id: int, changed_at: datetime, change: str) -> Notification | None:
    """Tell the user the second step of their log-in changed, so a change they did not make is
    noticed. Sent whatever their e-mail choices: whoever changed it could also have changed
    those, and without this e-mail nobody would hear that the log-in now answers to them."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    body = render_to_string(
        "actions/email/second_step_changed.txt",
        {
            "user": user,
            "what": SECOND_STEP_CHANGES[change],
            "changed_at": to_london(changed_at),
            "reset": _link("accounts:reset"),
        },
    )
    notification = _create(
        user=user,
        kind=NotificationKind.PASSWORD_IMMEDIATE,
        key=f"second-step:{user.pk}:{change}:{changed_at.isoformat()}",
        subject="The way you log in to Carebridge has changed",
        body=body,
    )
    if notification is not None:
        _queue([notification])
    return notification


@dataclass(frozen=True)
class DigestLine:
    text: str
    link: str


def _posts_between(since: datetime, until: datetime, **filters: Any) -> Exists:
    return Exists(
        Post.objects.filter(
            action=OuterRef("pk"), created_at__gte=since, created_at__lt=until, **filters
        )
    )


def _digest_actions(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    """Actions assigned to the user's side in the window, or answered by the other side."""
    actions = actions_visible_to(user)
    if user.provider_id is not None:
        ours = Q(assigned_team__isnull=True) & _posts_between(since, until)
        answered = _posts_between(since, until, author__council__isnull=False)
        actions = actions.filter(ours | answered)
    elif user.team_id is not None:
        actions = actions.filter(Q(assigned_team_id=user.team_id) & _posts_between(since, until))
    else:
        actions = actions.filter(_posts_between(since, until, author__provider__isnull=False))
    lines = []
    for action in actions.select_related("action_type", "assigned_team", "provider").order_by(
        "due_date", "pk"
    ):
        waiting = action.assigned_team.name if action.assigned_team else action.provider.name
        state = "closed" if not action.is_open else f"with {waiting}"
        lines.append(
            DigestLine(
                f"Action {action.pk}: {action.title} ({action.action_type.name}), {state}, "
                f"due {action.due_date:%-d %B %Y}",
                _link("actions:action_detail", action.pk),
            )
        )
    return lines


def _changed_between(since: datetime, until: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}published_at__gte": since, f"{prefix}published_at__lt": until}) | Q(
        **{f"{prefix}changed_at__gte": since, f"{prefix}changed_at__lt": until}
    )


def _digest_cplis(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    """CPLIs added or amended: a line changes only through its contract document."""
    cplis: QuerySet[Cpli] = (
        cplis_visible_to(user)
        .filter(_changed_between(since, until, "document__"))
        .select_related("service_level", "document", "provider")
        .order_by("document__reference", "pk")
    )
    return [
        DigestLine(
            f"CPLI {cpli.pk}: {cpli.service_level.name}, care package "
            f"{cpli.care_package_reference}, {cpli.get_status_display().lower()}",
            _link("contracts:document_detail", cpli.document_id),
        )
        for cpli in cplis
    ]


def _digest_documents(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    documents: QuerySet[ContractDocument] = (
        contract_documents_visible_to(user)
        .filter(_changed_between(since, until))
        .order_by("reference", "pk")
    )
    return [
        DigestLine(
            f"{document.get_kind_display()} {document.reference}: "
            f"{document.get_status_display().lower()}",
            _link("contracts:document_detail", document.pk),
        )
        for document in documents
    ]


DIGEST_SECTIONS = (
    (NotificationKind.DAILY_ACTIONS, "Actions", _digest_actions),
    (NotificationKind.DAILY_CPLIS, "Care package line items", _digest_cplis),
    (NotificationKind.DAILY_CONTRACT_DOCUMENTS, "Contract documents", _digest_documents),
)


def digest_for(user: User, since: datetime, until: datetime) -> str | None:
    """The daily summary's text for the sections the user subscribes to, or None when none of
    them has anything to say. Each section shows exactly what the user's pages show."""
    subscription = subscription_for(user)
    sections = []
    for kind, heading, lines_of in DIGEST_SECTIONS:
        if getattr(subscription, kind):
            lines = lines_of(user, since, until)
            if lines:
                sections.append({"heading": heading, "lines": lines})
    if not sections:
        return None
    return render_to_string(
        "actions/email/digest.txt",
        {
            "user": user,
            "sections": sections,
            "since": to_london(since),
            "until": to_london(until),
            "preferences": _preferences_link(),
        },
    )


def london_day(day: date) -> tuple[datetime, datetime]:
    """The day's start and end (the next day's start), as London reads them."""
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)
    return start, end


def send_daily_digests(day: date) -> list[Notification]:
    """One summary per subscriber for the day, only when there is something to say. Running
    it again for the same day makes nothing new."""
    since, until = london_day(day)
    daily = Q()
    for kind in DAILY_SECTIONS:
        daily |= Q(**{f"subscription__{kind}": True})
    users = User.objects.filter(daily, is_active=True, suspended_at__isnull=True).select_related(
        "team", "provider", "council"
    )
    created = []
    for user in users.order_by("pk"):
        key = f"digest:{user.pk}:{day.isoformat()}"
        if Notification.objects.filter(key=key).exists():
            continue
        body = digest_for(user, since, until)
        if body is None:
            continue
        notification = _create(
            user=user,
            kind=NotificationKind.DIGEST,
            key=key,
            subject=f"Your Carebridge summary for {day:%-d %B %Y}",
            body=body,
        )
        if notification is not None:
            created.append(notification)
    _queue(created)
    return created
