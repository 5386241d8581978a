"""Template filters for showing data as the councils' guides show it."""

from datetime import date

from django import template

from carebridge.core import calendar, formats

register = template.Library()

register.filter("guide_datetime", formats.guide_datetime)
register.filter("guide_date", formats.guide_date)
register.filter("guide_time", formats.guide_time)
register.filter("money", formats.money)


@register.filter("age")
def age(born: date | None) -> int | str:
    """Whole years of age today in London, for "23/04/2010 (8 years old)"."""
    if born is None:
        return ""
    today = calendar.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
