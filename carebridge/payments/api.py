"""The provider API for what a provider's own systems read of its care packages and its money:
its CPLIs, the disputes of its actuals, its invoices with their totals, and what finalised payment
runs paid it (its remittances' lines). Each list is the provider's own at every council it works
for, each row naming its council, read through the selectors the pages use as the key's maker,
100 rows a page, and audited as the pages audit a list naming people (one event per council,
with how many rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from carebridge.accounts.models import User
from carebridge.actuals.services import running_in
from carebridge.audit.services import record_listed
from carebridge.contracts.choices import CpliStatus
from carebridge.contracts.models import Cpli
from carebridge.contracts.selectors import cplis_visible_to
from carebridge.core.permissions import Function, require_function
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.models import Dispute, DisputeRow
from carebridge.disputes.selectors import disputes_for
from carebridge.integrations.api import (
    PAGE_ERRORS,
    BoundedDateField,
    ClientOutput,
    CouncilOutput,
    ErrorOutput,
    LondonDateTimeField,
    ProviderApiView,
    ProviderPagination,
    StrictCharField,
    StrictSerializer,
    caller_label,
    council_of_provider,
    ip_of,
)
from carebridge.payments.choices import InvoiceStatus, LineSource
from carebridge.payments.models import Invoice, InvoiceLine, PaymentLine
from carebridge.payments.selectors import NO_TOTALS, invoices_for, totals_of
from carebridge.payments.selectors.remittances import may_see_remittances, remittance_lines

TAG_CARE = "provider: care packages"
TAG_MONEY = "provider: invoices and payments"
MONEY = {"max_digits": 12, "decimal_places": 2}


class ListQuery(StrictSerializer):
    """What every list takes: a council to narrow it to, and the page."""

    council = StrictCharField(
        max_length=50, required=False, help_text="Only this council's rows (its slug)."
    )
    page = serializers.IntegerField(required=False, min_value=1, help_text="Page, from 1.")


def _wanted(request: Request, query: type[ListQuery]) -> dict[str, Any]:
    given = query(data=request.query_params)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def _paged(
    view: ProviderApiView, request: Request, rows: QuerySet, wanted: dict[str, Any]
) -> tuple[ProviderPagination, list[Any]]:
    """The page of the rows, narrowed to the council asked for (one the provider works for)."""
    if wanted.get("council"):
        rows = rows.filter(
            council=council_of_provider(view.acting_user(request), wanted["council"])
        )
    paginator = ProviderPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator, list(page or [])


def _audit(request: Request, user: User, action: str, counts: Mapping[int, int]) -> None:
    """One event per council whose people the page names, with how many rows."""
    record_listed(
        action=action,
        by=user,
        counts=counts,
        detail={"via": caller_label(request)},
        ip_address=ip_of(request),
    )


def state_of(choices: list[tuple[str, str]], what: str) -> serializers.CharField:
    """A state as text, its values listed in words: a "status" or "source" enum of its own would
    collide in the description with the referrals API's (the same name, other values)."""
    values = ", ".join(f"`{value}`" for value, _label in choices)
    return serializers.CharField(help_text=f"{what}: one of {values}.")


class PageOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="The rows on every page.")
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last.")
    previous = serializers.URLField(allow_null=True)


# --- CPLIs ---------------------------------------------------------------------------------------


class CpliQuery(ListQuery):
    active_on = BoundedDateField(
        required=False,
        help_text="Only lines running on this day (YYYY-MM-DD): active or ended, started by "
        "then and not ended before.",
    )


class ServiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CpliOutput(serializers.ModelSerializer):
    council = CouncilOutput()
    client = ClientOutput(source="service_user")
    service = ServiceOutput()
    service_level = serializers.CharField(source="service_level.name")
    status = state_of(CpliStatus.choices, "Where the line stands")

    class Meta:
        model = Cpli
        fields = [
            "id",
            "council",
            "client",
            "service",
            "service_level",
            "care_package_reference",
            "unit",
            "rate",
            "quantity",
            "visits",
            "yearly_allocation",
            "pricing_basis",
            "start_date",
            "end_date",
            "status",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "quantity": {"help_text": "The planned quantity a week (0 for a short break)."},
            "visits": {"help_text": "The planned visits a week."},
            "yearly_allocation": {"help_text": "A short break's nights a financial year."},
        }


class CpliPage(PageOutput):
    results = CpliOutput(many=True)


