"""The provider API for actuals, for a provider's rostering or call-monitoring system: a week's
rows at one council (planned and posted), and a week's actuals posted as JSON or as the council's
CSV layout, each file under its own reference. Every call acts as the key's maker through the
pages' services (`actuals_save`, the week page's; `csvio.import_bytes`, the upload page's), with
their rules and row problems; a file is saved whole or not at all, with its reference, in one
transaction (`services.files`): a reference sent again is 409 with when it was received."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from carebridge.accounts.models import User
from carebridge.actuals import csvio, selectors, services
from carebridge.actuals.access import require_actuals_offered
from carebridge.actuals.csvio.layout import QUANTITY_LIMIT
from carebridge.actuals.models import ASSESSED, Actual, Period
from carebridge.actuals.periods import WEEK, RuleSource, planned_for, week_of
from carebridge.actuals.rules import ENTERED, Entry
from carebridge.actuals.services import files
from carebridge.audit.services import record_listed
from carebridge.contracts.models import Cpli
from carebridge.core.bounds import LARGEST_ID
from carebridge.core.formats import round_money
from carebridge.core.permissions import Function, require_function
from carebridge.integrations.api import (
    PAGE_ERRORS,
    PROVIDER_ERRORS,
    BoundedDateField,
    ClientOutput,
    Conflict,
    CouncilOutput,
    ErrorOutput,
    LondonDateTimeField,
    ProviderApiView,
    ProviderPagination,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
    caller_label,
    council_of_provider,
    ip_of,
    provider_of,
)
from carebridge.organisations.choices import FrustratedReason, MissedReason
from carebridge.organisations.models import Council

PAGE_SIZE = 100
TAG_ACTUALS = "provider: actuals"

# --- Reading a week ----------------------------------------------------------------------------


class WeekQuery(StrictSerializer):
    council = StrictCharField(max_length=50, help_text="The council's slug.")
    week = BoundedDateField(
        help_text="Any day of the week wanted (YYYY-MM-DD): the rows are the council's week "
        "holding it, starting on the council's own week start day."
    )
    page = serializers.IntegerField(required=False, min_value=1, help_text="Page, from 1.")


class PeriodOutput(serializers.ModelSerializer):
    kind = serializers.CharField(
        source="council.rulebook.actuals_period", help_text='"weekly" or "four_weekly".'
    )
    payment_processed = serializers.BooleanField(source="is_paid")

    class Meta:
        model = Period
        fields = ["start_date", "end_date", "kind", "payment_processed"]
        read_only_fields = fields


class ActualOutput(serializers.ModelSerializer):
    """What was posted for the line's week, with its cost and exceptions as the rules found."""

    aborted_visit_dates = serializers.ListField(child=serializers.DateField())
    changed_at = LondonDateTimeField()

    class Meta:
        model = Actual
        fields = [*ENTERED, *ASSESSED, "changed_at"]
        read_only_fields = fields


class WeekRowOutput(serializers.Serializer):
    cpli = serializers.IntegerField(source="cpli.pk")
    care_package_reference = serializers.CharField(source="cpli.care_package_reference")
    service = serializers.CharField(source="cpli.service.name")
    service_level = serializers.CharField(source="cpli.service_level.name")
    client = ClientOutput(source="cpli.service_user")
    unit = serializers.CharField(source="cpli.unit")
    rate = serializers.DecimalField(source="cpli.rate", max_digits=9, decimal_places=2)
    planned = serializers.DecimalField(max_digits=7, decimal_places=2)
    planned_visits = serializers.IntegerField()
    planned_cost = serializers.DecimalField(max_digits=10, decimal_places=2)
    posted = ActualOutput(
        source="actual", allow_null=True, help_text="Null until actuals are posted for the week."
    )


