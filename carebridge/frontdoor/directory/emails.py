"""E-mailing someone the signposting list they are looking at."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.template.loader import render_to_string

from carebridge.audit.services import record
from carebridge.core import calendar
from carebridge.frontdoor.directory.feed import SignpostNeed
from carebridge.frontdoor.directory.selectors import Signpost
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import email_queue
from carebridge.organisations.models import Council


def signposting_email(
    *,
    council: Council,
    to: str,
    signposts: Sequence[Signpost],
    needs: Sequence[str],
    postcode: str,
    link: str,
) -> bool:
    """E-mail someone the list they are looking at, once per address, list and day (a double
    click sends one e-mail). False when that e-mail was queued already."""
    today = calendar.today()
    fingerprint = "|".join(
        [
            to.strip().lower(),
            str(council.pk),
            ",".join(str(s.service.pk) for s in signposts),
            ",".join(needs),
            postcode,
            today.isoformat(),
        ]
    )
    key = "frontdoor-list:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    labels = dict(SignpostNeed.choices)
    body = render_to_string(
        "frontdoor/directory/support_email.txt",
        {
            "council": council,
            "signposts": signposts,
            "needs": [str(labels[n]) for n in needs if n in labels],
            "postcode": postcode,
            "link": link,
            "today": today,
        },
    )
    queued = email_queue(
        to=to.strip(),
        kind=NotificationKind.FRONT_DOOR,
        key=key,
        subject=f"Services that could help – {council.name}"[:200],
        body=body,
    )
    if queued is not None:
        # No address in the audit log: the outbox row has it, and is purged in time.
        record(
            action="directory.list_emailed",
            council=council,
            detail={"services": len(signposts), "needs": list(needs)},
        )
    return queued is not None
