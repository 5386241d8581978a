from django.http import HttpRequest
from django.urls import reverse

from carebridge.help.topics import topic_for_view


def help_link(request: HttpRequest) -> dict[str, object]:
    """Every page's Help link: the topic that explains the page, or the help index. A public
    front-door page's link carries its council, so the help names that council's contacts."""
    match = getattr(request, "resolver_match", None)
    topic = topic_for_view(match.view_name) if match is not None else None
    if topic is None:
        return {"help_url": reverse("help:index"), "help_topic": None}
    url = reverse("help:topic", kwargs={"slug": topic.slug})
    council = match.kwargs.get("council") if match is not None else None
    if topic.public and isinstance(council, str):
        url += f"?council={council}"
    return {"help_url": url, "help_topic": topic}