class WeekOutput(serializers.Serializer):
    council = CouncilOutput()
    week = serializers.DateField(help_text="The week's first day.")
    week_end = serializers.DateField()
    period = PeriodOutput(allow_null=True, help_text="Null until the period is opened.")
    changes_refused = serializers.CharField(
        help_text="Why the week's actuals cannot change now (in progress, period not opened, "
        "payment processed), as the week page says it; empty when they can."
    )
    count = serializers.IntegerField(help_text="The week's lines, on every page.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WeekRowOutput(many=True)


@dataclass
class WeekRow:
    cpli: Cpli
    actual: Actual | None
    planned: Decimal
    planned_visits: int
    planned_cost: Decimal


def week_lines(user: User, council: Council, week: date) -> QuerySet[Cpli]:
    """The provider's lines at the council running in the week, by client, as the week page
    orders its clients."""
    return (
        Cpli.objects.filter(provider_id=provider_of(user), council=council)
        .filter(services.running_in(week, week + WEEK - timedelta(days=1)))
        .select_related("service", "service_level", "service_user")
        .order_by(
            "service_user__last_name",
            "service_user__first_name",
            "service_user_id",
            "service__name",
            "service_level__name",
            "pk",
        )
    )


def week_rows(user: User, council: Council, week: date, lines: list[Cpli]) -> list[WeekRow]:
    """Each line's row for the week: what was posted, else the plan, as the week page shows it
    (a posted row keeps the plan it was saved against)."""
    posted = {
        a.cpli_id: a
        for a in selectors.actuals_visible_to(user).filter(
            cpli_id__in=[line.pk for line in lines], week_start=week
        )
    }
    source = RuleSource.load({council.pk})
    rows = []
    for line in lines:
        actual = posted.get(line.pk)
        planned, visits = planned_for(line, week, source.rules(line, week).step)
        if actual is not None:
            planned = actual.planned
        rows.append(WeekRow(line, actual, planned, visits, round_money(planned * line.rate)))
    return rows


# --- Posting a week -----------------------------------------------------------------------------


class QuantityField(serializers.DecimalField):
    """A quantity given as a JSON number: "3.5" and true are refused."""

    default_error_messages = {"invalid": "Give a number, like 3.25, not in quotes."}

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        value: Decimal = super().to_internal_value(data)
        return value


def _quantity_field(label: str, *, required: bool = False) -> QuantityField:
    extra: dict[str, Any] = {} if required else {"default": Decimal("0")}
    return QuantityField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=QUANTITY_LIMIT - Decimal("0.01"),
        required=required,
        help_text=f"{label}: a JSON number, at most 2 decimal places.",
        **extra,
    )


class RowInput(StrictSerializer):
    """One CPLI's week, with what the week page's row takes."""

    cpli = StrictIntegerField(min_value=1, max_value=LARGEST_ID, help_text="The CPLI's id.")
    week = BoundedDateField(
        help_text="The week's first day, YYYY-MM-DD, on the council's week start day."
    )
    actual = _quantity_field("Actual: what was delivered", required=True)
    frustrated = _quantity_field("Frstd")
    frustrated_reason = serializers.ChoiceField(
        choices=FrustratedReason.choices, required=False, allow_blank=True, default=""
    )
    aborted_visit_dates = serializers.ListField(
        child=BoundedDateField(),
        required=False,
        default=list,
        max_length=31,
        help_text="For an aborted visit: the days of the visits a frustrated quantity pays for.",
    )
    missed = _quantity_field("Msd")
    missed_reason = serializers.ChoiceField(
        choices=MissedReason.choices, required=False, allow_blank=True, default=""
    )
    extra = _quantity_field("Xtr")
    variation_code = StrictCharField(
        max_length=30, required=False, allow_blank=True, default="", help_text="Needed for Xtr."
    )
    visits = StrictIntegerField(min_value=0, max_value=9999, required=False, default=0)
    comments = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class ActualsPostInput(StrictSerializer):
    council = StrictCharField(max_length=50, help_text="The council's slug.")
    reference = StrictCharField(
        max_length=100,
        help_text="The file's own reference, unique among the files you send the council: a "
        "reference sent before is refused (409), so a retry is never counted twice.",
    )
    rows = RowInput(many=True, allow_empty=False, max_length=csvio.MAX_ROWS)


class FileOutput(serializers.Serializer):
    reference = serializers.CharField()
    format = serializers.CharField(help_text='"json" or "csv".')
    received_at = LondonDateTimeField()
    rows = serializers.IntegerField()


class SavedOutput(serializers.Serializer):
    file = FileOutput()
    council = CouncilOutput()
    read = serializers.IntegerField(help_text="The rows the file held.")
    changed = serializers.IntegerField(help_text="The rows added or changed.")
    unchanged = serializers.IntegerField(help_text="The rows the same as already saved.")


def _row_errors(errors: Any) -> Any:
    """DRF's list of each row's errors ({} for a good row) as {index: errors} of the rows in
    error, the shape the save's own errors take."""
    if isinstance(errors, list) and all(isinstance(each, dict) for each in errors):
        return {str(i): each for i, each in enumerate(errors) if each}
    return errors


def _entry(row: dict[str, Any]) -> Entry:
    values = {name: row[name] for name in ENTERED}
    values["aborted_visit_dates"] = tuple(sorted(set(row["aborted_visit_dates"])))
    return Entry(**values)


