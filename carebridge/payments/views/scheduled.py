"""The provider's scheduled payments (Stockport section 13): past and future payments of its
on-schedule care packages per billing period, filtered by financial year, contract and billing
period, each period Current or Finalised. Super User (Scheduled) and Read Only see it; Super User
(Actuals) does not (Norfolk section 2). Each view is audited, as its rows name clients."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.contracts.commitment import financial_year_label, financial_year_of
from carebridge.core.calendar import today
from carebridge.core.http import acting_user
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, require_function
from carebridge.organisations.focus import chosen_council_id, narrow
from carebridge.payments.filters_pay import ScheduledFilters
from carebridge.payments.selectors import scheduled as selectors
from carebridge.payments.services import provider_pay


@require_GET
def scheduled_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.SCHEDULED_PAYMENTS)
    if user.provider_id is None:
        # The council's side of scheduled payments is its payment runs.
        raise PermissionDenied
    years, contracts, periods = selectors.scheduled_choices(user)
    # A provider of several councils that chose one sees that council's payments only.
    lines = narrow(selectors.scheduled_lines(user), request, field="run__council")
    current = financial_year_of(today())
    # The billing periods offered are the chosen year's: read the year first, then offer them.
    year_only = ScheduledFilters(
        {"year": request.GET.get("year", "")},
        lines,
        years=years,
        current=current,
        contracts=contracts,
        periods=[],
    ).chosen_year()
    filters = ScheduledFilters(
        request.GET,
        lines,
        years=years,
        current=current,
        contracts=contracts,
        periods=periods.get(year_only, []),
    )
    chosen = filters.chosen()
    year = filters.chosen_year()
    page = selectors.scheduled_payments(
        user,
        filters.qs,
        year=year,
        contract_id=chosen["contract"],
        period=chosen["period"] or None,
        council_id=chosen_council_id(request),
    )
    # A county's provider has thousands of rows a year: a page of them at a time, under their
    # periods' headings and totals.
    shown = page_of(request, page.client_rows, per_page=LONG_PAGE_SIZE)
    sections = selectors.period_sections(shown.object_list)
    provider_pay.scheduled_payments_viewed(
        by=user, rows=selectors.shown_counts(sections), ip=request.META.get("REMOTE_ADDR")
    )
    return render(
        request,
        "payments/scheduled/list.html",
        {
            "page": page,
            "rows_page": shown,
            "sections": sections,
            "filters": filters.form,
            "chosen": {**chosen, "year": year},
            "year_label": financial_year_label(year),
        },
    )
