"""The help topics of the general pages: the home page, finding your way around, the help
itself, the council's own help and the static pages."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = [
    Topic(
        "home",
        "Your home page",
        views=("home:home",),
        audience=Audience.EVERYONE,
        section="Getting started",
        summary="What needs your attention today, and the organisations you work with.",
    ),
    Topic(
        "finding-your-way-around",
        "Finding your way around",
        views=(),
        audience=Audience.EVERYONE,
        section="Getting started",
        summary="The sections, each section's pages, the links at the top of every page and "
        "the council you are looking at.",
    ),
    Topic(
        "using-help",
        "Using the help",
        views=("help:index", "help:topic", "help:glossary", "help:whats_new"),
        audience=Audience.PUBLIC,
        section="Getting started",
        summary="How the help is laid out, the glossary of the portal's words and what has "
        "changed.",
    ),
    Topic(
        "accessibility-and-privacy",
        "Accessibility and privacy",
        views=("core:accessibility", "core:privacy"),
        audience=Audience.PUBLIC,
        section="Getting started",
        summary="How the portal works with assistive technology and how it looks after "
        "personal data.",
    ),
    Topic(
        "your-councils-help",
        "Your council's help and support contacts",
        views=(
            "help:manage",
            "help:contact_add",
            "help:contact_edit",
            "help:contact_remove",
            "help:entry_add",
            "help:entry_edit",
            "help:entry_remove",
        ),
        audience=Audience.COUNCIL,
        section="Administration",
        summary="What your council adds beside the portal's own help: support contacts, "
        "do's and don'ts, questions and answers and notes on pages.",
    ),
]

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = {
    # The load balancers' check: plain text, for machines.
    "core:healthz",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
