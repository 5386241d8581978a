"""Payments' link on an actuals row: "Ask for a temporary CPLI" on a row over the exception,
registered with core.row_links in PaymentsConfig.ready (actuals sits below payments and never
names its pages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from carebridge.core.formats import guide_date
from carebridge.core.row_links import RowLink
from carebridge.payments.selectors.variations import open_variation_weeks
from carebridge.payments.services.variations import may_request_variation
from carebridge.people.models import ServiceUser

if TYPE_CHECKING:
    from carebridge.actuals.models import Actual

ASK_LABEL = "Ask for a temporary CPLI"


def variation_row_links(user: Any, rows: Sequence[Actual]) -> dict[int, RowLink]:
    """The link on each of the user's provider's rows over the exception, for a user who may ask
    for a temporary CPLI, where no open request covers that client's week already (it would be
    refused). Two queries for any number of rows; none when no row qualifies."""
    provider_id = getattr(user, "provider_id", None)
    if provider_id is None or not may_request_variation(user, provider_id):
        return {}
    over = [row for row in rows if row.over_threshold and row.provider_id == provider_id]
    if not over:
        return {}
    clients = {row.service_user_id for row in over}
    weeks = [row.week_start for row in over]
    covered = open_variation_weeks(clients, min(weeks), max(weeks))
    wanted = [
        row
        for row in over
        if not any(
            first <= row.week_start <= last for first, last in covered.get(row.service_user_id, ())
        )
    ]
    if not wanted:
        return {}
    # The page shows the names already; read here so no page has to load them for us.
    names = {
        person.pk: person.full_name
        for person in ServiceUser.objects.filter(
            pk__in={row.service_user_id for row in wanted}
        ).only("title", "first_name", "last_name")
    }
    url = reverse("payments:variation_new")
    return {
        row.pk: RowLink(
            ASK_LABEL,
            f"{url}?actual={row.pk}",
            f" for {names.get(row.service_user_id, '')}, week of {guide_date(row.week_start)}",
        )
        for row in wanted
    }
