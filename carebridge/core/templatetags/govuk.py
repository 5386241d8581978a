"""Template filters for showing data as the councils' guides show it."""

from django import template

from carebridge.core import formats

register = template.Library()

register.filter("guide_datetime", formats.guide_datetime)
register.filter("guide_date", formats.guide_date)
register.filter("guide_time", formats.guide_time)
register.filter("money", formats.money)


@register.filter("nhs_number")
def nhs_number(value: str) -> str:
    from carebridge.people.validators import format_nhs_number

    return format_nhs_number(value) if value else ""
