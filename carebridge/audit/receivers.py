"""What the audit log hears from parts that cannot import it (core imports no app): an infected
upload, recorded with who sent it, from where, and what clamd found, never the file's content;
and a refused request (core.errors.RefusalsMiddleware), recorded in the log of the asker's
organisation with the path, method and address, never the object asked for: whether it exists
is exactly what the asker's colleagues reading the log may not know."""

from __future__ import annotations

from typing import Any

from carebridge.audit.services import record
from carebridge.core.errors import request_refused
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


def request_refused_recorded(
    *, kind: str, status: int, method: str, path: str, suppressed: int, by: Any = None,
    ip_address: str | None = None, **_: Any,
) -> None:  # fmt: skip
    """An anonymous visitor has no organisation whose log to write in: the security log
    (core.errors) has their refusal."""
    if by is None:
        return
    record(
        action=f"security.{kind}",
        by=by,
        ip_address=ip_address,
        detail={
            "status": status,
            "method": method,
            "path": path,
            "suppressed": suppressed,
        },
    )


upload_infected.connect(upload_infected_recorded, dispatch_uid="audit.upload_infected")
request_refused.connect(request_refused_recorded, dispatch_uid="audit.request_refused")