def _save_rows(user: User, council: Council, rows: list[dict[str, Any]]) -> services.Saved:
    """Check every row, then save them all through the week page's service, or none: a line of
    another council (or none of the provider's) is an error of its row, with the rules' errors
    of the others, all at once."""
    items = [services.Item(row["cpli"], row["week"], _entry(row), i) for i, row in enumerate(rows)]
    # Every line of the provider at the council, not a filter on the file's ids: a file of
    # 50,000 rows would pass more parameters than SQLite takes.
    here = set(
        Cpli.objects.filter(provider_id=provider_of(user), council=council).values_list(
            "pk", flat=True
        )
    )
    errors: dict[str, dict[str, list[str]]] = {
        str(item.ref): {
            "cpli": [f"There is no such care package line item of yours at {council.name}"]
        }
        for item in items
        if item.cpli_id not in here
    }
    kept = [item for item in items if item.cpli_id in here]
    try:
        saved = services.actuals_save(user, kept, source="api", dry_run=bool(errors))
    except services.ActualsInvalid as invalid:
        for ref, fields in invalid.errors.items():
            errors[str(ref)] = {name: [message] for name, message in fields.items()}
    if errors:
        ordered = dict(sorted(errors.items(), key=lambda pair: int(pair[0])))
        raise serializers.ValidationError({"rows": ordered})
    return saved


def saved_as_file(
    request: Request, council: Council, reference: str, fmt: str, save: Callable[[], Any]
) -> Response:
    """Save a file's rows (`save`) and keep its reference, in one transaction: a reference
    used before is 409 before anything is read, and a file sent twice at once is 409 for the
    later one, whose rows are rolled back with it."""
    user = ProviderApiView.acting_user(request)
    with transaction.atomic():
        repeated = files.actuals_file_repeated(provider_of(user), council.pk, reference)
        if repeated is not None:
            raise Conflict(repeated.message)
        try:
            saved: services.Saved = save()
            kept = files.actuals_file_record(
                user=user,
                council_id=council.pk,
                reference=reference,
                format=fmt,
                rows=saved.read,
                by_label=caller_label(request),
            )
        except (files.ActualsFileRepeated, services.ActualsRefused) as refused:
            raise Conflict(refused.message) from refused
    body = SavedOutput({"file": kept, "council": council, **asdict(saved)}).data
    return Response(body, status=status.HTTP_201_CREATED)


SAVE_RESPONSES = {
    201: SavedOutput,
    409: OpenApiResponse(
        ErrorOutput,
        description="The reference was used before (the message says when it was received), "
        "or someone saved the same rows at the same moment. Nothing was saved.",
    ),
    **PROVIDER_ERRORS,
}


class ActualsWeek(ProviderApiView):
    @extend_schema(
        operation_id="provider_actuals_week",
        summary="A week's rows at one council: each line's plan and what was posted",
        description=(
            "The provider's lines at the council running in the week, by client, as the "
            "actuals week page shows them: the plan (quantity, visits, cost) and, once posted, "
            "the actuals with their cost and exceptions. The week is the council's own (its "
            "week start day), in the council's own period (weekly or 4-weekly)."
        ),
        parameters=[WeekQuery],
        responses={
            200: WeekOutput,
            400: OpenApiResponse(ErrorOutput, description="A bad council or week."),
            **PAGE_ERRORS,
        },
        tags=[TAG_ACTUALS],
    )
    def get(self, request: Request) -> Response:
        user = self.acting_user(request)
        require_function(user, Function.ACTUALS)
        require_actuals_offered(user)
        query = WeekQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        council = council_of_provider(user, query.validated_data["council"])
        week = week_of(query.validated_data["week"], council.rulebook.actuals_week_start)
        paginator = ProviderPagination()
        page = paginator.paginate_queryset(week_lines(user, council, week), request, view=self)
        lines = list(page or [])
        rows = week_rows(user, council, week, lines)
        record_listed(
            action="actuals.listed",
            by=user,
            counts={council.pk: len(rows)},
            detail={"via": caller_label(request), "week": week.isoformat()},
            ip_address=ip_of(request),
        )
        period = (
            Period.objects.filter(council=council, start_date__lte=week, end_date__gte=week)
            .select_related("council__rulebook")
            .first()
        )
        response = paginator.get_paginated_response(WeekRowOutput(rows, many=True).data)
        head = {
            "council": CouncilOutput(council).data,
            "week": week.isoformat(),
            "week_end": (week + WEEK - timedelta(days=1)).isoformat(),
            "period": PeriodOutput(period).data if period is not None else None,
            "changes_refused": selectors.week_refusal(period, week),
        }
        response.data = {**head, **response.data}
        return response

    @extend_schema(
        operation_id="provider_actuals_post",
        summary="Post a file of actuals as JSON",
        description=(
            "Saves the rows through the same service as the actuals week page, with the same "
            "rules (the council's rulebook, reasons, variation codes, short breaks' nights, a "
            "paid period refused). Every row is checked first: with any row in error nothing "
            "is saved, and 400 gives each row's errors under `rows`, by its index in the list. "
            "The file's reference is kept with the rows in one transaction."
        ),
        request=ActualsPostInput,
        responses={
            **SAVE_RESPONSES,
            400: OpenApiResponse(
                ErrorOutput, description="Unknown or missing fields, or rows in error."
            ),
            415: OpenApiResponse(ErrorOutput, description="The body is not sent as JSON."),
        },
        tags=[TAG_ACTUALS],
    )
    def post(self, request: Request) -> Response:
        user = self.acting_user(request)
        require_function(user, Function.ACTUALS, edit=True)
        require_actuals_offered(user)
        given = ActualsPostInput(data=request.data)
        if not given.is_valid():
            errors = dict(given.errors)
            if "rows" in errors:
                errors["rows"] = _row_errors(errors["rows"])
            raise serializers.ValidationError(errors)
        data = given.validated_data
        council = council_of_provider(user, data["council"])
        return saved_as_file(
            request,
            council,
            data["reference"],
            "json",
            lambda: _save_rows(user, council, data["rows"]),
        )


