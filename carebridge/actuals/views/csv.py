"""Exporting and importing actuals as a CSV file, for providers: the file itself is read and
written by csvio; these pages choose the weeks, take the upload and show what happened."""

from __future__ import annotations

from itertools import chain
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.actuals import csvio
from carebridge.actuals.access import require_actuals_offered
from carebridge.actuals.csvio.reading import NOT_CSV
from carebridge.audit.services import record
from carebridge.core import uploads
from carebridge.core.forms import GovForm
from carebridge.core.http import acting_user
from carebridge.core.permissions import Function, require_function
from carebridge.organisations.focus import chosen_council_id
from carebridge.organisations.models import Service

# More than this many problems are summed up in one line: a page of 50,000 would help nobody.
PROBLEMS_SHOWN = 200


def _provider_user(request: HttpRequest, *, edit: bool) -> User:
    """The acting user, if a provider's staff member who may use actuals: a council's staff
    change their providers' actuals on no page of this kind."""
    user = acting_user(request)
    if user.provider_id is None:
        raise PermissionDenied
    require_function(user, Function.ACTUALS, edit=edit)
    require_actuals_offered(user, chosen_council_id(request))
    return user


class ExportForm(GovForm):
    period = forms.ChoiceField(
        label="Period",
        error_messages={
            "required": "Choose the period to export",
            "invalid_choice": "Choose one of the periods listed",
        },
    )
    service = forms.TypedChoiceField(
        label="Service",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of your services"},
    )

    def __init__(
        self, data: Any, *, periods: list[csvio.ExportPeriod], services: list[tuple[int, str]]
    ) -> None:
        super().__init__(data)
        self.periods = {period.value: period for period in periods}
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)
        period.choices = [(p.value, p.label) for p in periods]
        service = self.fields["service"]
        assert isinstance(service, forms.ChoiceField)
        service.choices = [("", "All services"), *services]

    def chosen_period(self) -> csvio.ExportPeriod:
        return self.periods[self.cleaned_data["period"]]


@require_GET
def bulk_export(request: HttpRequest) -> HttpResponseBase:
    user = _provider_user(request, edit=False)
    assert user.provider_id is not None
    periods = csvio.export_periods(user)
    services = list(Service.objects.filter(provider_id=user.provider_id).values_list("pk", "name"))
    form = ExportForm(
        request.GET if "period" in request.GET else None, periods=periods, services=services
    )
    if not form.is_bound or not form.is_valid():
        return render(
            request, "actuals/bulk_export.html", {"form": form, "has_periods": bool(periods)}
        )
    period = form.chosen_period()
    service_id = form.cleaned_data["service"]
    record(
        action="actuals.exported",
        by=user,
        council=period.council_id,
        provider=user.provider_id,
        detail={
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "service": service_id,
            # A download names many clients: one event with how many, not one per row.
            "clients": csvio.export_client_count(
                user,
                council_id=period.council_id,
                start=period.start,
                end=period.end,
                service_id=service_id,
            ),
        },
        ip_address=request.META.get("REMOTE_ADDR"),
    )
    response = StreamingHttpResponse(
        # The byte order mark tells Excel the file is UTF-8: without it Excel reads it as
        # Windows-1252, garbles every en dash and accented letter, and saves them back garbled.
        chain(
            [csvio.BYTE_ORDER_MARK],
            csvio.export_csv(
                user,
                council_id=period.council_id,
                start=period.start,
                end=period.end,
                service_id=service_id,
            ),
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{period.file_name}"'
    return response


class ImportForm(GovForm):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="A file of exported actuals with your changes, saved as CSV (UTF-8)",
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV file",
        },
    )

    field_order = ["council", "file"]
    council = forms.TypedChoiceField(
        label="Council",
        help_text="The council whose actuals the file holds: its rows are matched to that "
        "council's care package line items only",
        coerce=int,
        error_messages={
            "required": "Choose the council whose actuals the file holds",
            "invalid_choice": "Choose one of the councils listed",
        },
    )

    def __init__(self, *args: Any, councils: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        council = self.fields["council"]
        assert isinstance(council, forms.ChoiceField)
        if len(councils) > 1:
            council.choices = [("", "Choose a council"), *councils]
        else:
            # One council: nothing to choose, and every row is that council's.
            del self.fields["council"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Checked before a byte of it is read: a bigger file is refused, not parsed.
        if upload.size > csvio.MAX_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 10 MB")
        try:
            uploads.check(upload, accept=uploads.CSV_FILE, limit=csvio.MAX_BYTES)
        except forms.ValidationError as error:
            # Not text at all: say how to save it as CSV, as the file's reading does.
            if error.code == "file_content":
                raise forms.ValidationError(NOT_CSV) from None
            raise
        return upload


@require_http_methods(["GET", "POST"])
def bulk_import(request: HttpRequest) -> HttpResponse:
    user = _provider_user(request, edit=True)
    problems: list[str] = []
    councils = csvio.councils_of(user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, councils=councils)
        if form.is_valid():
            try:
                saved = csvio.import_bytes(
                    user,
                    form.cleaned_data["file"].read(),
                    council_id=form.cleaned_data.get("council"),
                )
            except csvio.CsvImportFailed as failed:
                file_wide = [p.message for p in failed.problems if p.row == 0]
                problems = [str(p) for p in failed.problems if p.row != 0]
                for message in file_wide:
                    form.add_error("file", message)
                if problems:
                    form.add_error(
                        "file",
                        f"The file has {_count(len(problems), 'problem')}: nothing has been "
                        "saved. Correct the file and import it again",
                    )
            else:
                return render(request, "actuals/bulk_import_done.html", {"saved": saved})
    else:
        form = ImportForm(councils=councils)
    context = {
        "form": form,
        "problems": problems[:PROBLEMS_SHOWN],
        "more": max(len(problems) - PROBLEMS_SHOWN, 0),
        "max_rows": f"{csvio.MAX_ROWS:,}",
        "columns": csvio.REASON_COLUMNS,
        "basic_count": len(csvio.BASIC_COLUMNS),
    }
    return render(request, "actuals/bulk_import.html", context)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
