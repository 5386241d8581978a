"""Periodic work done once a run, however many Huey consumers scheduled it.

A deployment runs one scheduler (`run_huey` on one host, `run_huey --no-periodic` on the others:
docs/deploy.md), but a second one started by mistake, or two hosts briefly both scheduling during
an upgrade, queue every periodic task twice at the same minute. Most tasks are safe to run twice
(claims, compare-and-set, unique keys); one that fetches from a council's system and writes a log
of it is not, and is wrapped with `once_a_run`.

The mark is an atomic add in the cache (Redis when REDIS_URL is set, so every consumer sees it:
SET NX with an expiry); the window is shorter than the task's period, so the next run goes ahead.
Without Redis the cache is one process's memory, which is right for the demo's single consumer.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import ParamSpec, TypeVar

from django.core.cache import cache

from carebridge.core.calendar import now

logger = logging.getLogger(__name__)

Params = ParamSpec("Params")
Result = TypeVar("Result")


def run_key(task: Callable[..., object]) -> str:
    """The cache key that marks the task's current run."""
    return f"periodic-run:{task.__module__}.{task.__qualname__}"


def once_a_run(
    *, window: timedelta, skipped: Callable[[], Result]
) -> Callable[[Callable[Params, Result]], Callable[Params, Result]]:
    """Do the task's work only if no consumer started it within `window`; otherwise return
    `skipped()` at once. Goes under `@db_periodic_task`, so `call_local` passes through it too."""

    def decorator(task: Callable[Params, Result]) -> Callable[Params, Result]:
        key = run_key(task)

        @functools.wraps(task)
        def guarded(*args: Params.args, **kwargs: Params.kwargs) -> Result:
            if not cache.add(key, now().isoformat(), timeout=int(window.total_seconds())):
                logger.info("%s ran within the last %s: not run again", key, window)
                return skipped()
            return task(*args, **kwargs)

        return guarded

    return decorator