class CpliList(ProviderApiView):
    @extend_schema(
        operation_id="provider_cplis",
        summary="The provider's care package line items, at every council",
        description=(
            "Each line's council, client (SS Ref and name), service, service level, unit, "
            "rate, planned quantities and dates, by council and client. The `id` is what "
            "actuals rows name as `cpli`."
        ),
        parameters=[CpliQuery],
        responses={
            200: CpliPage,
            400: OpenApiResponse(ErrorOutput, description="A bad council or date."),
            **PAGE_ERRORS,
        },
        tags=[TAG_CARE],
    )
    def get(self, request: Request) -> Response:
        user = self.acting_user(request)
        require_function(user, Function.CPLIS)
        wanted = _wanted(request, CpliQuery)
        lines = cplis_visible_to(user).select_related(
            "council", "service_user", "service", "service_level"
        )
        if "active_on" in wanted:
            lines = lines.filter(running_in(wanted["active_on"], wanted["active_on"]))
        lines = lines.order_by(
            "council__name",
            "service_user__last_name",
            "service_user__first_name",
            "service_user_id",
            "start_date",
            "pk",
        )
        paginator, page = _paged(self, request, lines, wanted)
        _audit(request, user, "cplis.listed", Counter(line.council_id for line in page))
        return paginator.get_paginated_response(CpliOutput(page, many=True).data)


# --- Disputes ------------------------------------------------------------------------------------


class DisputeQuery(ListQuery):
    status = serializers.ChoiceField(
        choices=DisputeStatus.choices, required=False, help_text="Only disputes in this state."
    )


class DisputeRowOutput(serializers.Serializer):
    actual = serializers.IntegerField(source="actual.pk", help_text="The disputed actual row.")
    cpli = serializers.IntegerField(source="actual.cpli_id")
    client = ClientOutput(source="actual.service_user")
    week_start = serializers.DateField(source="actual.week_start")
    actual_quantity = serializers.DecimalField(
        source="actual.actual", max_digits=7, decimal_places=2
    )
    cost = serializers.DecimalField(source="actual.cost", **MONEY)


class DisputeOutput(serializers.ModelSerializer):
    council = CouncilOutput()
    reason = serializers.CharField(source="reason.label")
    rows = DisputeRowOutput(many=True, help_text="The actual rows disputed, by client and week.")
    status = state_of(DisputeStatus.choices, "Where the dispute stands")
    raised_at = LondonDateTimeField()
    resolution_requested_at = LondonDateTimeField()
    resolved_at = LondonDateTimeField()
    reopened_at = LondonDateTimeField()
    changed_at = LondonDateTimeField()

    class Meta:
        model = Dispute
        fields = [
            "id",
            "council",
            "reason",
            "details",
            "status",
            "response",
            "resolution_note",
            "reopen_note",
            "raised_at",
            "resolution_requested_at",
            "resolved_at",
            "reopened_at",
            "changed_at",
            "rows",
        ]
        read_only_fields = fields


class DisputePage(PageOutput):
    results = DisputeOutput(many=True)


class DisputeList(ProviderApiView):
    @extend_schema(
        operation_id="provider_disputes",
        summary="The disputes of the provider's actuals, at every council",
        description=(
            "Each dispute a council raised on the provider's actual rows, newest first, with "
            "its council's reason, where it stands, the provider's response and the council's "
            "notes, and its rows. Answer a dispute on its page in the portal."
        ),
        parameters=[DisputeQuery],
        responses={
            200: DisputePage,
            400: OpenApiResponse(ErrorOutput, description="A bad council or status."),
            **PAGE_ERRORS,
        },
        tags=[TAG_CARE],
    )
    def get(self, request: Request) -> Response:
        user = self.acting_user(request)
        require_function(user, Function.ACTUALS)
        wanted = _wanted(request, DisputeQuery)
        rows = DisputeRow.objects.select_related("actual__service_user").order_by(
            "actual__service_user__last_name", "actual__week_start", "actual__cpli_id", "pk"
        )
        disputes = disputes_for(user).prefetch_related(Prefetch("rows", queryset=rows))
        if "status" in wanted:
            disputes = disputes.filter(status=wanted["status"])
        paginator, page = _paged(self, request, disputes.order_by("-raised_at", "-pk"), wanted)
        # A dispute names the clients of its rows: the event counts its rows.
        counts: Counter[int] = Counter()
        for dispute in page:
            counts[dispute.council_id] += len(dispute.rows.all())
        _audit(request, user, "disputes.listed", counts)
        return paginator.get_paginated_response(DisputeOutput(page, many=True).data)


# --- Invoices ------------------------------------------------------------------------------------


class InvoiceQuery(ListQuery):
    status = serializers.ChoiceField(
        choices=InvoiceStatus.choices, required=False, help_text="Only invoices in this state."
    )