# --- Posting a CSV file --------------------------------------------------------------------------


class CsvParser(BaseParser):
    """The body as it is, up to the upload page's limit."""

    media_type = "text/csv"

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> bytes:
        if stream is None:
            return b""
        data: bytes = stream.read(csvio.MAX_BYTES + 1)
        if len(data) > csvio.MAX_BYTES:
            raise serializers.ValidationError({"file": ["The file must be smaller than 10 MB."]})
        return data


class CsvNeeded(exceptions.APIException):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_detail = "Send the file as the body, with Content-Type: text/csv."


class CsvQuery(StrictSerializer):
    reference = StrictCharField(
        max_length=100,
        help_text="The file's own reference, unique among the files you send the council.",
    )
    council = StrictCharField(
        max_length=50,
        required=False,
        help_text="The council's slug: needed when you hold contracts with several councils "
        "(a file's rows are matched to one council's lines only).",
    )


def _csv_council(user: User, slug: str | None) -> Council:
    if slug:
        return council_of_provider(user, slug)
    councils = csvio.councils_of(user)
    if len(councils) != 1:
        raise serializers.ValidationError(
            {"council": ["Give the slug of the council whose actuals the file holds."]}
        )
    return Council.objects.select_related("rulebook").get(pk=councils[0][0])


def _csv_problems(failed: csvio.CsvImportFailed) -> dict[str, Any]:
    """The upload page's problems: the file's own under `file`, each row's under `rows` by its
    row number in a spreadsheet (the header is row 1)."""
    rows: dict[str, list[str]] = {}
    for problem in failed.problems:
        if problem.row:
            rows.setdefault(str(problem.row), []).append(str(problem))
    whole = [problem.message for problem in failed.problems if problem.row == 0]
    return {name: found for name, found in (("file", whole), ("rows", rows)) if found}


class ActualsCsv(ProviderApiView):
    parser_classes = [CsvParser]

    @extend_schema(
        operation_id="provider_actuals_csv",
        summary="Post a file of actuals in the council's CSV layout",
        description=(
            "The same file, rules and problems as the actuals upload page (the Bradford "
            "guide's columns, with or without the reason columns). Every row is read and "
            "checked first: with any problem nothing is saved, and 400 gives the file's "
            "problems under `file` and each row's under `rows`, by spreadsheet row number. "
            "The file's reference is kept with the rows in one transaction."
        ),
        parameters=[CsvQuery],
        request={"text/csv": OpenApiTypes.BINARY},
        responses={
            **SAVE_RESPONSES,
            400: OpenApiResponse(ErrorOutput, description="A bad query, or the file's problems."),
            415: OpenApiResponse(ErrorOutput, description="The body is not sent as text/csv."),
        },
        tags=[TAG_ACTUALS],
    )
    def post(self, request: Request) -> Response:
        user = self.acting_user(request)
        require_function(user, Function.ACTUALS, edit=True)
        require_actuals_offered(user)
        if request.content_type.split(";")[0].strip().lower() != CsvParser.media_type:
            raise CsvNeeded()
        query = CsvQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        reference = query.validated_data["reference"]
        council = _csv_council(user, query.validated_data.get("council"))
        body = request.data
        if not body:
            raise serializers.ValidationError({"file": ["The file is empty."]})

        def save() -> services.Saved:
            try:
                return csvio.import_bytes(user, body, council_id=council.pk)
            except csvio.CsvImportFailed as failed:
                raise serializers.ValidationError(_csv_problems(failed)) from failed

        return saved_as_file(request, council, reference, "csv", save)
