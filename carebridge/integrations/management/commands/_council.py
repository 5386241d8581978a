from django.core.management.base import CommandError

from carebridge.organisations.models import Council


def council_by_slug(slug: str) -> Council:
    council = Council.objects.filter(slug=slug).first()
    if council is None:
        known = ", ".join(Council.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"No council with slug {slug!r}. Known: {known or 'none'}")
    return council
