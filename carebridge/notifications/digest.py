"""The daily summary: one e-mail each morning about the day before, with a section for each
part of the portal the user subscribes to, sent only when something changed.

The apps that own the work write their sections (`actions.emails`, `contracts.emails`) and
register them in their AppConfig.ready, so this module imports none of them. Each section shows
exactly what the user's own pages show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string

from carebridge.core.calendar import london_midnight, to_london
from carebridge.notifications.models import Notification, NotificationKind
from carebridge.notifications.services import (
    notification_create,
    notifications_queue,
    preferences_link,
    subscription_for,
)

if TYPE_CHECKING:
    from carebridge.accounts.models import User

# The summary's sections, in the order it shows them: each is a field of Subscription.
DAILY_SECTIONS = (
    NotificationKind.DAILY_ACTIONS,
    NotificationKind.DAILY_CPLIS,
    NotificationKind.DAILY_CONTRACT_DOCUMENTS,
    NotificationKind.DAILY_INVOICES,
    NotificationKind.DAILY_DISPUTES,
    # Named by their Subscription field alone: a summary is sent as DIGEST, so no notification
    # is ever of these kinds and Notification.kind's choices need not name them.
    "daily_scheduled_payments",
    "daily_payment_exceptions",
)


@dataclass(frozen=True)
class DigestLine:
    text: str
    link: str


LinesOf = Callable[["User", datetime, datetime], list[DigestLine]]


@dataclass(frozen=True)
class DigestSection:
    """A section of the summary: its heading and what it lists for a user in a window."""

    kind: str
    heading: str
    lines_of: LinesOf


_SECTIONS: dict[str, DigestSection] = {}


def digest_section_register(kind: str, heading: str, lines_of: LinesOf) -> None:
    """Called by the app that owns the section, in its AppConfig.ready."""
    if kind not in DAILY_SECTIONS:
        raise ValueError(f"{kind!r} is not a section of the daily summary")
    _SECTIONS[kind] = DigestSection(kind, heading, lines_of)


def digest_sections() -> list[DigestSection]:
    return [_SECTIONS[kind] for kind in DAILY_SECTIONS if kind in _SECTIONS]


def digest_for(user: User, since: datetime, until: datetime) -> str | None:
    """The daily summary's text for the sections the user subscribes to, or None when none of
    them has anything to say. Each section shows exactly what the user's pages show."""
    subscription = subscription_for(user)
    sections = []
    for section in digest_sections():
        if getattr(subscription, section.kind):
            lines = section.lines_of(user, since, until)
            if lines:
                sections.append({"heading": section.heading, "lines": lines})
    if not sections:
        return None
    return render_to_string(
        "notifications/email/digest.txt",
        {
            "user": user,
            "sections": sections,
            "since": to_london(since),
            "until": to_london(until),
            "preferences": preferences_link(),
        },
    )


def london_day(day: date) -> tuple[datetime, datetime]:
    """The day's start and end (the next day's start), as London reads them."""
    return london_midnight(day), london_midnight(day + timedelta(days=1))


def send_daily_digests(day: date) -> list[Notification]:
    """One summary per subscriber for the day, only when there is something to say. Running
    it again for the same day makes nothing new."""
    since, until = london_day(day)
    daily = Q()
    for kind in DAILY_SECTIONS:
        daily |= Q(**{f"subscription__{kind}": True})
    users = (
        get_user_model()
        .objects.filter(daily, is_active=True, suspended_at__isnull=True)
        .select_related("team", "provider", "council")
    )
    created = []
    for user in users.order_by("pk"):
        key = f"digest:{user.pk}:{day.isoformat()}"
        if Notification.objects.filter(key=key).exists():
            continue
        body = digest_for(user, since, until)
        if body is None:
            continue
        notification = notification_create(
            user=user,
            kind=NotificationKind.DIGEST,
            key=key,
            subject=f"Your Carebridge summary for {day:%-d %B %Y}",
            body=body,
        )
        if notification is not None:
            created.append(notification)
    notifications_queue(created)
    return created
