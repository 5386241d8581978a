"""A user's log-in sessions: recorded when they log in, ended by the user (their other
sessions), by an administrator, or when the account is suspended or closed.

Ending a session deletes it from the session store (django.contrib.sessions' table), which
deletes its `UserSession` row with it; the browser holding it is sent to log in at its next
request.
"""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.sessions.models import Session
from django.db import transaction

from carebridge.accounts.models import User, UserSession
from carebridge.accounts.services.common import record_about
from carebridge.core.bounds import has_control_characters
from carebridge.core.calendar import now

USER_AGENT_MAX_LENGTH = 300


def _clean_user_agent(user_agent: str) -> str:
    """The browser's own words, bounded: a header is the client's to fill with anything."""
    text = user_agent[:USER_AGENT_MAX_LENGTH]
    if has_control_characters(text):
        text = "".join(ch for ch in text if ch.isprintable())
    return text


def session_begin(
    *,
    user: User,
    session_key: str,
    ip: str | None,
    user_agent: str,
    logged_in_at: datetime | None = None,
) -> UserSession:
    """The user has logged in with this session (or the session's key changed, keeping the
    time they logged in, `logged_in_at`). The log-in itself is audited by `login_complete`."""
    session, _made = UserSession.objects.update_or_create(
        session_id=session_key,
        defaults={
            "user": user,
            "logged_in_at": logged_in_at or now(),
            "ip_address": ip or None,
            "user_agent": _clean_user_agent(user_agent),
        },
    )
    return session


@transaction.atomic
def _end(
    user: User, sessions: Iterable[UserSession], *, by: User | None, ip: str | None, why: str
) -> int:
    keys = [s.session_id for s in sessions]
    if not keys:
        return 0
    # The rows of UserSession go with their sessions (on_delete=CASCADE).
    Session.objects.filter(session_key__in=keys).delete()
    record_about(
        user,
        action="session.ended",
        by=by,
        detail={"sessions": len(keys), "why": why},
        ip_address=ip,
    )
    return len(keys)


def sessions_end_others(
    *,
    user: User,
    keep: str | None,
    by: User,
    ip: str | None,
    chosen: int | None = None,
    why: str = "ended by the user",
) -> int:
    """The user ends their other sessions (`chosen`: only the one with this id), never the one
    they are using (`keep`, its key). Returns how many ended: a chosen session that is not
    theirs, or has ended already, ends nothing."""
    sessions = UserSession.objects.filter(user=user).exclude(session_id=keep)
    if chosen is not None:
        sessions = sessions.filter(pk=chosen)
    return _end(user, list(sessions), by=by, ip=ip, why=why)


def sessions_end_all(*, user: User, by: User | None, ip: str | None = None, why: str) -> int:
    """Every session of the user ends: an administrator's choice, or the account suspended,
    closed or locked (`why`). Returns how many."""
    return _end(user, list(UserSession.objects.filter(user=user)), by=by, ip=ip, why=why)
