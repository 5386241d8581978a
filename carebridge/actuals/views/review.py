"""The council's drill-down from its confirmation overview into one provider's period: every
client's CPLI rows with Pl, Frstd, Msd, Xtr, Vst, Actual, cost, comments and exceptions, filtered,
and the filtered rows as CSV or Excel. Each view and download is audited, as the rows name the
provider's clients."""

from __future__ import annotations

from typing import Any

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.accounts.models import User
from carebridge.actuals import selectors, services
from carebridge.actuals.filters import ReviewFilters
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.views.council import council_user
from carebridge.contracts.exports import Cell, neutralise, table_csv, table_xlsx
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.disputes.services import may_raise_dispute
from carebridge.organisations.models import Provider

EXPORT_HEADERS = [
    "Client",
    "SS Ref",
    "Service",
    "Service level",
    "Week beginning",
    "Pl",
    "Frstd",
    "Msd",
    "Xtr",
    "Vst",
    "Actual",
    "Frustrated because",
    "Missed because",
    "Variation code",
    "Comments",
    "Planned cost",
    "Cost",
    "Exceptions",
]
EXPORT_WIDTHS = (28, 12, 28, 36, 14, 8, 8, 8, 8, 6, 8, 24, 24, 16, 40, 12, 12, 40)
MONEY_COLUMNS = (16, 17)


def _found(request: HttpRequest, pk: int, provider_pk: int) -> tuple[User, Period, Provider]:
    """The council user, its own period and a provider it contracts with: 404 for another
    council's period or a provider not of the council."""
    user, _council = council_user(request)
    period = selectors.review_period(user, pk)
    provider = selectors.review_provider(user, provider_pk)
    if period is None or provider is None:
        raise Http404("No such period or provider")
    return user, period, provider


def _filters(request: HttpRequest, user: User, period: Period, provider: Provider) -> ReviewFilters:
    rows = selectors.review_actuals(user, period, provider)
    services_, levels = selectors.review_choices(rows)
    return ReviewFilters(request.GET, rows, services=services_, levels=levels)


def _groups(rows: list[Actual], over_percent: int, costs: dict[int, Any]) -> list[dict[str, Any]]:
    """The page's rows by client, in the order they came, each with its exceptions in words."""
    groups: list[dict[str, Any]] = []
    for actual in rows:
        if not groups or groups[-1]["person"].pk != actual.service_user_id:
            groups.append(
                {"person": actual.service_user, "rows": [], "cost": costs[actual.service_user_id]}
            )
        groups[-1]["rows"].append((actual, selectors.exception_words(actual, over_percent)))
    return groups


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@require_GET
def council_review(request: HttpRequest, pk: int, provider_pk: int) -> HttpResponse:
    user, period, provider = _found(request, pk, provider_pk)
    filters = _filters(request, user, period, provider)
    page = page_of(request, filters.qs, per_page=LONG_PAGE_SIZE)
    rows = list(page.object_list)
    costs = selectors.client_costs(filters.qs, sorted({a.service_user_id for a in rows}))
    over_percent = period.council.rulebook.actuals_over_plan_percent
    services.actuals_reviewed(
        by=user, period=period, provider=provider, rows=len(rows), ip=_ip(request)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "actuals/council_review.html",
        {
            "period": period,
            "provider": provider,
            "page": page,
            "groups": _groups(rows, over_percent, costs),
            "totals": selectors.review_totals(filters.qs),
            "filters": filters.form,
            "chosen": filters.chosen(),
            "query": query.urlencode(),
            # Disputes sit beside actuals: an officer who may raise one is offered it here.
            "may_dispute": may_raise_dispute(user, period.council_id),
        },
    )


def _export_row(actual: Actual, over_percent: int) -> list[Cell]:
    """One row as the export's cells: text neutralised, numbers, money and dates as themselves."""
    person = actual.service_user
    return [
        neutralise(person.full_name),
        neutralise(person.ss_ref),
        neutralise(actual.service.name),
        neutralise(actual.cpli.service_level.name),
        actual.week_start,
        actual.planned,
        actual.frustrated,
        actual.missed,
        actual.extra,
        actual.visits,
        actual.actual,
        str(actual.get_frustrated_reason_display()) if actual.frustrated_reason else "",
        str(actual.get_missed_reason_display()) if actual.missed_reason else "",
        neutralise(actual.variation_code),
        neutralise(actual.comments),
        actual.planned_cost,
        actual.cost,
        neutralise("; ".join(selectors.exception_words(actual, over_percent))),
    ]


@require_GET
def council_review_export(
    request: HttpRequest, pk: int, provider_pk: int, fmt: str
) -> HttpResponseBase:
    user, period, provider = _found(request, pk, provider_pk)
    rows = _filters(request, user, period, provider).qs
    services.actuals_reviewed(
        by=user, period=period, provider=provider, rows=rows.count(), fmt=fmt, ip=_ip(request)
    )
    over_percent = period.council.rulebook.actuals_over_plan_percent
    cells = (_export_row(actual, over_percent) for actual in rows.iterator(chunk_size=500))
    name = f"actuals-{period.start_date.isoformat()}-provider-{provider.pk}.{fmt}"
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(
            table_csv(EXPORT_HEADERS, cells), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            table_xlsx(
                "Actuals",
                EXPORT_HEADERS,
                cells,
                widths=EXPORT_WIDTHS,
                money_columns=MONEY_COLUMNS,
            ),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
