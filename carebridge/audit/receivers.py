"""What the audit log hears from parts that cannot import it: core announces an infected upload
by a signal (core imports no app), and the log records who sent it, from where, and what clamd
found, never the file's content."""

from __future__ import annotations

from typing import Any

from carebridge.audit.services import record
from carebridge.core.uploads import upload_infected


def upload_infected_recorded(
    *, name: str, size: int, sha256: str, signature: str, by: Any = None,
    ip_address: str | None = None, **_: Any,
) -> None:  # fmt: skip
    record(
        action="upload.infected",
        by=by,
        ip_address=ip_address,
        detail={"name": name, "size": size, "sha256": sha256, "signature": signature},
    )


upload_infected.connect(upload_infected_recorded, dispatch_uid="audit.upload_infected")
