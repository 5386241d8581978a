"""What the appointment page tests share: the public pages' addresses, a page's text, the links
in an e-mail, and answering the three questions as the pages ask them."""

import re

from django.urls import reverse


def care(name, council, **kwargs):
    return reverse(f"care:{name}", kwargs={"council": council.slug, **kwargs})


def page(response) -> str:
    return response.content.decode()


def link_in(body: str, name: str) -> str:
    """The path of an e-mailed link ("confirm" or "booking")."""
    match = re.search(rf"https?://[^/\s]+(/care-and-support/\S+/appointments/{name}/\S+/)", body)
    assert match is not None, body
    return match.group(1)


def choose(client, council, hub, slot, **details):
    """Answer the three questions, as the pages ask them."""
    client.post(care("appointment_start", council), {"hub": hub.pk})
    client.post(care("appointment_time", council), {"slot": slot.pk})
    answers = {
        "name": "Marjorie Pennington",
        "email": "marjorie@example.org",
        "phone": "01632 960 512",
        "about": "Help at home after a stroke",
        **details,
    }
    return client.post(care("appointment_details", council), answers)
