"""The help topics of the general pages."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = []

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = set()

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
