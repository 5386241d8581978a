"""Reads for the front door's pages."""

from __future__ import annotations

from django.http import Http404

from carebridge.frontdoor.models import FrontDoorSettings
from carebridge.organisations.models import Council


def public_council(slug: str) -> tuple[Council, FrontDoorSettings]:
    """The council whose public front door this is, with its settings; 404 when it has none
    open, so the public pages never reveal a council that has not opened them."""
    settings = (
        FrontDoorSettings.objects.select_related("council")
        .filter(council__slug=slug, is_open=True)
        .first()
    )
    if settings is None:
        raise Http404("No front door here")
    return settings.council, settings
