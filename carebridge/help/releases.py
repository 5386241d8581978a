"""What's new: what each release changed for the people who use the portal, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Release:
    name: str
    day: date
    # (who it is for: "Providers", "Council staff" or "Everyone", what changed)
    changes: tuple[tuple[str, str], ...]


RELEASES: tuple[Release, ...] = (
    Release(
        "Help and a simpler menu",
        date(2026, 12, 7),
        (
            (
                "Everyone",
                "Every page has a Help link explaining the page and your council's rules.",
            ),
            ("Everyone", "The menu is grouped into sections, each with its own pages below it."),
            (
                "Providers",
                "If you work for several councils, choose the council you are looking at from "
                "any page.",
            ),
        ),
    ),
)
