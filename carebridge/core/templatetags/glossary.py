"""`{% term "slug" %}`: the glossary's explanation of one word, beside the column or field that
uses it, as GOV.UK's details component ("What does Msd mean?"), with a link to the glossary.
`{% terms "planned" "missed" summary="What do the columns mean?" %}` explains several at once.

A slug the glossary does not hold fails at render under DEBUG and in the tests, so a typo fails
a test; in production the page shows without it."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.loader import render_to_string

from carebridge.core.glossary import BY_SLUG, Term

register = template.Library()


def _found(slugs: tuple[str, ...]) -> list[Term]:
    unknown = [slug for slug in slugs if slug not in BY_SLUG]
    if unknown and (settings.DEBUG or getattr(settings, "TESTING", False)):
        raise template.TemplateSyntaxError(
            f"No glossary term {', '.join(map(repr, unknown))} (carebridge/core/glossary.py)"
        )
    return [BY_SLUG[slug] for slug in slugs if slug in BY_SLUG]


@register.simple_tag
def term(slug: str) -> str:
    found = _found((slug,))
    if not found:
        return ""
    return render_to_string(
        "core/_term.html", {"summary": found[0].question, "terms": found, "single": True}
    )


@register.simple_tag
def terms(*slugs: str, summary: str = "What do these words mean?") -> str:
    found = _found(slugs)
    if not found:
        return ""
    context: dict[str, Any] = {"summary": summary, "terms": found, "single": False}
    return render_to_string("core/_term.html", context)
