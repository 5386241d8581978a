"""The Client Level Data return's page: the quarter, the validation report (each failing record
and field, with a link to where it is put right) and the download, offered only when nothing
fails, or explicitly with the failures in a second file. Every view and download is audited
(`reports.services.report_read`, slug "client-level-data")."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from carebridge.accounts.models import User
from carebridge.contracts.exports import neutralise
from carebridge.core.http import acting_user
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, can_edit, can_view
from carebridge.reports import services as audit
from carebridge.reports.cld import services
from carebridge.reports.cld.fields import FIELDS
from carebridge.reports.cld.forms import LaCodeForm, QuarterForm
from carebridge.reports.cld.records import Period, Record, return_records
from carebridge.reports.cld.validation import Failure, validate

SLUG = "client-level-data"
TITLE = "Client Level Data return"
FAILURE_HEADINGS = ("Event_Reference", "SS Ref", "Field", "Problem")


def may_use(user: User) -> bool:
    """Council staff whose role reads reports (brokers, payments officers, administrators)."""
    return (
        user.council_id is not None
        and user.provider_id is None
        and can_view(user.role, Function.REPORTS)
    )


def _user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not may_use(user):
        raise PermissionDenied
    return user


def _council_id(user: User) -> int:
    if user.council_id is None:  # may_use lets no one else in
        raise PermissionDenied
    return user.council_id


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _fix_link(user: User, failure: Failure) -> tuple[str, str] | None:
    """Where the failing field is put right, as (address, words), for this reader."""
    record = failure.record
    if failure.field in {"Service_Type", "Service_Component", "Delivery_Mechanism"}:
        if record.service_level_id and can_edit(user.role, Function.ORGANISATION_DETAILS):
            return reverse("contracts:service_level_edit", args=[record.service_level_id]), (
                "Change the service level"
            )
        return None
    if failure.field == "LA_Code":
        return None
    if record.service_user_id is not None:
        if can_edit(user.role, Function.SERVICE_USERS):
            return reverse("people:cld_details", args=[record.service_user_id]), (
                "Change the person's details"
            )
        return reverse("people:service_user_detail", args=[record.service_user_id]), (
            "See the person"
        )
    if record.front_door_request_id is not None and can_view(user.role, Function.FRONT_DOOR):
        return reverse("frontdoor:request_detail", args=[record.front_door_request_id]), (
            "See the request"
        )
    return None


@require_GET
def cld_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = QuarterForm(request.GET or None)
    quarter_end = form.chosen()
    context: dict[str, object] = {"form": form, "title": TITLE}
    if can_edit(user.role, Function.ORGANISATION_DETAILS):
        council = user.council
        context["la_code_form"] = LaCodeForm(
            initial={"la_code": council.la_code if council else ""}
        )
    if quarter_end is not None:
        period = Period.ending(quarter_end)
        records = return_records(_council_id(user), period)
        failures = validate(records)
        audit.report_read(
            by=user, slug=SLUG, fmt="page", rows={_council_id(user): len(records)}, ip=_ip(request)
        )
        page = page_of(request, failures, per_page=LONG_PAGE_SIZE)
        context.update(
            period=period,
            record_count=len(records),
            failure_count=len(failures),
            failing_records=len({failure.reference for failure in failures}),
            page=page,
            failures=[(failure, _fix_link(user, failure)) for failure in page.object_list],
            quarter_end=quarter_end.isoformat(),
        )
    return render(request, "reports/cld/page.html", context)


def _csv(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return out.getvalue()


def return_csv(records: Sequence[Record]) -> str:
    """The return: the CLD field names as headings in DOMAIN.md's order, a row per event."""
    return _csv(FIELDS, ([record.values[name] for name in FIELDS] for record in records))


def failures_csv(failures: Sequence[Failure]) -> str:
    return _csv(
        FAILURE_HEADINGS,
        (
            (failure.reference, failure.person, failure.field, failure.message)
            for failure in failures
        ),
    )


@require_GET
def cld_download(request: HttpRequest) -> HttpResponse:
    """The return as CSV when nothing fails. With failures, only when asked for with their
    number (`with_failures=N`, so a reader cannot send a file they have not seen the failures
    of): a ZIP of the return and a second file listing the failures."""
    user = _user(request)
    form = QuarterForm(request.GET)
    quarter_end = form.chosen()
    if quarter_end is None:
        return HttpResponse(
            "Choose one of the quarters offered.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    period = Period.ending(quarter_end)
    records = return_records(_council_id(user), period)
    failures = validate(records)
    name = f"{SLUG}-{quarter_end:%Y-%m-%d}"
    if failures and request.GET.get("with_failures") != str(len(failures)):
        return HttpResponse(
            f"The return has {len(failures)} failures: put them right, or download it with "
            "the failures listed from the return's page.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    rows = {_council_id(user): len(records)}
    if not failures:
        audit.report_read(by=user, slug=SLUG, fmt="csv", rows=rows, ip=_ip(request))
        response = HttpResponse(
            "\ufeff" + return_csv(records), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.csv", "\ufeff" + return_csv(records))
        archive.writestr(f"{name}-failures.csv", "\ufeff" + failures_csv(failures))
    audit.report_read(by=user, slug=SLUG, fmt="zip", rows=rows, ip=_ip(request))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}-with-failures.zip"'
    return response


@require_POST
def cld_la_code(request: HttpRequest) -> HttpResponse:
    """The council's administrators set its LA code (`LA_Code` on every row)."""
    user = _user(request)
    if not can_edit(user.role, Function.ORGANISATION_DETAILS) or user.council is None:
        raise PermissionDenied
    form = LaCodeForm(request.POST)
    if form.is_valid():
        try:
            services.la_code_set(
                by=user, council=user.council, la_code=form.cleaned_data["la_code"]
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(request, "The LA code is saved.")
            return redirect("reports:cld")
    context = {"form": QuarterForm(), "title": TITLE, "la_code_form": form}
    return render(request, "reports/cld/page.html", context, status=400)
