"""The provider's remittance advice: the list of finalised runs that paid it (council, payment
date, run reference, Excl VAT, VAT, Total, and for self-billed periods how long payment took),
and one remittance's page per client and CPLI, as PDF and CSV too. A council's payments officer
opens any remittance of its own runs. Every view and download is audited."""

from __future__ import annotations

import re
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.accounts.models import User
from carebridge.core.http import acting_user
from carebridge.core.lists import page_of
from carebridge.organisations.focus import filter_data, names_a_stranger
from carebridge.payments.filters_pay import RemittanceFilters
from carebridge.payments.remittance_pdf import remittance_csv, remittance_pdf_bytes
from carebridge.payments.selectors import remittances as selectors
from carebridge.payments.services import provider_pay


def _reader(request: HttpRequest) -> User:
    user = acting_user(request)
    if not selectors.may_see_remittances(user):
        raise PermissionDenied
    return user


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@require_GET
def remittance_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if user.provider_id is None:
        # A council's runs have their own pages, each linking its providers' remittances.
        raise PermissionDenied
    councils, years = selectors.remittance_choices(user)
    # Its Council filter starts at the council a provider of several chose to look at.
    runs_ = selectors.remittance_runs(user)
    filters = RemittanceFilters(
        filter_data(request),
        runs_.none() if names_a_stranger(request) else runs_,
        councils=councils,
        years=years,
    )
    page = page_of(request, filters.qs)
    runs = list(page.object_list)
    provider_pay.remittances_listed(
        by=user, rows=Counter(run.council_id for run in runs), ip=_ip(request)
    )
    periods = selectors.self_billed_periods(user, runs)
    return render(
        request,
        "payments/remittances/list.html",
        {
            "page": page,
            "rows": [(run, periods.get(run.pk, [])) for run in runs],
            "filters": filters.form,
            "chosen": filters.chosen(),
            "provider_id": user.provider_id,
        },
    )


def _remittance(
    request: HttpRequest, pk: int, provider_pk: int
) -> tuple[User, selectors.Remittance]:
    user = _reader(request)
    remittance = selectors.remittance_of(user, pk, provider_pk)
    if remittance is None:
        raise Http404("No such remittance")
    return user, remittance


@require_GET
def remittance_detail(request: HttpRequest, pk: int, provider_pk: int) -> HttpResponse:
    user, remittance = _remittance(request, pk, provider_pk)
    provider_pay.remittance_viewed(
        by=user,
        run=remittance.run,
        provider_id=provider_pk,
        rows=len(remittance.lines),
        ip=_ip(request),
    )
    return render(
        request,
        "payments/remittances/detail.html",
        {
            "remittance": remittance,
            "run": remittance.run,
            "is_provider": user.provider_id is not None,
        },
    )


def _file_name(remittance: selectors.Remittance, extension: str) -> str:
    # A run's reference is the portal's own ("PR20261109"), kept to safe characters all the same.
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", remittance.run.reference).strip("-.")
    return f"remittance-{safe or remittance.run.pk}-{remittance.provider.pk}.{extension}"


def _downloaded(request: HttpRequest, pk: int, provider_pk: int, fmt: str) -> selectors.Remittance:
    user, remittance = _remittance(request, pk, provider_pk)
    provider_pay.remittance_viewed(
        by=user,
        run=remittance.run,
        provider_id=provider_pk,
        rows=len(remittance.lines),
        fmt=fmt,
        ip=_ip(request),
    )
    return remittance


@require_GET
def remittance_csv_download(
    request: HttpRequest, pk: int, provider_pk: int
) -> StreamingHttpResponse:
    remittance = _downloaded(request, pk, provider_pk, "csv")
    response = StreamingHttpResponse(
        remittance_csv(remittance), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(remittance, "csv")}"'
    return response


@require_GET
def remittance_pdf(request: HttpRequest, pk: int, provider_pk: int) -> HttpResponse:
    remittance = _downloaded(request, pk, provider_pk, "pdf")
    response = HttpResponse(remittance_pdf_bytes(remittance), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(remittance, "pdf")}"'
    return response
