"""The reports page, each report's page (its filters, chart, table and totals) and its
downloads. Every report uses these views; what differs lives in its catalogue module."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import overload

from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebridge.accounts.models import User
from carebridge.core.formats import guide_datetime
from carebridge.core.http import acting_user
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.organisations.focus import chosen_council_id, focus_of
from carebridge.reports import render as formats
from carebridge.reports import services
from carebridge.reports.base import REGISTRY, Paged, Report, Row, Table, Totals, reports_for
from carebridge.reports.cld import views as cld_views
from carebridge.reports.filters import start_at_council

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _report(request: HttpRequest, slug: str) -> tuple[User, Report]:
    user = acting_user(request)
    report = REGISTRY.get(slug)
    if report is None:
        raise Http404("No such report")
    if not report.may_use(user):
        raise PermissionDenied
    return user, report


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    reports = reports_for(user)
    client_level_data = cld_views.may_use(user)
    if not reports and not client_level_data:
        raise PermissionDenied
    groups: dict[str, list[Report]] = {}
    for report in reports:
        groups.setdefault(report.group, []).append(report)
    return render(
        request,
        "reports/index.html",
        {"groups": groups, "client_level_data": client_level_data},
    )


@require_GET
def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    user, report = _report(request, slug)
    form = report.form(_filter_data(request), user=user)
    start_at_council(form, chosen_council_id(request))
    values = form.values()
    context: dict[str, object] = {"report": report, "form": form, "query": _query(request)}
    if values is not None:
        table = report.build(user, values)
        totals = Totals(table)
        if table.paged is not None and report.chart is None:
            # Counted and totalled by the database; only the page's rows are built.
            totals.take(table.paged.tally())
            rows: Sequence[Row] = _Window(table.paged, totals.row_count)
        else:
            rows = list(totals.through(table.rows))
        listed = replace(table, rows=rows)
        page = page_of(request, rows, per_page=LONG_PAGE_SIZE)
        shown_rows = formats.page_rows(table.columns, list(page.object_list))
        shown_totals = _shown_totals(listed, totals)
        services.report_read(
            by=user, slug=slug, fmt="page", rows=totals.rows_by_council, ip=_ip(request)
        )
        context.update(
            table=listed,
            page=page,
            rows=shown_rows,
            totals=shown_totals,
            table_html=formats.table_html(report.title, table.columns, shown_rows, shown_totals),
            row_count=totals.row_count,
            chart=report.chart(listed) if report.chart and rows else None,
        )
    return render(request, "reports/report.html", context)


class _Window(Sequence[Row]):
    """A paged report's rows as the paginator reads them: their count, and a slice built on
    demand (the page's rows only)."""

    def __init__(self, paged: Paged, count: int) -> None:
        self.paged = paged
        self.length = count

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, int):
            return self.paged.rows_between(index, index + 1)[0]
        start, stop, _step = index.indices(self.length)
        return self.paged.rows_between(start, stop) if start < stop else []


def _filter_data(request: HttpRequest) -> QueryDict | None:
    """The filters of the query string; None (the report's defaults) when it has none but the
    page number, as the "Next" link of a first visit sends: a form bound to nothing would lose
    its defaults (a required date missing, an initial value gone) on page 2."""
    query = request.GET.copy()
    query.pop("page", None)
    return query or None


def _shown_totals(table: Table, totals: Totals) -> list[tuple[str, bool]] | None:
    cells = totals.cells()
    if cells is None:
        return None
    return [(formats.shown(c, v), c.numeric) for c, v in zip(table.columns, cells, strict=True)]


def _query(request: HttpRequest) -> str:
    """The filters' query string, for the download links (without the page number)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _about(
    user: User, form: object, values: dict[str, object], table: Table
) -> list[tuple[str, str]]:
    organisation = user.council or user.provider
    about: list[tuple[str, str]] = [
        ("Made", guide_datetime(timezone.now())),
        ("For", str(organisation.name) if organisation else ""),
    ]
    about += [
        (f"Rules: {i + 1}" if len(table.notes) > 1 else "Rules", n)
        for i, n in enumerate(table.notes)
    ]
    about += form.described(values)  # type: ignore[attr-defined]
    return about


def _file_name(slug: str, fmt: str, council: str = "") -> str:
    """The report's file name; a report of one of a provider's councils names that council."""
    name = "-".join(part for part in (slug, council) if part)
    return f"{re.sub(r'[^a-z0-9-]+', '-', name)}-{timezone.localdate():%Y-%m-%d}.{fmt}"


@require_GET
def download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    user, report = _report(request, slug)
    if fmt not in CONTENT_TYPES:
        raise Http404("No such format")
    form = report.form(request.GET or None, user=user)
    start_at_council(form, chosen_council_id(request))
    values = form.values()
    if values is None:
        errors: Sequence[str] = [
            f"{field}: {' '.join(str(m) for m in e)}" for field, e in form.errors.items()
        ]
        return HttpResponseBadRequest(
            "\n".join(["These filters cannot be used:", *errors]),
            content_type="text/plain; charset=utf-8",
        )
    table = report.build(user, values)
    totals = Totals(table)
    about = _about(user, form, values, table)
    ip = _ip(request)
    response: HttpResponse | StreamingHttpResponse | FileResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            _audited(formats.csv_lines(table, totals), user, slug, totals, ip),
            content_type=CONTENT_TYPES[fmt],
        )
    elif fmt == "xlsx":
        workbook = formats.xlsx_file(report.title, table, totals, about)
        services.report_read(by=user, slug=slug, fmt=fmt, rows=totals.rows_by_council, ip=ip)
        response = FileResponse(workbook, content_type=CONTENT_TYPES[fmt])
    else:
        content = formats.pdf_bytes(report.title, table, totals, about)
        services.report_read(by=user, slug=slug, fmt=fmt, rows=totals.rows_by_council, ip=ip)
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = _file_name(slug, fmt, _council_slug(request, values.get("council")))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _council_slug(request: HttpRequest, council_id: object) -> str:
    """The slug of the one council a provider's report is of (its Council filter), if any."""
    if getattr(request.user, "provider_id", None) is None or council_id is None:
        return ""
    return next((c.slug for c in focus_of(request).councils if c.pk == council_id), "")


def _audited(
    lines: Iterator[str], user: User, slug: str, totals: Totals, ip: str | None
) -> Iterator[str]:
    """The CSV's lines, with the download audited once they have gone (how many rows of each
    council's work went is known only then); a download cut short is audited for what went."""
    try:
        yield from lines
    finally:
        services.report_read(by=user, slug=slug, fmt="csv", rows=totals.rows_by_council, ip=ip)