class PeriodDatesOutput(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class InvoiceOutput(serializers.ModelSerializer):
    council = CouncilOutput()
    service = ServiceOutput()
    period = PeriodDatesOutput(help_text="The actuals period the invoice is for.")
    corrects = serializers.IntegerField(
        source="corrects_id", allow_null=True, help_text="The invoice a credit note corrects."
    )
    submitted_at = LondonDateTimeField()
    status = state_of(InvoiceStatus.choices, "Where the invoice stands")
    line_count = serializers.IntegerField(help_text="How many lines the invoice has.")
    excl_vat = serializers.DecimalField(help_text="The lines' amounts.", **MONEY)
    vat = serializers.DecimalField(help_text="Each line's VAT, rounded once.", **MONEY)
    total = serializers.DecimalField(**MONEY)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "council",
            "service",
            "period",
            "kind",
            "corrects",
            "reference",
            "invoice_date",
            "status",
            "held_reason",
            "returned_reason",
            "submitted_at",
            "paid_on",
            "line_count",
            "excl_vat",
            "vat",
            "total",
        ]
        read_only_fields = fields


class InvoicePage(PageOutput):
    results = InvoiceOutput(many=True)


class InvoiceList(ProviderApiView):
    @extend_schema(
        operation_id="provider_invoices",
        summary="The provider's invoices and credit notes, at every council",
        description=(
            "Each invoice with its council, service, period, where it stands and its totals "
            "from its lines (Excl VAT, VAT and Total, as the invoice's page reckons them), "
            "newest first."
        ),
        parameters=[InvoiceQuery],
        responses={
            200: InvoicePage,
            400: OpenApiResponse(ErrorOutput, description="A bad council or status."),
            **PAGE_ERRORS,
        },
        tags=[TAG_MONEY],
    )
    def get(self, request: Request) -> Response:
        user = self.acting_user(request)
        require_function(user, Function.INVOICES)
        wanted = _wanted(request, InvoiceQuery)
        invoices = invoices_for(user)
        if "status" in wanted:
            invoices = invoices.filter(status=wanted["status"])
        paginator, page = _paged(self, request, invoices.order_by("-invoice_date", "-pk"), wanted)
        totals = totals_of(invoice.pk for invoice in page)
        counts = Counter(
            InvoiceLine.objects.filter(invoice__in=page).values_list("invoice_id", flat=True)
        )
        for invoice in page:
            invoice.excl_vat, invoice.vat, invoice.total = totals.get(invoice.pk, NO_TOTALS)
            invoice.line_count = counts.get(invoice.pk, 0)
        _audit(request, user, "invoices.listed", Counter(each.council_id for each in page))
        return paginator.get_paginated_response(InvoiceOutput(page, many=True).data)


# --- Payments --------------------------------------------------------------------------------------


class PaymentQuery(ListQuery):
    paid_from = BoundedDateField(
        required=False, help_text="Only lines of runs paid on or after this day (YYYY-MM-DD)."
    )


class RunOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The payment run's reference.")
    payment_date = serializers.DateField()


class PaymentLineOutput(serializers.ModelSerializer):
    council = CouncilOutput()
    run = RunOutput()
    client = ClientOutput(source="service_user", allow_null=True)
    service = ServiceOutput(allow_null=True)
    cpli = serializers.IntegerField(source="cpli_id", allow_null=True)
    source = state_of(LineSource.choices, "What the line pays")
    invoice = serializers.CharField(
        source="invoice.reference", allow_null=True, help_text="The invoice it pays, if any."
    )

    class Meta:
        model = PaymentLine
        fields = [
            "id",
            "council",
            "run",
            "source",
            "description",
            "client",
            "service",
            "cpli",
            "invoice",
            "covers_from",
            "covers_to",
            "excl_vat",
            "vat",
            "total",
        ]
        read_only_fields = fields


class PaymentPage(PageOutput):
    results = PaymentLineOutput(many=True)


class PaymentList(ProviderApiView):
    @extend_schema(
        operation_id="provider_payments",
        summary="What finalised payment runs paid the provider: its remittances' lines",
        description=(
            "Every line of every finalised payment run that paid the provider, at every "
            "council: the newest payment first, then by council and run, each run's lines by "
            "client, CPLI and days, as its remittance advice lists them. A line for no one "
            "client (a balance carried or brought forward) has no client."
        ),
        parameters=[PaymentQuery],
        responses={
            200: PaymentPage,
            400: OpenApiResponse(ErrorOutput, description="A bad council or date."),
            **PAGE_ERRORS,
        },
        tags=[TAG_MONEY],
    )
    def get(self, request: Request) -> Response:
        user = self.acting_user(request)
        if not may_see_remittances(user):
            raise PermissionDenied
        wanted = _wanted(request, PaymentQuery)
        lines = remittance_lines(user).select_related(
            "council", "run", "service_user", "service", "invoice"
        )
        if "paid_from" in wanted:
            lines = lines.filter(run__payment_date__gte=wanted["paid_from"])
        paginator, page = _paged(self, request, lines, wanted)
        _audit(request, user, "payments.lines_listed", Counter(line.council_id for line in page))
        return paginator.get_paginated_response(PaymentLineOutput(page, many=True).data)
