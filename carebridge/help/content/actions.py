"""The help topics of the actions pages: the inbox, an action's conversation, raising one,
and the e-mails each person chooses."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = [
    Topic(
        "actions",
        "Actions",
        views=("actions:action_list",),
        audience=Audience.EVERYONE,
        section="Messages",
        summary="Your conversations with the council or with providers, and which of them "
        "wait for you.",
    ),
    Topic(
        "an-action",
        "An action and its conversation",
        views=("actions:action_detail", "actions:action_post"),
        audience=Audience.EVERYONE,
        section="Messages",
        summary="Read an action, then comment, reply, ask for it to be closed or close it.",
    ),
    Topic(
        "new-action",
        "Raising a new action",
        views=("actions:action_new",),
        audience=Audience.EVERYONE,
        section="Messages",
        summary="Start a conversation about a client, contract, service or care package line item.",
    ),
    Topic(
        "email-notifications",
        "E-mail notifications",
        views=("actions:subscriptions",),
        audience=Audience.EVERYONE,
        section="Your account",
        summary="Choose the e-mails you get: at once, and in a daily summary.",
    ),
]

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = {
    # An attachment's file.
    "actions:attachment_download",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
