"""Template filters for service users' details, a builtin of every template (settings.TEMPLATES)."""

from django import template

from carebridge.people.validators import format_nhs_number

register = template.Library()


@register.filter("nhs_number")
def nhs_number(value: str) -> str:
    return format_nhs_number(value) if value else ""
