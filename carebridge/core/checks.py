"""System checks that `carebridge check --deploy` adds to Django's own (docs/deploy.md)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache(**_kwargs: Any) -> list[CheckMessage]:
    """Rate-limit counts and the once-a-run marks of periodic work live in the cache: without
    Redis it is each process's memory, so several gunicorn workers each count on their own and
    two hosts each run the nightly work. Only a single-process demo or test may do without."""
    if settings.REDIS_URL or settings.DEBUG or settings.DEMO or settings.TESTING:
        return []
    return [
        Warning(
            "REDIS_URL is not set: the cache and the task queue are not shared between "
            "processes, so rate limits multiply with gunicorn's workers.",
            hint="Set REDIS_URL (docs/deploy.md, 'Redis').",
            id="carebridge.W001",
        )
    ]


@register(Tags.security, deploy=True)
def uploads_scanned(**_kwargs: Any) -> list[CheckMessage]:
    """Uploaded files are scanned for viruses only when clamd is configured
    (carebridge.core.uploads)."""
    if settings.CLAMD_ADDRESS or settings.DEBUG or settings.DEMO or settings.TESTING:
        return []
    return [
        Warning(
            "CLAMD_ADDRESS is not set: uploaded files are not scanned for viruses.",
            hint="Install clamav-daemon and set CLAMD_ADDRESS to its socket (docs/deploy.md).",
            id="carebridge.W002",
        )
    ]
