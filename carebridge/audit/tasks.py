"""The audit log's nightly anchor: its chain's head published where the database's users
cannot write (carebridge.audit.anchors)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="4", minute="10"))
def audit_anchor_nightly() -> str:
    """After retention's run (3:20), so the head published is the one kept. Safe to run twice:
    a second line in the log, and the e-mail's key is the head and the day."""
    from carebridge.audit.anchors import publish

    published = publish()
    return str(published.anchor) if published is not None else ""
