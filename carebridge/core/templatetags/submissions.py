"""`{% form_token %}`: the hidden single-use token of a form that creates (core.idempotency)."""

from django import template
from django.utils.html import format_html

from carebridge.core.idempotency import FIELD, form_token_issue

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context: template.Context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, form_token_issue(request)
    )
